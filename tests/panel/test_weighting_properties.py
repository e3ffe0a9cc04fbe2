"""Property tests of panel.weighting (hypothesis): margins met after convergence when a
solution exists, weights positive with mean 1, trimming bounds held, row order
irrelevant, intervals well formed."""
from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from panel.weighting import (estimate_mean, estimate_share, rake, read_respondents_csv,
                             write_weights_csv)

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def surveys(draw, max_rows=60):
    """Respondents over 1-3 features with 2-4 values each, and margins that some strictly
    positive weighting of exactly these respondents meets, so a raking solution exists."""
    n_features = draw(st.integers(1, 3))
    features = {f"f{k}": [f"v{j}" for j in range(draw(st.integers(2, 4)))]
                for k in range(n_features)}
    n = draw(st.integers(2, max_rows))
    rows = []
    for i in range(n):
        rows.append({"id": f"r{i}", **{f: draw(st.sampled_from(vals))
                                       for f, vals in features.items()}})
    hidden = draw(st.lists(st.floats(0.2, 5.0), min_size=n, max_size=n))
    total = math.fsum(hidden)
    margins: dict[str, dict[str, float]] = {}
    for f, vals in features.items():
        shares = {v: 0.0 for v in vals}
        for row, w in zip(rows, hidden):
            shares[row[f]] += w / total
        # values nobody has get share 0 (a share > 0 would be an empty cell)
        margins[f] = shares
    return rows, margins


def _shares(rows, weights, feature):
    total = math.fsum(weights)
    out: dict[str, float] = {}
    for row, w in zip(rows, weights):
        out[row[feature]] = out.get(row[feature], 0.0) + w / total
    return out


@SETTINGS
@given(surveys())
def test_margins_met_weights_positive_mean_one(case):
    rows, margins = case
    r = rake(rows, margins, tol=1e-9, max_iter=5000)
    assert r.converged
    assert r.max_margin_error < 1e-9
    for f, target in margins.items():
        got = _shares(rows, r.weights, f)
        for v, share in target.items():
            assert abs(got.get(v, 0.0) - share) < 1e-8
    assert all(w > 0 for w in r.weights)
    assert abs(math.fsum(r.weights) / len(rows) - 1.0) < 1e-12
    assert r.design_effect >= 1.0 - 1e-12
    assert abs(r.effective_n * r.design_effect - len(rows)) < 1e-6


@SETTINGS
@given(surveys(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(case, rnd):
    rows, margins = case
    order = list(range(len(rows)))
    rnd.shuffle(order)
    a = rake(rows, margins, tol=1e-11, max_iter=5000)
    b = rake([rows[i] for i in order], margins, tol=1e-11, max_iter=5000)
    assert a.converged and b.converged
    assert np.allclose([a.weights[i] for i in order], b.weights, rtol=1e-7, atol=1e-9)
    assert math.isclose(a.design_effect, b.design_effect, rel_tol=1e-7)


@SETTINGS
@given(surveys(), st.floats(0.05, 0.95), st.floats(1.05, 6.0))
def test_trimming_bounds_always_held(case, low, high):
    rows, margins = case
    r = rake(rows, margins, trim=(low, high), max_iter=300, tol=1e-9)
    eps = 1e-9
    assert all(low - eps <= w <= high + eps for w in r.weights)
    assert abs(math.fsum(r.weights) / len(rows) - 1.0) < 1e-9
    if r.converged:
        for f, target in margins.items():
            got = _shares(rows, r.weights, f)
            for v, share in target.items():
                assert abs(got.get(v, 0.0) - share) < 1e-8
    else:
        assert r.max_margin_error >= 1e-9


@SETTINGS
@given(surveys())
def test_trimming_with_bounds_never_reached_changes_nothing(case):
    """Bounds no weight ever reaches give plain raking.  (Bounds that only the final
    weights respect are not enough: a sweep can overshoot them on the way, and trimming
    there leads to another, equally valid, solution.)"""
    rows, margins = case
    plain = rake(rows, margins, tol=1e-10, max_iter=5000)
    assume(plain.converged)
    trimmed = rake(rows, margins, trim=(1e-6, 1e6), tol=1e-10, max_iter=5000)
    assert trimmed.converged and trimmed.trimmed == 0
    assert trimmed.iterations == plain.iterations
    assert np.allclose(plain.weights, trimmed.weights, rtol=1e-9, atol=1e-12)


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 1), st.floats(0.05, 20.0)), min_size=1, max_size=80),
       st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_share_interval_well_formed(pairs, confidence):
    indicator = [p[0] for p in pairs]
    weights = [p[1] for p in pairs]
    est = estimate_share(indicator, weights, confidence=confidence)
    assert 0.0 <= est.ci_low <= est.weighted_share <= est.ci_high <= 1.0
    assert est.design_effect >= 1.0 - 1e-12
    assert est.effective_n <= len(pairs) + 1e-9
    wider = estimate_share(indicator, weights, confidence=0.999)
    assert wider.ci_low <= est.ci_low + 1e-12 and wider.ci_high >= est.ci_high - 1e-12
    equal = estimate_share(indicator)
    assert math.isclose(equal.design_effect, 1.0) and math.isclose(equal.effective_n, len(pairs))


@SETTINGS
@given(st.lists(st.tuples(st.integers(1, 5), st.floats(0.05, 20.0)), min_size=2, max_size=80))
def test_mean_interval_contains_the_mean(pairs):
    est = estimate_mean([p[0] for p in pairs], [p[1] for p in pairs])
    assert 1.0 - 1e-12 <= est.weighted_mean <= 5.0 + 1e-12
    if est.ci_low is not None:
        assert est.ci_low <= est.weighted_mean <= est.ci_high


@SETTINGS
@given(st.lists(st.floats(0.01, 100.0), min_size=1, max_size=30))
def test_weights_csv_round_trip(weights):
    ids = [f"id{i}" for i in range(len(weights))]
    text = write_weights_csv(ids, weights)
    back = read_respondents_csv(text, ["weight"])
    assert [r["id"] for r in back] == ids
    assert np.allclose([float(r["weight"]) for r in back], weights, rtol=0, atol=1e-12)


@SETTINGS
@given(st.lists(st.floats(0.001, 50.0), min_size=1, max_size=200), st.floats(0.05, 0.95),
       st.floats(1.05, 8.0))
def test_trim_step_is_one_scale_factor_clipped(weights, low, high):
    """The trim step returns clip(c * w, low, high) with mean 1 for a single c: the
    untrimmed weights keep their ratios, trimmed ones sit exactly on a bound, and a
    weight is trimmed only if every larger (smaller) weight is too."""
    from panel.weighting.raking import _trim_to_mean_one

    w = np.asarray(weights)
    t, _ = _trim_to_mean_one(w, low, high)
    assert abs(t.mean() - 1.0) < 1e-10
    assert t.min() >= low and t.max() <= high
    free = (t > low) & (t < high)
    if free.sum() >= 2:
        ratio = t[free] / w[free]
        assert np.ptp(ratio) <= 1e-9 * ratio.mean()
    order = np.argsort(w, kind="stable")
    assert np.all(np.diff(t[order]) >= -1e-12)       # monotone in w
