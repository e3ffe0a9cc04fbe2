"""panel.weighting: raking checked against hand-computed and published results, the
estimates against known formulas, and every bad input against its precise code."""
from __future__ import annotations

import math
import subprocess
import sys

import pytest

from panel.weighting import (WeightingError, estimate_mean, estimate_share, kish,
                             margins_from_percent, rake, read_margins_csv, read_respondents_csv,
                             write_weights_csv)

HALF = {"gender": {"f": 0.5, "m": 0.5}, "age": {"young": 0.5, "old": 0.5}}


def _rows(*pairs):
    return [{"id": f"r{i}", "gender": g, "age": a} for i, (g, a) in enumerate(pairs, 1)]


def _weighted_shares(rows, weights, feature):
    total = sum(weights)
    out: dict[str, float] = {}
    for row, w in zip(rows, weights):
        out[row[feature]] = out.get(row[feature], 0.0) + w / total
    return out


# --- cases worked out on paper ---------------------------------------------------------------

def test_one_feature_is_post_stratification():
    """One feature: raking is post-stratification, done in one sweep.

    4 respondents, 3 women and 1 man; population 50/50.  Targets are share x n = 2 each,
    so each woman gets 2/3 and the man 2/1 = 2.  Mean (3 x 2/3 + 2) / 4 = 1.
    Kish: sum w = 4, sum w^2 = 3 x 4/9 + 4 = 16/3, deff = 4 x (16/3) / 16 = 4/3, n_eff = 3."""
    rows = [{"id": str(i), "gender": g} for i, g in enumerate("fffm")]
    r = rake(rows, {"gender": {"f": 0.5, "m": 0.5}})
    assert r.weights == pytest.approx((2 / 3, 2 / 3, 2 / 3, 2.0), abs=1e-12)
    assert r.converged and r.iterations == 1
    assert r.design_effect == pytest.approx(4 / 3)
    assert r.effective_n == pytest.approx(3.0)
    assert r.trimmed == 0 and r.empty_cells == ()


def test_two_features_closed_form():
    """Two features, five respondents: (f,young) (f,old) (m,young) (m,old) (m,old);
    population 50/50 on both.  n = 5, so every cell's weighted total must be 2.5.

    Raking converges to weights of the form a_gender x b_age.  Call the weights
    A = w(f,young), B = w(f,old), C = w(m,young), D = w(m,old) (two respondents).
      f:     A + B  = 2.5        young: A + C  = 2.5
      m:     C + 2D = 2.5        old:   B + 2D = 2.5
    so B = C.  The product form gives A x D = B x C = B^2, and A = 2.5 - B,
    D = (2.5 - B) / 2, hence (2.5 - B)^2 / 2 = B^2, 2.5 - B = sqrt(2) B and
      B = C = 2.5 / (1 + sqrt 2) = 2.5 (sqrt 2 - 1) = 1.0355339...
      A = 2.5 (2 - sqrt 2) = 1.4644661...,  D = 1.25 (2 - sqrt 2) = 0.7322330...
    Check: A + B = 2.5 (2 - sqrt 2 + sqrt 2 - 1) = 2.5.  Mean (A + B + C + 2D) / 5 = 1."""
    rows = _rows(("f", "young"), ("f", "old"), ("m", "young"), ("m", "old"), ("m", "old"))
    r = rake(rows, HALF, tol=1e-12)
    s2 = math.sqrt(2)
    a, b, d = 2.5 * (2 - s2), 2.5 * (s2 - 1), 1.25 * (2 - s2)
    assert r.weights == pytest.approx((a, b, b, d, d), abs=1e-9)
    assert r.converged and r.max_margin_error < 1e-12
    assert sum(r.weights) / 5 == pytest.approx(1.0, abs=1e-14)


def test_two_features_already_balanced_needs_no_sweep():
    """A sample whose margins already equal the population keeps weight 1 everywhere."""
    rows = _rows(("f", "young"), ("f", "old"), ("m", "young"), ("m", "old"))
    r = rake(rows, HALF)
    assert r.weights == (1.0, 1.0, 1.0, 1.0)
    assert r.iterations == 0 and r.converged and r.design_effect == 1.0


def test_trimmed_raking_by_hand():
    """The five respondents above with trim (0.6, 1.4).  From the margins, B = C,
    A = 2.5 - B and D = (2.5 - B) / 2; the bounds need A <= 1.4, so B >= 1.1, and
    D >= 0.6, so B <= 1.3.  Solutions exist (B in [1.1, 1.3]) and plain raking's
    A = 1.464 breaks the upper bound, so the trimmed solution holds A at 1.4:
    B = C = 1.1, D = 0.7."""
    rows = _rows(("f", "young"), ("f", "old"), ("m", "young"), ("m", "old"), ("m", "old"))
    r = rake(rows, HALF, trim=(0.6, 1.4), tol=1e-10)
    assert r.converged and r.max_margin_error < 1e-10
    assert r.weights == pytest.approx((1.4, 1.1, 1.1, 0.7, 0.7), abs=1e-8)
    assert r.trimmed == 1
    assert max(r.weights) <= 1.4 and min(r.weights) >= 0.6


def test_trim_bounds_that_cannot_hold_with_the_margins():
    """Same respondents, trim (0.8, 1.2): the margins need B in [0.8, 0.9] (from D >= 0.8)
    and then A = 2.5 - B >= 1.6 > 1.2, so no weights meet both.  The bounds still hold
    and the result says the margins do not."""
    rows = _rows(("f", "young"), ("f", "old"), ("m", "young"), ("m", "old"), ("m", "old"))
    r = rake(rows, HALF, trim=(0.8, 1.2), max_iter=200)
    assert not r.converged and r.iterations == 200
    assert min(r.weights) >= 0.8 - 1e-12 and max(r.weights) <= 1.2 + 1e-12
    assert sum(r.weights) / 5 == pytest.approx(1.0, abs=1e-12)
    assert r.max_margin_error > 0.01


# --- a published worked example -------------------------------------------------------------

WIKIPEDIA_SEED = [[40, 30, 20, 10], [35, 50, 100, 75], [30, 80, 70, 120], [20, 30, 40, 50]]
WIKIPEDIA_ROWS = [150, 300, 400, 150]
WIKIPEDIA_COLUMNS = [200, 300, 400, 100]
WIKIPEDIA_FIT = [[64.61, 46.28, 35.42, 3.83], [49.95, 68.15, 156.49, 25.37],
                 [56.70, 144.40, 145.06, 53.76], [28.74, 41.18, 63.03, 17.03]]


def _wikipedia_survey():
    rows = []
    for i, line in enumerate(WIKIPEDIA_SEED):
        for j, count in enumerate(line):
            rows += [{"row": f"r{i + 1}", "col": f"c{j + 1}"}] * count
    margins = {"row": {f"r{i + 1}": t / 1000 for i, t in enumerate(WIKIPEDIA_ROWS)},
               "col": {f"c{j + 1}": t / 1000 for j, t in enumerate(WIKIPEDIA_COLUMNS)}}
    return rows, margins


def _fitted(rows, weights):
    fitted = [[0.0] * 4 for _ in range(4)]
    for row, w in zip(rows, weights):
        fitted[int(row["row"][1]) - 1][int(row["col"][1]) - 1] += w * 1000 / len(rows)
    return fitted


def test_published_example_wikipedia_ipf():
    """Wikipedia, "Iterative proportional fitting", section "Example": a 4 x 4 seed
    table fitted to row targets 150 300 400 150 and column targets 200 300 400 100
    (total 1000), one iteration being "fit the rows, then the columns":

        seed                    published table after the third iteration
        40  30  20  10          64.61  46.28  35.42   3.83
        35  50 100  75          49.95  68.15 156.49  25.37
        30  80  70 120          56.70 144.40 145.06  53.76
        20  30  40  50          28.74  41.18  63.03  17.03

    (the same figures are used in the tests of at least one independent IPF package).
    As a survey: 800 respondents, the seed counts being how many answered in each
    (row, column) cell, and population shares = targets / 1000.  Raking gives every
    respondent of a cell the same weight, so a cell's fitted value is its weighted count
    scaled from n = 800 to 1000.  Three sweeps over (row, col) reproduce the published
    table to the cent; to convergence, both margins hold to 1e-8 and the published
    third-iteration table is within 0.06 of the limit (its rows add up to 150.14,
    299.96, 399.92 and 149.98)."""
    rows, margins = _wikipedia_survey()
    third = rake(rows, margins, max_iter=3)
    assert third.iterations == 3 and not third.converged
    fitted = _fitted(rows, third.weights)
    assert [[round(x, 2) for x in line] for line in fitted] == WIKIPEDIA_FIT

    final = rake(rows, margins)
    assert final.converged and final.max_margin_error < 1e-8
    fitted = _fitted(rows, final.weights)
    assert [sum(line) for line in fitted] == pytest.approx(WIKIPEDIA_ROWS, abs=1e-5)
    assert [sum(col) for col in zip(*fitted)] == pytest.approx(WIKIPEDIA_COLUMNS, abs=1e-5)
    assert len(fitted) == len(WIKIPEDIA_FIT)
    for got, published in zip(fitted, WIKIPEDIA_FIT):
        assert got == pytest.approx(published, abs=0.06)


# --- empty cells, zero shares, unknown values ------------------------------------------------

def test_empty_population_cell_is_an_error_by_default():
    rows = _rows(("f", "young"), ("m", "young"))
    margins = {"gender": {"f": 0.5, "m": 0.5}, "age": {"young": 0.6, "old": 0.4}}
    with pytest.raises(WeightingError) as info:
        rake(rows, margins)
    assert info.value.code == "empty_cell"
    assert info.value.params == {"feature": "age", "value": "old", "share": 0.4}


def test_empty_population_cell_collapsed_is_reported():
    rows = _rows(("f", "young"), ("f", "middle"), ("m", "young"), ("m", "middle"),
                 ("m", "middle"))
    margins = {"gender": {"f": 0.5, "m": 0.5},
               "age": {"young": 0.3, "middle": 0.3, "old": 0.4}}
    r = rake(rows, margins, empty_cells="collapse")
    assert r.empty_cells == (("age", "old"),)
    assert r.converged
    # young and middle are rescaled to 0.3 / 0.6 = one half each
    assert _weighted_shares(rows, r.weights, "age") == pytest.approx({"young": 0.5, "middle": 0.5})
    old = [c for c in r.cells if c.value == "old"][0]
    assert old.collapsed and old.respondents == 0 and old.population_share == 0.4
    assert old.weighted_share == 0.0


def test_value_with_share_zero_and_respondents():
    rows = _rows(("f", "young"), ("m", "old"))
    margins = {"gender": {"f": 1.0, "m": 0.0}}
    with pytest.raises(WeightingError) as info:
        rake(rows, margins)
    assert (info.value.code, info.value.params) == (
        "zero_share", {"feature": "gender", "value": "m", "count": 1})


def test_share_zero_without_respondents_is_fine():
    rows = _rows(("f", "young"), ("f", "old"))
    r = rake(rows, {"gender": {"f": 1.0, "x": 0.0}})
    assert r.weights == (1.0, 1.0) and r.empty_cells == ()


def test_unknown_and_missing_values():
    rows = _rows(("f", "young"), ("other", "old"))
    with pytest.raises(WeightingError) as info:
        rake(rows, HALF)
    assert (info.value.code, info.value.params) == (
        "unknown_value", {"feature": "gender", "value": "other", "respondent": "r2"})
    with pytest.raises(WeightingError) as info:
        rake([{"gender": "f"}, {"gender": "m"}], HALF)
    assert (info.value.code, info.value.params) == (
        "missing_feature", {"feature": "age", "respondent": "#1"})


def test_impossible_margins_do_not_converge():
    """Structural zeros: every woman is young and every man old, so the weighted share
    of women always equals that of the young; 50 % women and 30 % young cannot both hold.
    Each sweep ends by fitting age, so women = young = 30 %: 0.2 away from 50 %."""
    rows = _rows(("f", "young"), ("f", "young"), ("m", "old"), ("m", "old"))
    r = rake(rows, {"gender": {"f": 0.5, "m": 0.5}, "age": {"young": 0.3, "old": 0.7}},
             max_iter=50)
    assert not r.converged and r.iterations == 50
    assert r.max_margin_error == pytest.approx(0.2, abs=1e-9)
    assert all(w > 0 for w in r.weights)
    assert sum(r.weights) / 4 == pytest.approx(1.0)


@pytest.mark.parametrize("margins, code, params", [
    ({}, "no_margins", {}),
    ({"g": {"f": 0.5, "m": 0.475}}, "shares_sum", {"feature": "g", "total": 97.5}),
    ({"g": {"f": 1.2, "m": -0.2}}, "bad_share", {"feature": "g", "value": "f", "share": 1.2}),
    ({"g": {"f": float("nan"), "m": 0.5}}, "bad_share", None),
    ({"g": {"f": "half", "m": 0.5}}, "bad_share", {"feature": "g", "value": "f", "share": "half"}),
])
def test_bad_margins(margins, code, params):
    with pytest.raises(WeightingError) as info:
        rake([{"g": "f"}], margins)
    assert info.value.code == code
    if params is not None:
        assert info.value.params == params


@pytest.mark.parametrize("trim", [(0.0, 2.0), (1.0, 2.0), (0.5, 1.0), (2.0, 0.5),
                                  (0.5, float("inf")), ("a", "b"), (0.5,)])
def test_bad_trim(trim):
    with pytest.raises(WeightingError) as info:
        rake(_rows(("f", "young")), HALF, trim=trim)
    assert info.value.code == "bad_trim"


def test_no_respondents_and_bad_options():
    with pytest.raises(WeightingError) as info:
        rake([], HALF)
    assert info.value.code == "no_respondents"
    for kwargs in ({"empty_cells": "drop"}, {"max_iter": 0}, {"tol": 0}):
        with pytest.raises(WeightingError) as info:
            rake(_rows(("f", "young")), HALF, **kwargs)
        assert info.value.code == "bad_options"


def test_margins_from_percent():
    assert margins_from_percent({"g": {"f": 52.5, "m": 47.5}}) == {"g": {"f": 0.525, "m": 0.475}}
    with pytest.raises(WeightingError) as info:
        margins_from_percent({"g": {"f": 50, "m": 47.5}})
    assert (info.value.code, info.value.params) == ("shares_sum", {"feature": "g", "total": 97.5})
    with pytest.raises(WeightingError) as info:
        margins_from_percent({"g": {"f": 150, "m": -50}})
    assert info.value.code == "bad_share"


# --- estimates -------------------------------------------------------------------------------

def test_equal_weights_have_design_effect_one():
    est = estimate_share([1] * 30 + [0] * 70, [1.0] * 100)
    assert est.design_effect == pytest.approx(1.0) and est.effective_n == pytest.approx(100.0)
    assert est.unweighted_share == est.weighted_share == 0.3
    assert (est.n, est.count) == (100, 30)
    assert kish([2.0] * 7) == pytest.approx((1.0, 7.0))


def test_wilson_interval_known_values():
    """Wilson score interval, 95 % (z = 1.95996, z^2 = 3.84146), worked by hand:
    50 of 100: centre 0.5, half-width z sqrt(0.0025 + z^2/40000) / (1 + z^2/100)
    = 1.95996 x 0.050951 / 1.038415 = 0.096168, so 0.4038-0.5962;
    0 of 10: centre = half-width = (z^2/20) / (1 + z^2/10) = 0.19207 / 1.38415 = 0.13877,
    so exactly 0 to 0.2775 (where the normal interval would say 0 +/- 0)."""
    est = estimate_share([1] * 50 + [0] * 50)
    assert (est.ci_low, est.ci_high) == pytest.approx((0.4038, 0.5962), abs=5e-5)
    est = estimate_share([0] * 10)
    assert est.ci_low == 0.0 and est.ci_high == pytest.approx(0.2775, abs=5e-5)
    assert est.small_cell and est.count == 0


def test_weights_widen_the_interval_through_the_effective_sample():
    """Weights 3 for 20 respondents and 1 for 80: sum w = 140, sum w^2 = 260,
    deff = 100 x 260 / 140^2 = 1.3265..., n_eff = 140^2 / 260 = 75.38...
    The interval is the Wilson interval of the weighted share with n = n_eff."""
    indicator = [1] * 20 + [0] * 80
    weights = [3.0] * 20 + [1.0] * 80
    est = estimate_share(indicator, weights)
    assert est.weighted_share == pytest.approx(60 / 140)
    assert est.unweighted_share == 0.2
    assert est.design_effect == pytest.approx(100 * 260 / 140 ** 2)
    assert est.effective_n == pytest.approx(140 ** 2 / 260)
    p, m, z = 60 / 140, 140 ** 2 / 260, 1.959963984540054
    centre = (p + z * z / (2 * m)) / (1 + z * z / m)
    half = z * math.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / (1 + z * z / m)
    assert (est.ci_low, est.ci_high) == pytest.approx((centre - half, centre + half))
    unweighted_width = estimate_share([1] * 43 + [0] * 57).ci_high - estimate_share(
        [1] * 43 + [0] * 57).ci_low
    assert est.ci_high - est.ci_low > unweighted_width


def test_interval_stays_inside_zero_and_one():
    for ind in ([1] * 3, [0] * 3, [1]):
        est = estimate_share(ind, [0.5] * len(ind))
        assert 0.0 <= est.ci_low <= est.weighted_share <= est.ci_high <= 1.0


def test_estimate_mean():
    """Values 1..5, equal weights: mean 3, s = sqrt(2.5), se = s / sqrt 5 = 0.7071,
    95 % interval 3 -/+ 1.95996 x 0.70711 = 1.6141 .. 4.3859."""
    est = estimate_mean([1, 2, 3, 4, 5])
    assert est.weighted_mean == est.unweighted_mean == 3.0
    assert (est.ci_low, est.ci_high) == pytest.approx((1.6141, 4.3859), abs=5e-5)
    est = estimate_mean([1, 5], [3.0, 1.0])
    assert est.weighted_mean == pytest.approx(2.0) and est.unweighted_mean == 3.0
    assert est.design_effect == pytest.approx(2 * 10 / 16)
    one = estimate_mean([4])
    assert one.ci_low is None and one.ci_high is None and one.weighted_mean == 4.0


@pytest.mark.parametrize("call", [
    lambda: estimate_share([]),
    lambda: estimate_share([1, 2]),
    lambda: estimate_share([1, 0], [1.0]),
    lambda: estimate_share([1, 0], [1.0, -1.0]),
    lambda: estimate_share([1, 0], confidence=1.5),
    lambda: estimate_mean([1.0, float("nan")]),
])
def test_bad_estimate_input(call):
    with pytest.raises(WeightingError):
        call()


# --- CSV -------------------------------------------------------------------------------------

def test_read_respondents_and_write_weights():
    rows = read_respondents_csv("\ufeffid;gender;age\nr1;f;young\n\nr2;m;old\n", ["gender"])
    assert rows == [{"id": "r1", "gender": "f", "age": "young"},
                    {"id": "r2", "gender": "m", "age": "old"}]
    with_answers = read_respondents_csv("id,gender,q1\nr1,f,\nr2,m,yes\n", ["gender"])
    assert with_answers[0] == {"id": "r1", "gender": "f", "q1": ""}
    with pytest.raises(WeightingError):
        read_respondents_csv("id,gender,q1\nr1,f,\n")
    assert write_weights_csv(["r1", "r2"], [0.5, 1.5]) == (
        "id,weight\nr1,0.500000000000\nr2,1.500000000000\n")


@pytest.mark.parametrize("text, code, params", [
    ("", "csv_empty", {"file": "respondents"}),
    ("gender,age\nf,young\n", "csv_missing_column", {"file": "respondents", "column": "id"}),
    ("id,gender\nr1,f\n", "csv_missing_column", {"file": "respondents", "column": "age"}),
    ("id,gender,gender\nr1,f,f\n", "csv_duplicate_column", {"file": "respondents", "column": "gender"}),
    ("id,gender,age\nr1,f,young\nr2,m\n", "csv_row_length",
     {"file": "respondents", "line": 3, "expected": 3, "found": 2}),
    ("id,gender,age\nr1,f,young\n\nr2,,old\n", "csv_empty_value",
     {"file": "respondents", "line": 4, "column": "gender"}),
    ("id,gender,age\nr1,f,young\nr2,m,old\nr1,m,old\n", "csv_duplicate_id",
     {"file": "respondents", "line": 4, "id": "r1", "first_line": 2}),
    ("id,gender,age\n", "no_respondents", {}),
])
def test_bad_respondents_csv(text, code, params):
    with pytest.raises(WeightingError) as info:
        read_respondents_csv(text, ["gender", "age"])
    assert (info.value.code, info.value.params) == (code, params)


def test_margins_csv_fractions_or_percent_per_feature():
    text = ("feature,value,share\n"
            "gender,f,0.51\ngender,m,0.49\n"
            "age,young,33.3\nage,middle,33.3\nage,old,33.3\n"   # rounded: 99.9 is accepted
            "region,north,40 %\nregion,south,60%\n")
    m = read_margins_csv(text)
    assert m["gender"] == {"f": 0.51, "m": 0.49}
    assert m["age"] == pytest.approx({"young": 1 / 3, "middle": 1 / 3, "old": 1 / 3})
    assert math.fsum(m["age"].values()) == pytest.approx(1.0, abs=1e-15)
    assert m["region"] == pytest.approx({"north": 0.4, "south": 0.6})
    semicolon = read_margins_csv("feature;value;share\ngender;f;50,5\ngender;m;49,5\n")
    assert semicolon == {"gender": pytest.approx({"f": 0.505, "m": 0.495})}
    assert read_margins_csv("feature,value,share\ng,all,100\n") == {"g": {"all": 1.0}}
    assert read_margins_csv("feature,value,share\ng,all,1\n") == {"g": {"all": 1.0}}


@pytest.mark.parametrize("text, code, params", [
    ("feature,value\ng,f\n", "csv_missing_column", {"file": "margins", "column": "share"}),
    ("feature,value,share\ng,f,\n", "csv_empty_value", {"file": "margins", "line": 2, "column": "share"}),
    ("feature,value,share\ng,f,0.5\ng,m,half\n", "csv_not_a_number",
     {"file": "margins", "line": 3, "column": "share", "value": "half"}),
    ("feature,value,share\ng,f,-5\ng,m,105\n", "csv_share_range", {"file": "margins", "line": 2, "value": "-5"}),
    ("feature,value,share\ng,f,150\n", "csv_share_range", {"file": "margins", "line": 2, "value": "150"}),
    ("feature,value,share\ng,f,50\ng,m,30\ng,f,20\n", "csv_duplicate_value",
     {"file": "margins", "line": 4, "feature": "g", "value": "f", "first_line": 2}),
    ("feature,value,share\ng,f,50\ng,m,47.5\n", "shares_sum", {"feature": "g", "total": 97.5}),
    ("feature,value,share\ng,f,0.5\ng,m,0.475\n", "shares_sum", {"feature": "g", "total": 97.5}),
    ("feature,value,share\ng,f,0.5 %\ng,m,0.5 %\n", "shares_sum", {"feature": "g", "total": 1.0}),
    ("feature,value,share\n", "no_margins", {}),
])
def test_bad_margins_csv(text, code, params):
    with pytest.raises(WeightingError) as info:
        read_margins_csv(text)
    assert (info.value.code, info.value.params) == (code, params)


def test_package_is_pure():
    """The weighting package imports neither Flask nor SQLAlchemy (a fresh interpreter)."""
    code = ("import sys, panel.weighting as w; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', "
            "'flask_babel', 'flask_sqlalchemy', 'pandas')]; print(bad); assert not bad")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_estimate_options_for_a_single_choice_question():
    from panel.weighting import estimate_options

    answers = ["yes", "no", None, "yes", "", "maybe", "yes"]
    weights = [1.0, 2.0, 5.0, 1.0, 5.0, 1.0, 1.0]
    est = estimate_options(answers, ["yes", "no", "maybe", "never"], weights)
    assert list(est) == ["yes", "no", "maybe", "never"]
    assert est["yes"].n == 5 and est["yes"].count == 3
    assert est["yes"].weighted_share == pytest.approx(3 / 6)
    assert est["no"].weighted_share == pytest.approx(2 / 6)
    assert est["never"].count == 0 and est["never"].small_cell and est["never"].ci_low == 0.0
    assert sum(e.weighted_share for e in est.values()) == pytest.approx(1.0)
    with pytest.raises(WeightingError) as info:
        estimate_options(["yes", "perhaps"], ["yes", "no"])
    assert info.value.code == "unknown_value"
