"""Scheduled work of service feedback: handlers are reminded before and after a due date;
unit managers get last month's summary; spent kiosk nonces are purged.  Every job is
idempotent: reminders and summaries are guarded by what they set."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from kuulas.extensions import db
from kuulas.mail.services import queue_template
from kuulas.scheduler import job

from . import lifecycle as lc
from . import mailtext, reading, summary
from .models import Feedback, SummarySent, Unit
from .services import purge_nonces

NEAR_DAYS = 2


@job("feedback.reminders", seconds=3600)
def remind(now: datetime) -> str:
    """One mail per handler per unit and stage (near the due date, overdue), naming how
    many feedbacks wait; each feedback is reminded of once per stage."""
    today = now.date()
    sent = 0
    for stage, column, condition in (
            ("near", Feedback.reminded_near_on, Feedback.due_on.between(today, today + timedelta(days=NEAR_DAYS))),
            ("overdue", Feedback.reminded_overdue_on, Feedback.due_on < today)):
        due = list(db.session.scalars(select(Feedback).where(
            Feedback.state.in_(lc.OPEN_STATES), column.is_(None), condition)))
        by_unit: dict[int, list[Feedback]] = {}
        for feedback in due:
            # Guarded: only the runner that sets the mark counts the feedback.
            result = db.session.execute(update(Feedback).where(Feedback.id == feedback.id, column.is_(None))
                                        .values({column.key: today}))
            if result.rowcount == 1:
                by_unit.setdefault(feedback.unit_id, []).append(feedback)
        for unit_id, waiting in by_unit.items():
            unit = db.session.get(Unit, unit_id)
            for handler in unit.handlers:
                account = handler.account
                if account is None or not account.active:
                    continue
                queue_template(account.email, "feedback/reminder", locale=account.locale or "fi",
                               category="feedback", now=now, unit=unit, count=len(waiting), stage=stage,
                               t=mailtext.REMINDER)
                sent += 1
    return f"reminders {sent}"


@job("feedback.monthly_summary", seconds=6 * 3600)
def monthly_summary(now: datetime) -> str:
    """On the first days of a month, last month's figures to each unit's manager."""
    first = now.date().replace(day=1)
    last_month = summary.month_of(first - timedelta(days=1))
    sent = 0
    for unit in db.session.scalars(select(Unit).where(Unit.manager_email != "")):
        if db.session.scalar(select(SummarySent.id).where(SummarySent.unit_id == unit.id,
                                                          SummarySent.month == last_month)):
            continue
        figures = summary.figures(reading._rows([unit.id]), last_month, by="unit", today=now.date())
        fig = figures[0] if figures else summary.MonthFigures(key=str(unit.id), month=last_month)
        db.session.add(SummarySent(unit_id=unit.id, month=last_month, sent_at=now))
        db.session.flush()
        queue_template(unit.manager_email, "feedback/monthly", locale=unit.manager_locale or "fi",
                       category="feedback", now=now, unit=unit, f=fig, month=last_month,
                       t=mailtext.MONTHLY)
        sent += 1
    return f"summaries {sent}"


@job("feedback.purge_nonces", seconds=3600)
def purge(now: datetime) -> str:
    return f"nonces purged {purge_nonces(now)}"
