"""The one suppression rule for every public count (kuulas.disclosure)."""
from hypothesis import given, strategies as st

from kuulas import disclosure


def cats(*counts):
    return [{"value": str(i), "label": f"c{i}", "count": n, "population_share": 1 / len(counts)}
            for i, n in enumerate(counts)]


def test_a_single_member_profile_is_not_shown():
    # One accepted member: every other cell is 0, so hiding the 1 alone would show it.
    rows = disclosure.suppress(cats(0, 1, 0))
    assert len(rows) == 3 and all(r.suppressed and r.count is None and r.share is None for r in rows)


def test_two_small_hidden_cells_are_not_enough():
    # 1 and 2 hidden, 30 shown: a reader knows both hidden cells are non-zero and sum to 3.
    assert all(r.suppressed for r in disclosure.suppress(cats(1, 2, 30)))
    assert [r.suppressed for r in disclosure.suppress(cats(3, 12, 25))] == [True, True, False]


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=2, max_size=8))
def test_hidden_cells_cannot_be_recovered(counts):
    rows = disclosure.suppress(cats(*counts))
    assert all(r.count is None or r.count == 0 or r.count >= disclosure.MIN_CELL for r in rows)
    hidden = [n for n, r in zip(counts, rows) if r.suppressed]
    if hidden and len(hidden) < len(counts):
        # What the shown cells let a reader derive: the hidden total, which must not
        # pin down any single small cell.
        assert len(hidden) >= 2 and sum(hidden) >= disclosure.MIN_CELL


def test_public_counts():
    assert disclosure.public_counts([10, 2, 4, 30]) == [10, None, None, 30]
    assert disclosure.public_counts([0, 0, 7]) == [0, 0, 7]


# --- public_group: the one public-safe composition of a group ---------------------------

def _feature(key, *counts, sensitive=None):
    feature = {"feature": key, "label": key.title(), "categories": cats(*counts)}
    if sensitive is not None:
        feature["sensitive"] = sensitive
    return feature


def test_public_group_leaves_out_sensitive_features_unless_allowed():
    features = [_feature("age", 12, 25, 30), _feature("service", 20, 40, sensitive=True)]
    assert [f["feature"] for f in disclosure.public_group(features)] == ["age"]
    allowed = disclosure.public_group(features, allow_sensitive=True)
    assert [f["feature"] for f in allowed] == ["age", "service"]
    assert [r.count for r in allowed[1]["rows"]] == [20, 40]


def test_public_group_suppresses_every_feature_with_complements():
    [age] = disclosure.public_group([_feature("age", 12, 25, 3)])
    assert [(r.count, r.suppressed) for r in age["rows"]] == [(None, True), (25, False), (None, True)]
    assert age["rows"][1].share == 25 / 40


def test_a_source_suppressed_feature_keeps_its_hidden_cells_and_gets_a_partner():
    source = [{"value": "a", "label": "A", "count": None, "suppressed": True, "share": None, "population_share": 0.2},
              {"value": "b", "label": "B", "count": 30, "suppressed": False, "share": 0.6, "population_share": 0.5},
              {"value": "c", "label": "C", "count": 20, "suppressed": False, "share": 0.4, "population_share": 0.3}]
    [shown] = disclosure.public_group([{"feature": "x", "label": "X", "categories": source}])
    # One hidden cell alone would be recoverable from the total: the smallest other is hidden too.
    assert [(r.count, r.share, r.suppressed) for r in shown["rows"]] == [
        (None, None, True), (30, 0.6, False), (None, None, True)]
    source[0].update(count=3, suppressed=False, share=0.06)
    [shown] = disclosure.public_group([{"feature": "x", "label": "X", "categories": source}])
    assert [r.suppressed for r in shown["rows"]] == [True, False, True]   # 3 < 5 even unflagged


def test_public_composition_is_public_group():
    features = [_feature("age", 12, 25, 3)]
    assert disclosure.public_composition(features) == disclosure.public_group(features)
