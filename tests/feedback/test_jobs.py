"""Scheduled work with a fixed clock: reminders before and after the due date, once per
stage; the monthly summary to the unit manager, once per month."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from kuulas import scheduler
from kuulas.extensions import db
from kuulas.mail.models import OutboxMail

NOW = datetime(2026, 11, 3, 10, 0)


def _mails(to):
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.recipient == to)))


def test_reminders_near_and_after_the_due_date_once_each(app, unit, give, handler):
    give(now=NOW)                                               # due 17 Nov
    scheduler.run_job(app, "feedback.reminders", NOW + timedelta(days=5))
    assert _mails(handler.email) == []
    scheduler.run_job(app, "feedback.reminders", NOW + timedelta(days=13))
    scheduler.run_job(app, "feedback.reminders", NOW + timedelta(days=13, hours=2))
    near = _mails(handler.email)
    assert len(near) == 1 and "lähestyy" in near[0].subject
    scheduler.run_job(app, "feedback.reminders", NOW + timedelta(days=15))
    scheduler.run_job(app, "feedback.reminders", NOW + timedelta(days=16))
    subjects = [m.subject for m in _mails(handler.email)]
    assert len(subjects) == 2 and "ylittynyt" in subjects[1]


def test_answered_feedback_is_not_reminded(app, unit, give, handler):
    from deliberation.feedback import services

    feedback = give(now=NOW)
    services.answer(feedback.id, "Kiitos", public=False, actor=handler, now=NOW)
    db.session.commit()
    scheduler.run_job(app, "feedback.reminders", NOW + timedelta(days=20))
    assert _mails(handler.email) == []


def test_monthly_summary_goes_to_the_manager_once(app, make_unit, give):
    unit = make_unit("Kotihoito", manager_email="esihenkilo@example.fi")
    for rating in (5, 3):
        give(target=unit, rating=rating, now=NOW)
    scheduler.run_job(app, "feedback.monthly_summary", datetime(2026, 12, 1, 6, 0))
    scheduler.run_job(app, "feedback.monthly_summary", datetime(2026, 12, 1, 12, 0))
    mails = _mails("esihenkilo@example.fi")
    assert len(mails) == 1
    assert "2026-11" in mails[0].subject
    assert "Saapunut palaute: 2" in mails[0].body_text and "(1–5): 4,0" in mails[0].body_text
