"""Pure modules: phases and timer, statement versions/diff/hash/tally, ordered replay, hand queue."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deliberation.raati import phases, sequence, statement

T0 = datetime(2026, 3, 1, 12, 0, 0)


def test_timer_start_pause_resume_extend():
    t = phases.Timer().start(T0, 300)
    assert t.running and t.seconds_left(T0 + timedelta(seconds=100)) == 200
    p = t.pause(T0 + timedelta(seconds=100))
    assert not p.running and p.seconds_left(T0 + timedelta(hours=1)) == 200
    e = p.extend(T0, 60)
    assert e.remaining == 260
    r = e.start(T0 + timedelta(seconds=500))
    assert r.ends_at == T0 + timedelta(seconds=760)
    assert r.extend(T0 + timedelta(seconds=500), 60).ends_at == T0 + timedelta(seconds=820)
    assert r.seconds_left(T0 + timedelta(days=1)) == 0


@pytest.mark.parametrize("op", [lambda t: t.pause(T0), lambda t: t.start(T0),
                                lambda t: t.extend(T0, 0), lambda t: t.start(T0, 10**6)])
def test_timer_rejects_impossible(op):
    with pytest.raises(phases.TimerError):
        op(phases.Timer())


def test_phase_rules_and_announcements():
    assert phases.allows(phases.HEARING, "question") and not phases.allows(phases.ORIENTATION, "question")
    assert phases.allows(phases.DRAFTING, "statement") and phases.allows(None, "chat")
    assert phases.can_move(None, 0, 5) and not phases.can_move(2, 2, 5) and not phases.can_move(0, 5, 5)
    assert phases.announcement_points(900) == [900, 600, 300, 120, 60, 30, 0]


def test_statement_diff_hash_and_tally():
    d = statement.diff("a\nb\nc", "a\nB\nc\nd")
    assert d == [(" ", "a"), ("-", "b"), ("+", "B"), (" ", "c"), ("+", "d")]
    assert statement.diff("", "x") == [("+", "x")]
    h1 = statement.sha256([("Otsikko", "Teksti\r\n")])
    assert h1 == statement.sha256([("Otsikko", "Teksti")]) and len(h1) == 64
    assert h1 != statement.sha256([("Otsikko", "Teksti.")])
    t = statement.tally({1: "approve", 2: "needs_change", 3: "approve"}, 2, {1: 2, 2: 1, 3: 2})
    assert (t.approve, t.needs_change, t.settled) == (2, 0, True)
    assert statement.check_edit(True, "", "x" * 30000) == ["locked", "title_missing", "text_too_long"]


@given(st.permutations(list(range(1, 30))), st.lists(st.integers(1, 29), max_size=20))
def test_follower_applies_in_order_without_duplicates(order, dupes):
    f = sequence.Follower()
    applied = []
    for seq in list(order) + dupes:
        applied += [e["seq"] for e in f.offer({"seq": seq})]
    assert applied == list(range(1, 30)) and not f.has_gap


def test_follower_gap_and_missing():
    f = sequence.Follower()
    assert f.offer({"seq": 2}) == [] and f.has_gap
    assert sequence.missing(0, [2, 4]) == [1, 3]


def test_hand_queue_first_raised_first_called():
    assert sequence.hand_queue([(5, 2), (3, 1), (9, 2), (7, 3)]) == [1, 2, 3]
