"""Pure modules: anonymity hashing, tallying and dealing, clustering, cell neutralising."""
from __future__ import annotations

import random
from datetime import datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deliberation.ideas import anonymity, clustering, tally
from deliberation.ideas.exports import neutralise


def test_participant_hash_is_keyed_and_per_round():
    k1, k2 = anonymity.round_key("secret", 1), anonymity.round_key("secret", 2)
    other = anonymity.round_key("other secret", 1)
    h = anonymity.participant_hash(k1, "tok")
    assert h == anonymity.participant_hash(k1, "tok") and len(h) == 64
    assert h != anonymity.participant_hash(k2, "tok") != anonymity.participant_hash(other, "tok")
    assert "tok" not in h


def test_cookie_roundtrip_and_forgery():
    key = anonymity.round_key("s", 5)
    cookie = anonymity.new_cookie(key)
    token = anonymity.token_from_cookie(key, cookie)
    assert token and token in cookie
    assert anonymity.token_from_cookie(anonymity.round_key("s", 6), cookie) is None  # another round
    v, t, mac = cookie.split(".")
    assert anonymity.token_from_cookie(key, f"{v}.{t}x.{mac}") is None
    for bad in (None, "", "v1..", "v2.a.b", "x" * 500, "v1.a"):
        assert anonymity.token_from_cookie(key, bad) is None
    assert anonymity.new_cookie(key) != cookie


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_round_down_hour(moment):
    r = anonymity.round_down(moment)
    assert r.minute == r.second == r.microsecond == 0 and r <= moment and (moment - r).total_seconds() < 3600
    assert anonymity.round_down(moment, 24 * 60).hour == 0


def test_score_and_rank():
    one = tally.Counts(1, 0, 0)
    forty = tally.Counts(38, 2, 0)
    split = tally.Counts(20, 20, 0)
    assert tally.score(forty) > tally.score(one) > 0
    assert tally.score(split) < tally.score(forty)
    assert tally.score(tally.Counts()) == 0
    assert tally.rank({1: one, 2: forty, 3: split}) == [2, 3, 1]
    assert tally.summarise([1, 1, -1, 0, 0, 0]) == tally.Counts(2, 1, 3)


@settings(max_examples=50)
@given(st.lists(st.tuples(st.integers(1, 10_000), st.integers(0, 500)), unique_by=lambda t: t[0], max_size=30),
       st.integers(0, 10**6))
def test_deal_picks_only_candidates(candidates, seed):
    chosen = tally.deal(candidates, random.Random(seed))
    if candidates:
        assert chosen in {i for i, _n in candidates}
    else:
        assert chosen is None


@settings(max_examples=200)
@given(st.lists(st.integers(0, 300), min_size=1, max_size=60), st.data(), st.integers(0, 10**6))
def test_deal_pool_picks_what_deal_picks(counts, data, seed):
    """For the same random numbers, DealPool leaving out some positions picks what
    ``deal`` picks over the pairs that remain (the lean vote deals with it)."""
    pairs = [(100 + k, n) for k, n in enumerate(counts)]
    leave_out = data.draw(st.sets(st.integers(0, len(pairs) + 2)))    # also out of range
    pool = tally.DealPool(pairs)
    rest = [pair for k, pair in enumerate(pairs) if k not in leave_out]
    for draw in range(5):
        got = pool.deal(leave_out, random.Random(seed + draw))
        want = tally.deal(rest, random.Random(seed + draw))
        assert (None if got is None else pool.keys[got]) == want
        if got is not None:
            assert got not in leave_out


def test_deal_pool_keeps_deals_distribution():
    """Over many draws the shares follow the weights 1/(1+n)^2 of the ideas not left out."""
    pairs = [(k, n) for k, n in enumerate([0, 0, 1, 3, 0, 7, 2])]
    pool, rng = tally.DealPool(pairs), random.Random(11)
    picks = [pool.keys[pool.deal([1, 4], rng)] for _ in range(40_000)]
    weights = {k: 1 / (1 + n) ** 2 for k, n in pairs if k not in (1, 4)}
    total = sum(weights.values())
    for k, w in weights.items():
        assert abs(picks.count(k) / len(picks) - w / total) < 0.01, k
    assert not {1, 4} & set(picks)
    assert tally.DealPool(pairs).deal(range(7), rng) is None


def test_dealing_spreads_votes_so_late_ideas_catch_up():
    rng = random.Random(3)
    votes = {i: (200 if i < 10 else 0) for i in range(40)}  # 10 early ideas already popular
    for _participant in range(100):
        seen = set()
        for _ in range(10):
            chosen = tally.deal([(i, n) for i, n in votes.items() if i not in seen], rng)
            seen.add(chosen)
            votes[chosen] += 1
    late = [votes[i] for i in range(10, 40)]
    assert min(late) >= 10  # every new idea got votes
    assert sum(votes[i] - 200 for i in range(10)) < sum(late) / 10  # and the old ones barely more


def planted(n=150, m=30, groups=3, seed=1, consensus=(0,)):
    rng = np.random.default_rng(seed)
    matrix = np.full((n, m), np.nan)
    for i in range(n):
        g = i % groups
        for j in rng.choice(m, 18, replace=False):
            if j in consensus:
                matrix[i, j] = 1
            else:
                pref = 1 if j % groups == g else -1
                matrix[i, j] = pref if rng.random() < 0.9 else 0
    return matrix


def test_clustering_finds_planted_groups_and_consensus():
    ids = list(range(100, 130))
    result = clustering.analyse(planted(), ids)
    assert len(result.groups) == 3
    assert sorted(g.size for g in result.groups) == [50, 50, 50]
    assert result.participants == 150
    assert 100 in result.consensus
    for g in result.groups:
        agreed = [d.idea_id for d in g.distinctive if d.direction > 0]
        assert agreed and len({(i - 100) % 3 for i in agreed}) == 1  # one preference family per group
    # deterministic
    again = clustering.analyse(planted(), ids)
    assert [g.distinctive for g in again.groups] == [g.distinctive for g in result.groups]


def test_clustering_reports_a_split_only_above_the_silhouette_threshold():
    rng = np.random.default_rng(2)
    noise = rng.choice([1.0, -1.0, 0.0], size=(60, 12))
    result = clustering.analyse(noise, list(range(12)))
    assert len(result.groups) > 1 and result.silhouette >= 0.2     # projected noise separates a little
    unconvincing = clustering.analyse(noise, list(range(12)), min_silhouette=result.silhouette + 0.01)
    assert [g.size for g in unconvincing.groups] == [60] and unconvincing.silhouette is None


def test_clustering_edge_cases():
    assert clustering.analyse(np.empty((0, 3)), [1, 2, 3]).groups == []
    few = np.array([[1, np.nan, np.nan], [np.nan, -1, np.nan]])
    assert clustering.analyse(few, [1, 2, 3]).participants == 0  # too few votes each
    with pytest.raises(ValueError):
        clustering.analyse(np.zeros((2, 2)), [1])
    assert clustering.group_label(0) == "A" and clustering.group_label(2) == "C"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\n=1"])
def test_neutralise_formula_leads(value):
    assert neutralise(value) == "'" + value


@given(st.text())
def test_neutralise_never_leaves_a_formula_lead(value):
    out = neutralise(value)
    assert not out.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert out.endswith(value)
    assert neutralise(5) == 5
