"""The pure parts: masking, the feedback lifecycle and the monthly figures, against cases
worked out by hand."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, strategies as st

from deliberation.feedback import lifecycle as lc
from deliberation.feedback import summary
from kuulas.redact import MASK, mask, valid_identity_code


@pytest.mark.parametrize("text,kind", [
    ("hetu 131052-308T kiitos", "identity_code"),
    ("131052A308T", "identity_code"),
    ("hetuni on 010203-123X", "identity_code"),     # wrong check character: masked all the same
    ("Soita 040 123 4567", "phone"),
    ("numero 040-1234567.", "phone"),
    ("+358 40 123 4567", "phone"),
    ("puh. 09 310 1691", "phone"),
    ("0046 8 123 456 78", "phone"),
    ("matti.meikalainen+palaute@example.fi", "email"),
])
def test_identifying_things_are_masked(text, kind):
    result = mask(text)
    assert kind in result.found
    assert MASK in result.text
    assert not any(ch.isdigit() for ch in result.text)


@pytest.mark.parametrize("text", [
    "Odotin 40 minuuttia klo 14.30-15.10 vuonna 2024.",
    "Kävin 3 kertaa, huone 12, hinta 0,50 €.",
    "Asiakasnumero 12345678 ja päivä 1.2.2025",
    "Kävin 01.02.2025 klo 08.30-16.00, jonotin 0,5 tuntia (0.5 h).",
    "Ajanvaraus 02/2026, huone 0105",
    "",
])
def test_ordinary_numbers_stay(text):
    assert mask(text).text == text
    assert not mask(text).found


def test_identity_code_check_character():
    assert valid_identity_code("131052-308T")
    assert not valid_identity_code("131052-308U")


@given(st.text(max_size=200))
def test_masking_is_idempotent(text):
    once = mask(text).text
    assert mask(once).text == once


def test_lifecycle_transitions_and_reasons():
    assert lc.check(lc.TAKE, lc.NEW) == lc.IN_HAND
    assert lc.check(lc.ANSWER, lc.NEW) == lc.ANSWERED
    assert lc.check(lc.CLOSE, lc.ANSWERED, has_contact=True) == lc.CLOSED
    with pytest.raises(lc.IllegalTransition):
        lc.check(lc.CLOSE, lc.NEW, has_contact=True)           # asked for an answer
    assert lc.why_not(lc.CLOSE, lc.IN_HAND, has_contact=True) == "needs_answer"
    with pytest.raises(lc.IllegalTransition):
        lc.check(lc.ANSWER, lc.CLOSED)
    assert lc.why_not(lc.ANSWER, lc.ANSWERED) == "answered"
    assert lc.check(lc.TAG, lc.CLOSED) == lc.CLOSED


@pytest.mark.parametrize("action", list(lc.FEEDBACK_ACTIONS))
@pytest.mark.parametrize("state", lc.STATES)
@pytest.mark.parametrize("contact", [False, True])
def test_every_action_in_every_state_is_allowed_or_has_a_reason(action, state, contact):
    if lc.allowed(action, state, has_contact=contact):
        assert lc.why_not(action, state, has_contact=contact) is None
        assert lc.check(action, state, has_contact=contact) in lc.STATES
    else:
        assert lc.why_not(action, state, has_contact=contact) in ("needs_answer", "closed", "answered", "state")


def test_due_date_and_urgency():
    due = lc.due_date(datetime(2026, 11, 20, 15), 14)
    assert due == date(2026, 12, 4)
    assert lc.urgency(due, date(2026, 12, 1), lc.NEW) == "ok"
    assert lc.urgency(due, date(2026, 12, 2), lc.NEW) == "near"
    assert lc.urgency(due, date(2026, 12, 5), lc.IN_HAND) == "overdue"
    assert lc.urgency(due, date(2026, 12, 5), lc.ANSWERED) == "done"


def _row(unit, received, rating, due, done, kind=None, tags=(), area="health"):
    return summary.FeedbackRow(unit=unit, area=area, received=received, rating=rating, kind=kind,
                               tags=tuple(tags), due=due, done=done)


def test_monthly_figures_by_hand():
    rows = [
        _row("a", date(2026, 11, 2), 5, date(2026, 11, 16), date(2026, 11, 10), "praise", ["aula"]),
        _row("a", date(2026, 11, 20), 1, date(2026, 12, 4), None, "complaint", ["puhelin", "aula"]),
        _row("a", date(2026, 10, 25), 3, date(2026, 11, 8), date(2026, 11, 9)),      # due in Nov, late
        _row("a", date(2026, 10, 20), None, date(2026, 11, 3), None),                 # due in Nov, still open
        _row("b", date(2026, 11, 5), 4, date(2026, 11, 19), date(2026, 11, 19), area="social"),
    ]
    by_unit = {f.key: f for f in summary.figures(rows, "2026-11", today=date(2026, 12, 2))}
    a = by_unit["a"]
    assert a.volume == 2 and a.rated == 2 and a.mean_rating == 3.0
    assert a.ratings == {1: 1, 2: 0, 3: 0, 4: 0, 5: 1}
    assert a.kinds == {"praise": 1, "complaint": 1}
    assert list(a.themes.items()) == [("aula", 2), ("puhelin", 1)]
    # Due in November: the one done on the 10th (on time), done a day late, and one still open.
    assert (a.due_in_month, a.on_time) == (3, 1)
    assert a.on_time_share == pytest.approx(1 / 3)
    assert by_unit["b"].on_time_share == 1.0
    areas = {f.key: f for f in summary.figures(rows, "2026-11", by="area", today=date(2026, 12, 2))}
    assert areas["health"].volume == 2 and areas["social"].volume == 1


def test_public_monthly_ratings_are_suppressed_below_five():
    rows = [_row("a", date(2026, 11, d), 4, date(2026, 12, 1), None) for d in range(1, 5)]
    rows += [_row("a", date(2026, 10, d), r, date(2026, 11, 1), None) for d, r in zip(range(1, 7), (5, 5, 4, 3, 1, 2))]
    months = {m["month"]: m for m in summary.monthly_ratings(rows, ["2026-11", "2026-10", "2026-09"])}
    assert months["2026-11"] == {"month": "2026-11", "count": None, "suppressed": True, "mean": None,
                                 "distribution": None}
    assert months["2026-10"]["count"] == 6 and months["2026-10"]["mean"] == 3.3
    # Six ratings are enough for the month, but cells of 1 or 2 are not: the kernel's
    # disclosure rule hides them all (no complementary cell of 5 or more is left).
    assert months["2026-10"]["distribution"] == {1: None, 2: None, 3: None, 4: None, 5: None}
    rows += [_row("a", date(2026, 8, d), r, date(2026, 9, 1), None) for d, r in zip(range(1, 13), [4] * 7 + [1, 1, 1, 5, 5])]
    august = summary.monthly_ratings(rows, ["2026-08"])[0]
    assert august["count"] == 12 and august["distribution"] == {1: None, 2: 0, 3: 0, 4: 7, 5: None}
    assert months["2026-09"]["suppressed"] is False and months["2026-09"]["count"] is None
