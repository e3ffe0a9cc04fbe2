"""LEXIMIN on pools with many feature-value combinations (benchmarks/sortition_pools.py).

tests/panel/data/many_types/NAME/leximin_before.csv holds the per-type
probabilities that the engine computed before the relaxation-first rewrite
(commit c467d6f, level-by-level column generation).  That engine certified
each level to a relative gap of 1e-6 and reported the probabilities of its
last master, where types fixed at an earlier level may sit a few 1e-6 above
their level; on these pools it is within 7.4e-6 of the optimum on every
entry.  The new engine must give the same vector within 1e-5 absolute per
type and per sorted person, and must reach the relaxation's LEXIMIN (an upper
bound on every lottery in the leximin order) within 1e-7, which proves it
optimal independently of the old figures.  No timings here: see
benchmarks/sortition_bench.py --many.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panel.sortition import InfeasibleQuotasError, Person, Quota, csvio, draw, plan
from panel.sortition.grouping import group
from panel.sortition.relaxation import relaxed_leximin

REPO = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data" / "many_types"
sys.path.insert(0, str(REPO / "benchmarks"))

import sortition_pools  # noqa: E402

from .test_sortition import brute_force_leximin  # noqa: E402

POOLS = [("m1000-f6-k30", 30), ("m1000-f8-k40", 40)]


def load(name, k):
    quotas = csvio.read_quotas((DATA / name / f"quotas_k{k}.csv").read_text(encoding="utf-8"))
    people = csvio.read_people((DATA / name / "people.csv").read_text(encoding="utf-8"), quotas)
    return people, quotas


def before(name):
    with (DATA / name / "leximin_before.csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    nf = head.index("count")
    return {tuple(r[:nf]): (int(r[nf]), float(r[nf + 1])) for r in rows[1:]}, head[:nf]


@pytest.mark.parametrize("name,k", POOLS)
def test_generator_is_deterministic_and_matches_the_stored_pool(name, k):
    people, quotas, kk = sortition_pools.build(name)
    assert kk == k
    assert sortition_pools.people_csv(people) == (DATA / name / "people.csv").read_text(encoding="utf-8")
    assert sortition_pools.quotas_csv(quotas) == (DATA / name / f"quotas_k{k}.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("name,k", POOLS)
def test_leximin_vector_unchanged_and_optimal(name, k):
    people, quotas = load(name, k)
    p = plan(people, quotas, k)
    pool = p.pool
    old, features = before(name)
    assert list(pool.features) == features
    assert len(old) == pool.n_types > 400  # many combinations: the point of these pools
    new = p.distribution.type_probability
    old_vec = np.array([old[key][1] for key in pool.keys])
    assert [old[key][0] for key in pool.keys] == list(pool.counts)
    assert np.max(np.abs(new - old_vec)) < 1e-5
    per_person_old = np.sort(np.repeat(old_vec, pool.counts))
    per_person_new = np.sort([p.probabilities[person.id] for person in people])
    assert np.max(np.abs(per_person_new - per_person_old)) < 1e-5
    assert p.min_probability == pytest.approx(per_person_old[0], abs=1e-6)
    assert sum(p.probabilities.values()) == pytest.approx(k, abs=1e-9)

    # the relaxation's LEXIMIN bounds every lottery; reaching it proves optimality
    again = group(people, quotas, k)
    bound = relaxed_leximin(again, np.arange(again.n_types), 1e-7) / again.counts
    assert np.max(np.abs(new - bound)) < 1e-7
    assert p.stats.get("fit_step") is not None  # the fast path, not the level fallback

    assert p.distribution.committees
    for c in p.distribution.committees:
        assert pool.counts_ok(c)
    first, second = draw(p, 2026), draw(p, 2026)
    assert first.panel == second.panel and len(first.panel) == k
    assert first.categories and all(c.min <= c.achieved <= c.max for c in first.categories)


def test_many_type_pool_is_biased_like_volunteer_pools():
    people, quotas, k = sortition_pools.build("m3000-f8-k50")
    share = lambda f, v: sum(1 for x in people if x.features[f] == v) / len(people)  # noqa: E731
    pop = {(q.feature, q.value): q.target / k for q in quotas}
    assert share("gender", "female") > 0.55
    assert share("education", "tertiary") > 0.5 > pop[("education", "tertiary")]
    assert share("mother_tongue", "other") < 0.06
    assert share("age", "60-74") > 0.3
    assert len({tuple(x.features.values()) for x in people}) > 1000
    assert len({x.features["municipality"] for x in people}) == 23
    text = sortition_pools.people_csv(people)
    assert csvio.read_people(io.StringIO(text), quotas)[0].id == "v00001"


def three_binary_features(seed):
    """Small pools on three yes/no features: unlike two features (a network
    matrix), their quota polytope has fractional vertices, so the relaxation
    is sometimes not reached and the engine must fall back to levels."""
    import random

    rng = random.Random(seed)
    n, k = rng.randint(5, 9), rng.randint(2, 4)
    people = [Person(f"p{i:02d}", {f: rng.choice("01") for f in "abc"}) for i in range(n)]
    quotas = []
    for f in "abc":
        lo = rng.randint(0, k)
        hi = rng.randint(lo, k)
        quotas += [Quota(f, "1", lo, hi), Quota(f, "0", max(0, k - hi), k - lo)]
    return people, quotas, k


@pytest.mark.parametrize("seed", [2, 735])
def test_relaxation_not_reached_falls_back_to_exact_levels(seed):
    people, quotas, k = three_binary_features(seed)
    p = plan(people, quotas, k)
    assert "fit_step" not in p.stats and p.stats["levels"] >= 2  # the fallback ran
    expected = brute_force_leximin(people, quotas, k)
    for pid, value in expected.items():
        assert p.probabilities[pid] == pytest.approx(value, abs=1e-6)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**9))
def test_three_features_match_brute_force(seed):
    people, quotas, k = three_binary_features(seed)
    expected = brute_force_leximin(people, quotas, k)
    if expected is None:
        with pytest.raises(InfeasibleQuotasError):
            plan(people, quotas, k)
        return
    got = plan(people, quotas, k).probabilities
    assert sorted(got.values()) == pytest.approx(sorted(expected.values()), abs=1e-6)
    for pid, value in expected.items():
        assert got[pid] == pytest.approx(value, abs=1e-6)


def _on_face(pool, c, face):
    lb, ub, rlo, rhi = face
    rows = pool.incidence @ c
    return (int(c.sum()) == pool.k and np.all(c >= lb) and np.all(c <= ub)
            and np.all(rows >= rlo) and np.all(rows <= rhi))


def test_seat_swaps_carry_the_last_panel_onto_the_next_face():
    """The walk's cheap step: the panel that the remainder just moved away from,
    moved back onto the remainder's smaller face by seat swaps.  Every panel it
    returns lies on the face (sum k, type bounds, quota rows), and on a
    many-type pool most faces are reached this way (else the walk would be back
    to an LP per step)."""
    from panel.sortition.milp import CommitteeMip
    from panel.sortition.relaxation import SeatSwaps, smallest_face, walk

    people, quotas = load("m1000-f8-k40", 40)
    pool = group(people, quotas, 40)
    x = relaxed_leximin(pool, np.arange(pool.n_types), 1e-7)
    w = walk(pool, x, CommitteeMip(pool))
    assert len(w.panels) > 300
    swaps = SeatSwaps(pool)
    reached = 0
    for i in range(1, len(w.panels)):
        assert not _on_face(pool, w.panels[i - 1], w.faces[i])  # it did leave the face
        c = swaps.onto(w.panels[i - 1], w.remainders[i], *w.faces[i])
        if c is not None:
            assert _on_face(pool, c, w.faces[i]) and pool.counts_ok(c)
            assert np.array_equal(c, swaps.onto(w.panels[i - 1], w.remainders[i], *w.faces[i]))
            reached += 1
    assert reached > 0.5 * len(w.panels)

    # each face of the walk is the smallest one around its remainder
    cnt, a = pool.counts.astype(float), pool.incidence.astype(float)
    lb, ub, rlo, rhi = smallest_face(w.remainders[5], cnt, a, pool.lo.astype(float), pool.hi.astype(float))
    assert all(np.array_equal(u, v) for u, v in zip((lb, ub, rlo, rhi), w.faces[5]))


def test_seat_swaps_go_round_a_cycle_and_give_up_on_an_empty_face():
    """Two yes/no features, one panel {a1 b1, a2 b2}; the face forbids type
    (a1, b1) but keeps every quota at one.  The only panel left, {a1 b2, a2 b1},
    needs a swap that first breaks two quotas: an uphill swap.  A face that
    holds no panel at all gives None, never a panel off the face."""
    from panel.sortition.relaxation import SeatSwaps

    people = [Person(f"p{i}", {"a": ab[0], "b": ab[1]}) for i, ab in enumerate(["11", "12", "21", "22"])]
    quotas = [Quota(f, v, 1, 1) for f in "ab" for v in "12"]
    pool = group(people, quotas, 2)
    swaps = SeatSwaps(pool)
    c = np.array([1, 0, 0, 1])
    assert pool.counts_ok(c)
    ones = np.ones(len(pool.quotas))
    moved = swaps.onto(c, np.full(4, 0.5), np.zeros(4), np.array([0.0, 1, 1, 1]), ones, ones)
    assert list(moved) == [0, 1, 1, 0]
    # a1 needs one seat but both a1 types are closed: no panel on this face
    assert swaps.onto(c, np.full(4, 0.5), np.zeros(4), np.array([0.0, 0, 1, 1]), ones, ones) is None


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**9))
def test_seat_swaps_never_return_a_panel_off_the_face(seed):
    """Random small pools, a random valid panel, a random face (closed types,
    fixed types, quotas pinned to a bound): the result is None or a panel on
    that face, and the same on a second call."""
    import random

    from panel.sortition.relaxation import SeatSwaps

    rng = random.Random(seed)
    features = "abcd"[: rng.randint(2, 4)]
    people = [Person(f"p{i:02d}", {f: rng.choice("123"[: rng.randint(2, 3)]) for f in features})
              for i in range(rng.randint(6, 14))]
    k = rng.randint(2, 5)
    values = {(f, p.features[f]) for p in people for f in features}
    quotas = [Quota(f, v, 0, k) for f, v in sorted(values)]
    pool = group(people, quotas, k)
    c = np.zeros(pool.n_types, dtype=np.int64)
    for t in rng.sample([t for t in range(pool.n_types) for _ in range(pool.counts[t])], k):
        c[t] += 1
    lb, ub = np.zeros(pool.n_types), pool.counts.astype(float)
    for t in range(pool.n_types):
        roll = rng.random()
        if roll < 0.25:
            ub[t] = 0.0
        elif roll < 0.35:
            lb[t] = ub[t]
    rows = pool.incidence @ c
    rlo, rhi = np.zeros(len(pool.quotas)), np.full(len(pool.quotas), float(k))
    for j in range(len(pool.quotas)):
        if rng.random() < 0.3:
            rlo[j] = rhi[j] = float(max(0, rows[j] + rng.choice([-1, 0, 1])))
    swaps = SeatSwaps(pool)
    x = np.array([rng.random() * n for n in pool.counts])
    moved = swaps.onto(c, x, lb, ub, rlo, rhi)
    if moved is not None:
        assert _on_face(pool, moved, (lb, ub, rlo, rhi))
        assert np.array_equal(moved, swaps.onto(c, x, lb, ub, rlo, rhi))
