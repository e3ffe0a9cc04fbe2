"""Tests of the pure sortition engine (panel.sortition): LEXIMIN against brute
force, quotas, seeded draws, forced/excluded members, diagnosis and CSV."""

from __future__ import annotations

import hashlib
import random
import subprocess
import sys
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from panel.sortition import (InfeasibleQuotasError, Person, Quota, ValidationError, plan,
                             pool_hash, seed_from_announcement, select)
from panel.sortition import csvio
from panel.sortition.errors import CsvFormatError

REPO = Path(__file__).resolve().parents[2]


def person(pid, **features):
    return Person(pid, features)


def meets(panel_people, quotas):
    for q in quotas:
        n = sum(1 for p in panel_people if p.features[q.feature] == q.value)
        if not q.min <= n <= q.max:
            return False
    return True


def random_instance(seed):
    """Small random pool (5-9 people, 2 features) with quotas that are
    sometimes infeasible and sometimes exclude somebody from every panel."""
    rng = random.Random(seed)
    domains = {"gender": ["f", "m", "x"][: rng.randint(2, 3)], "age": ["a", "b", "c"][: rng.randint(2, 3)]}
    n = rng.randint(5, 9)
    k = rng.randint(2, min(4, n - 1))
    people = [Person(f"p{i:02d}", {f: rng.choice(vs) for f, vs in domains.items()}) for i in range(n)]
    ref = rng.sample(people, k)
    quotas = []
    for f, vs in domains.items():
        for v in vs:
            have = sum(1 for p in ref if p.features[f] == v)
            lo = max(0, have - rng.randint(0, 1)) if rng.random() < 0.9 else have + 1
            quotas.append(Quota(f, v, min(lo, k), max(min(lo, k), have + rng.randint(0, 1))))
    for f in domains:  # keep the per-feature sums valid, that is a validation error
        fq = [q for q in quotas if q.feature == f]
        if sum(q.min for q in fq) > k or sum(q.max for q in fq) < k:
            quotas = [q if q.feature != f else Quota(f, q.value, 0, k) for q in quotas]
    return people, quotas, k


def brute_force_leximin(people, quotas, k, forced=(), excluded=()):
    """LEXIMIN by enumerating every panel; a person is pinned at a level when
    an LP shows their probability cannot exceed it (no dual arguments)."""
    n = len(people)
    must = {i for i, p in enumerate(people) if p.id in forced}
    never = {i for i, p in enumerate(people) if p.id in excluded}
    comms = [c for c in combinations(range(n), k) if meets([people[i] for i in c], quotas)
             and must <= set(c) and not never & set(c)]
    if not comms:
        return None
    m = len(comms)
    a = np.zeros((n, m))
    for j, c in enumerate(comms):
        a[list(c), j] = 1
    fixed = {i: 0.0 for i in range(n) if a[i].sum() == 0}
    while len(fixed) < n:
        unfixed = [i for i in range(n) if i not in fixed]
        rows = [np.r_[-a[i], 1.0] for i in unfixed] + [np.r_[-a[i], 0.0] for i in fixed]
        rhs = [0.0] * len(unfixed) + [-p for p in fixed.values()]
        eq = [np.r_[np.ones(m), 0.0]]
        bounds = [(0, None)] * m + [(None, None)]
        res = linprog(np.r_[np.zeros(m), -1.0], A_ub=rows, b_ub=rhs, A_eq=eq, b_eq=[1.0], bounds=bounds)
        z = -res.fun
        base_rows = [-a[i] for i in unfixed] + [-a[i] for i in fixed]
        base_rhs = [-(z - 1e-9)] * len(unfixed) + [-p for p in fixed.values()]
        pinned = []
        for i in unfixed:
            r = linprog(-a[i], A_ub=base_rows, b_ub=base_rhs, A_eq=[np.ones(m)], b_eq=[1.0],
                        bounds=[(0, None)] * m)
            if -r.fun <= z + 1e-7:
                pinned.append(i)
        assert pinned
        for i in pinned:
            fixed[i] = z
    return {people[i].id: fixed[i] for i in range(n)}


# derandomized: CI must be reproducible; a 2,000-case random sweep passed when this was written
@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**9), st.sampled_from(["", "forced", "excluded", "both"]))
def test_leximin_matches_brute_force(seed, replacement):
    people, quotas, k = random_instance(seed)
    # a replacement draw: one member kept and/or one volunteer who declined
    forced = [people[0].id] if replacement in ("forced", "both") else []
    excluded = [people[-1].id] if replacement in ("excluded", "both") else []
    expected = brute_force_leximin(people, quotas, k, forced, excluded)
    if expected is None:
        with pytest.raises(InfeasibleQuotasError):
            plan(people, quotas, k, forced, excluded)
        return
    result = select(people, quotas, k, seed, forced, excluded)
    got = result.probabilities
    assert min(got.values()) == pytest.approx(min(expected.values()), abs=1e-6)  # maximin
    assert sorted(got.values()) == pytest.approx(sorted(expected.values()), abs=1e-6)
    for pid in expected:
        assert got[pid] == pytest.approx(expected[pid], abs=1e-6)
    assert sum(got.values()) == pytest.approx(k, abs=1e-9)
    assert meets([p for p in people if p.id in result.panel], quotas)
    assert set(forced) <= set(result.panel) and not set(excluded) & set(result.panel)
    zero = {z.person_id: z for z in result.zero_probability}
    assert set(zero) == {pid for pid, p in expected.items() if p < 1e-9}
    for pid, z in zero.items():
        if pid in excluded:
            assert z.code == "excluded"
        else:
            assert z.code in ("no_feasible_panel", "panel_full")
            if z.code == "no_feasible_panel":
                assert z.blocking


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.integers(0, 10**9), st.integers(0, 2**64))
def test_drawn_panels_meet_quotas_and_are_reproducible(instance_seed, draw_seed):
    people, quotas, k = random_instance(instance_seed)
    try:
        first = select(people, quotas, k, draw_seed)
    except InfeasibleQuotasError:
        return
    again = select(people, quotas, k, draw_seed)
    assert again.panel == first.panel and again.probabilities == first.probabilities
    assert len(first.panel) == k and len(set(first.panel)) == k
    assert meets([p for p in people if p.id in first.panel], quotas)
    assert first.categories and all(c.min <= c.achieved <= c.max for c in first.categories)


def three_feature_pool():
    rng = random.Random(5)
    people = [person(f"v{i:03d}", gender=rng.choice("fmf"), age=rng.choice(["young", "mid", "old", "old"]),
                     area=rng.choice(["north", "south"])) for i in range(60)]
    quotas = [Quota("gender", "f", 4, 6), Quota("gender", "m", 4, 6),
              Quota("age", "young", 2, 4), Quota("age", "mid", 2, 4), Quota("age", "old", 2, 5),
              Quota("area", "north", 4, 6), Quota("area", "south", 4, 6)]
    return people, quotas, 10


def test_same_seed_same_panel_and_distribution_independent_of_seed():
    people, quotas, k = three_feature_pool()
    a = select(people, quotas, k, seed_from_announcement("7 12 19 23 31 38 40"))
    b = select(list(reversed(people)), list(reversed(quotas)), k,
               seed_from_announcement(" 7 12 19 23 31 38 40\n"))
    assert a.panel == b.panel and a.probabilities == b.probabilities
    assert a.pool_hash == b.pool_hash
    panels = {select(people, quotas, k, s).panel for s in range(12)}
    assert len(panels) > 1
    assert sum(a.probabilities.values()) == pytest.approx(k)
    assert a.support_size >= 1 and a.algorithm.startswith("leximin-types/")


def test_seed_and_hash_are_documented_functions():
    assert seed_from_announcement("123") == int(hashlib.sha256(b"123").hexdigest(), 16)
    people, quotas, k = three_feature_pool()
    h = pool_hash(people, quotas, k)
    assert len(h) == 64 and h == pool_hash(people[::-1], quotas[::-1], k)
    assert h != pool_hash(people, quotas, k + 1)
    assert h != pool_hash(people, quotas, k, excluded=[people[0].id])


def test_person_in_no_panel_gets_zero_with_reason():
    # gender needs one f and one m; the only m is young, so the f must be old:
    # the young woman A fits no panel, because "young" allows at most one.
    people = [person("A", gender="f", age="young"), person("B", gender="m", age="young"),
              person("C", gender="f", age="old"), person("D", gender="f", age="old")]
    quotas = [Quota("gender", "f", 1, 1), Quota("gender", "m", 1, 1),
              Quota("age", "young", 0, 1), Quota("age", "old", 1, 2)]
    result = select(people, quotas, 2, 1)
    assert result.probabilities["A"] == 0.0
    assert result.probabilities["B"] == pytest.approx(1.0)
    assert result.probabilities["C"] == pytest.approx(0.5) == result.probabilities["D"]
    (zero,) = result.zero_probability
    assert zero.person_id == "A" and zero.code == "no_feasible_panel"
    # A with B breaks both age quotas, A with C or D both gender quotas
    assert {(i.code, i.params["feature"], i.params["value"], i.params["by"]) for i in zero.blocking} in (
        {("quota_max_too_low", "age", "young", 1), ("quota_min_too_high", "age", "old", 1)},
        {("quota_max_too_low", "gender", "f", 1), ("quota_min_too_high", "gender", "m", 1)})


def test_category_short_of_volunteers_is_reported_with_shortfall():
    people = [person(f"y{i}", age="young") for i in range(3)] + [person(f"o{i}", age="old") for i in range(10)]
    quotas = [Quota("age", "young", 5, 6), Quota("age", "old", 0, 6)]
    with pytest.raises(InfeasibleQuotasError) as err:
        select(people, quotas, 6, 1)
    assert err.value.code == "category_short_of_volunteers"
    assert err.value.params == {"feature": "age", "value": "young", "min": 5, "available": 3, "shortfall": 2}


def test_conflicting_quotas_are_reported_with_total_relaxation():
    # two women needed, but every woman is old while two young people are needed
    people = [person(f"f{i}", gender="f", age="old") for i in range(3)] + \
             [person(f"m{i}", gender="m", age="young") for i in range(3)]
    quotas = [Quota("gender", "f", 2, 2), Quota("gender", "m", 0, 2),
              Quota("age", "young", 2, 2), Quota("age", "old", 0, 2)]
    with pytest.raises(InfeasibleQuotasError) as err:
        plan(people, quotas, 2)
    conflicts = err.value.conflicts
    assert {c.code for c in conflicts} <= {"quota_min_too_high", "quota_max_too_low"}
    assert sum(c.params["by"] for c in conflicts) == 2
    assert {(c.params["feature"], c.params["value"]) for c in conflicts} <= {("gender", "f"), ("age", "young")}


def test_forced_and_excluded_members():
    people, quotas, k = three_feature_pool()
    forced = [people[0].id, people[1].id]
    excluded = [people[2].id, people[3].id]
    for seed in range(5):
        result = select(people, quotas, k, seed, forced=forced, excluded=excluded)
        assert set(forced) <= set(result.panel) and not set(excluded) & set(result.panel)
        assert meets([p for p in people if p.id in result.panel], quotas)
    assert result.probabilities[forced[0]] == 1.0 and result.probabilities[excluded[0]] == 0.0
    assert {z.person_id: z.code for z in result.zero_probability} == {pid: "excluded" for pid in excluded}
    assert sum(result.probabilities.values()) == pytest.approx(k)


def test_forced_members_filling_the_panel():
    people = [person("a", g="f"), person("b", g="m"), person("c", g="f")]
    quotas = [Quota("g", "f", 1, 1), Quota("g", "m", 1, 1)]
    result = select(people, quotas, 2, 9, forced=["a", "b"])
    assert result.panel == ("a", "b")
    assert result.probabilities == {"a": 1.0, "b": 1.0, "c": 0.0}
    assert [(z.person_id, z.code) for z in result.zero_probability] == [("c", "panel_full")]


def test_forced_members_past_a_maximum_are_infeasible():
    people, quotas, k = three_feature_pool()
    women = [p.id for p in people if p.features["gender"] == "f"][:7]
    with pytest.raises(InfeasibleQuotasError) as err:
        plan(people, quotas, k, forced=women)
    assert err.value.code == "forced_exceed_quota_max"
    assert err.value.params == {"feature": "gender", "value": "f", "max": 6, "forced": 7}


def test_validation_codes():
    people = [person("a", gender="f"), person("a", gender="m"), person("b", gender="x")]
    quotas = [Quota("gender", "f", 2, 1), Quota("gender", "m", 0, 1), Quota("gender", "m", 0, 1),
              Quota("age", "old", 0, 1)]
    with pytest.raises(ValidationError) as err:
        plan(people, quotas, 4, forced=["zz"], excluded=["a"])
    codes = set(err.value.codes())
    assert {"quota_duplicate", "quota_bounds_invalid", "quota_feature_unknown",
            "person_id_duplicate", "person_value_without_quota", "forced_unknown_id",
            "pool_too_small"} <= codes
    with pytest.raises(ValidationError) as err:
        plan([person("a", g="f"), person("b", g="m")], [Quota("g", "f", 2, 2), Quota("g", "m", 1, 1)], 2)
    assert err.value.code == "feature_mins_exceed_panel"
    assert err.value.params == {"feature": "g", "sum_min": 3, "k": 2}


def test_csv_round_trip_and_precise_errors():
    quotas = csvio.read_quotas("\ufefffeature;value;min;max\ngender;f;1;2\ngender;m;1;2\n")
    assert [(q.feature, q.value, q.min, q.max) for q in quotas] == [("gender", "f", 1, 2), ("gender", "m", 1, 2)]
    people = csvio.read_people("id,gender\nb,m\na,f\nc,f\n", quotas)
    result = select(people, quotas, 2, 3)
    assert csvio.write_panel(people, result.panel).splitlines()[0] == "id,gender"
    probs = csvio.write_probabilities(result.probabilities).splitlines()
    assert probs[0] == "id,probability" and probs[1] == "a,0.500000000" and probs[2] == "b,1.000000000"

    with pytest.raises(CsvFormatError) as err:
        csvio.read_quotas("feature,value,min\ngender,f,1\n")
    assert (err.value.code, err.value.params) == ("csv_missing_column", {"file": "quotas", "column": "max"})
    with pytest.raises(CsvFormatError) as err:
        csvio.read_quotas("feature,value,min,max\ngender,f,1,2\ngender,m,one,2\n")
    assert (err.value.code, err.value.params) == (
        "csv_bad_integer", {"file": "quotas", "row": 3, "column": "min", "value": "one"})
    with pytest.raises(CsvFormatError) as err:
        csvio.read_people("id,gender\na,f\nb,male\n", quotas)
    assert (err.value.code, err.value.params) == (
        "csv_unknown_category", {"file": "people", "row": 3, "column": "gender", "value": "male"})
    with pytest.raises(CsvFormatError) as err:
        csvio.read_people("gender\nf\n", quotas)
    assert err.value.params == {"file": "people", "column": "id"}
    with pytest.raises(CsvFormatError) as err:
        csvio.read_people("id,gender\na,f,extra\n")
    assert err.value.code == "csv_row_length" and err.value.params["row"] == 2


def test_engine_imports_neither_flask_nor_sqlalchemy():
    code = ("import sys, panel.sortition, panel.sortition.csvio; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'flask_sqlalchemy')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


# A copy of the shared benchmark pool n300 (../shared/sortition/n300), so a clean clone anywhere
# runs this test.
BENCH = Path(__file__).parent / "data" / "n300"


def test_benchmark_pool_reaches_reference_maximin():
    quotas = csvio.read_quotas((BENCH / "quotas_k12.csv").read_text(encoding="utf-8"))
    people = csvio.read_people((BENCH / "people.csv").read_text(encoding="utf-8"), quotas)
    result = select(people, quotas, 12, 2021)
    # reference maximin optimum (sortition-algorithms 0.12, see reference_results.csv)
    assert min(result.probabilities.values()) >= 0.027473 * 0.9999
    assert meets([p for p in people if p.id in result.panel], quotas)
