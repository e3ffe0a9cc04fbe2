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
