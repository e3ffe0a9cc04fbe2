"""The pure opinion map: the same clustering as before (faster), the position of one
participant equal to their row projected with all the data, no small group shown, no
individual point anywhere in what is kept, and the same input giving the same map."""
from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks.opinion_map_bench import make_matrix
from deliberation.ideas import clustering, opinion_map
from kuulas import disclosure


def _two_camps(n_a=12, n_b=9, ideas=8, seed=3):
    rng = np.random.default_rng(seed)
    a = np.tile([1, 1, 1, 1, -1, -1, 0, 1][:ideas], (n_a, 1)).astype(float)
    b = np.tile([-1, -1, -1, 1, 1, 1, 0, -1][:ideas], (n_b, 1)).astype(float)
    m = np.vstack([a, b])
    flip = rng.random(m.shape) < 0.1
    m[flip] = -m[flip]
    m[rng.random(m.shape) < 0.15] = np.nan
    return m, list(range(101, 101 + ideas))


def test_min_group_is_the_disclosure_minimum():
    assert opinion_map.MIN_GROUP == clustering.MIN_GROUP == disclosure.MIN_CELL == 5


@pytest.mark.parametrize("shape", [(60, 12), (300, 40), (2500, 30)])
def test_fast_analysis_equals_the_full_clustering(shape):
    matrix, ids = make_matrix(*shape, seed=shape[0])
    base = clustering.analyse(matrix, ids)
    fast = opinion_map.analyse(matrix, ids)
    assert [(g.index, g.size, g.distinctive) for g in fast.groups] == [(g.index, g.size, g.distinctive)
                                                                          for g in base.groups]
    assert fast.consensus == base.consensus
    assert np.array_equal(fast.labels, base.labels)
    assert np.allclose(fast.projection, base.projection)
    assert fast.silhouette == pytest.approx(base.silhouette)


def test_vectorised_silhouette_equals_the_loop():
    rng = np.random.default_rng(5)
    points = np.vstack([rng.normal(0, 1, (40, 2)), rng.normal(4, 1, (30, 2)), [[9.0, 9.0]]])
    labels = np.array([0] * 40 + [1] * 30 + [2])     # a group of one scores 0, as in the loop
    assert opinion_map.silhouette(points, labels) == pytest.approx(clustering._silhouette(points, labels))
    assert opinion_map.silhouette(points[:2], labels[:2]) == clustering._silhouette(points[:2], labels[:2]) == -1.0


def test_basis_reproduces_the_projection_of_everyone():
    m, ids = _two_camps()
    kept = m[(~np.isnan(m)).sum(1) >= clustering.MIN_VOTES]
    basis = opinion_map.fit_basis(kept, ids)
    assert np.allclose(basis.project(kept), clustering.project(kept))


def test_position_of_one_participant_equals_their_point_with_all_data():
    m, ids = _two_camps()
    omap = opinion_map.build(m, ids)
    kept = m[(~np.isnan(m)).sum(1) >= clustering.MIN_VOTES]
    everyone = clustering.project(kept)
    labels = opinion_map.analyse(m, ids).labels
    for i in (0, 5, len(kept) - 1):
        votes = {ids[j]: int(v) for j, v in enumerate(kept[i]) if not np.isnan(v)}
        pos = opinion_map.position(omap, votes)
        assert (pos.x, pos.y) == pytest.approx(tuple(everyone[i]))
        assert pos.nearest == clustering.group_label(int(labels[i]))
    # Two people of opposite camps are placed apart, each nearest their own group.
    a = opinion_map.position(omap, {ids[j]: v for j, v in enumerate([1, 1, 1, 1, -1, -1, 0, 1])})
    b = opinion_map.position(omap, {ids[j]: v for j, v in enumerate([-1, -1, -1, 1, 1, 1, 0, -1])})
    assert a.nearest != b.nearest and (a.x, a.y) != (b.x, b.y)


def test_too_few_votes_or_unknown_ideas_give_no_position():
    m, ids = _two_camps()
    omap = opinion_map.build(m, ids)
    assert opinion_map.position(omap, {ids[0]: 1, ids[1]: -1}) is None
    assert opinion_map.position(omap, {999: 1, 998: 1, 997: 1}) is None
    assert opinion_map.position(opinion_map.EMPTY, {ids[0]: 1, ids[1]: 1, ids[2]: 1}) is None


def test_small_groups_are_never_regions():
    # 8 + 7 alike and one outlier: the outlier's group of one is joined, never drawn.
    rows = [[1, 1, 1, 1, -1, -1]] * 8 + [[-1, -1, -1, -1, 1, 1]] * 7 + [[1, -1, 1, -1, 1, -1]]
    m, ids = np.array(rows, dtype=float), list(range(1, 7))
    assert min(g.size for g in clustering.analyse(m, ids, min_group=1).groups) < 5   # what merging hides
    omap = opinion_map.build(m, ids)
    assert omap.grouped and sum(r.size for r in omap.regions) == 16
    assert min(r.size for r in omap.regions) >= opinion_map.MIN_GROUP
    assert [r.size for r in omap.regions] == [g.size for g in clustering.analyse(m, ids).groups]
    # Fewer than the minimum placed at all: nothing is drawn.
    few = opinion_map.build(np.array(rows[:4], dtype=float), list(range(1, 7)))
    assert few.regions == [] and few.participants == 4
    # Enough people but no split: one region of everyone, no group letters.
    same = opinion_map.build(np.array([[1, 1, -1, 1, 0, 1]] * 7, dtype=float), list(range(1, 7)))
    assert not same.grouped and [(r.label, r.size) for r in same.regions] == [("", 7)]


def test_nothing_kept_is_a_participants_point():
    m, ids = _two_camps()
    omap = opinion_map.build(m, ids)
    kept = m[(~np.isnan(m)).sum(1) >= clustering.MIN_VOTES]
    points = clustering.project(kept)
    stored = json.dumps(omap.to_json())
    for x, y in points:
        assert repr(float(x))[:10] not in stored and repr(float(y))[:10] not in stored
    # The frame comes from the group ellipses, not from the outermost participant.
    x0, y0, x1, y1 = omap.extent
    assert not any(np.isclose(points[:, 0], x0)) and not any(np.isclose(points[:, 0], x1))


def test_the_same_votes_give_the_same_map_and_it_survives_storage():
    m, ids = _two_camps()
    one, two = opinion_map.build(m, ids), opinion_map.build(m.copy(), ids)
    assert json.dumps(one.to_json()) == json.dumps(two.to_json())
    back = opinion_map.OpinionMap.from_json(json.loads(json.dumps(one.to_json())))
    votes = {ids[j]: v for j, v in enumerate([1, 1, 1, 1, -1, -1, 0, 1])}
    assert opinion_map.position(back, votes) == opinion_map.position(one, votes)
    assert back.regions == one.regions and back.consensus == one.consensus and back.divisive == one.divisive


def test_consensus_and_divisive_ideas():
    m, ids = _two_camps(n_a=15, n_b=15)
    m[:, 3] = 1.0      # everybody agrees on the fourth idea
    omap = opinion_map.build(m, ids)
    assert omap.grouped
    assert ids[3] in omap.consensus and ids[3] not in omap.divisive
    assert ids[0] in omap.divisive and ids[0] not in omap.consensus


def test_layout_keeps_you_inside_the_frame():
    m, ids = _two_camps()
    omap = opinion_map.build(m, ids)
    far = opinion_map.Position(1e6, -1e6, "A", 5)
    geo = opinion_map.layout(omap, far, width=320, height=240)
    assert geo["you_clamped"] and 0 < geo["you"]["x"] <= 320 and 0 < geo["you"]["y"] <= 240
    assert geo["regions"] and all(0 < r["x"] < 320 and 0 < r["y"] < 240 for r in geo["regions"])


def test_an_idea_nobody_has_seen_yet_is_neither_consensus_nor_divisive():
    m, ids = _two_camps(n_a=15, n_b=15)
    m = np.hstack([m, np.full((len(m), 1), np.nan)])     # a brand-new idea
    omap = opinion_map.build(m, ids + [999])             # (warnings are errors in the tests)
    assert omap.grouped and 999 not in omap.divisive and 999 not in omap.consensus
