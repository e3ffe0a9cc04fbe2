"""Pure modules: phases and timer, the lifecycle's phase rule, statement versions/diff/hash/tally."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from deliberation.raati import lifecycle, phases, statement

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
    assert lifecycle.phase_allows(phases.HEARING, "question")
    assert not lifecycle.phase_allows(phases.ORIENTATION, "question")
    assert lifecycle.phase_allows(phases.DRAFTING, "draft_edit") and lifecycle.phase_allows(None, "message")
    assert phases.can_move(None, 0, 5) and not phases.can_move(2, 2, 5) and not phases.can_move(0, 5, 5)
    assert [s for s in range(901) if phases.announces(s)][::-1] == [900, 600, 300, 120, 60, 30, 0]


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
