"""Gather one year's plain data for the indicators from the areas' own api modules and
tables.  Read-only; never returns anything that identifies a participant.

Unique participants are counted as the size of one set of keyed hashes: identified people
(digiraati members, panel members) by their account, and anonymous participants by the
yearly browser key they left in ``UniqueParticipant``.  Nothing here or in that table links a
person to a process or a contribution.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime

from flask import current_app
from sqlalchemy import extract, func, select

from kuulas.extensions import db

from . import indicators as ind
from .models import ExperienceAnswer, ProcessInput, UniqueParticipant


def _date(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.fromisoformat(str(value)).date()


def year_key(year: int, who: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"participation-unique:{int(year)}:{who}".encode(), hashlib.sha256).hexdigest()


def processes() -> list[ind.ProcessRecord]:
    """Every finished process the outcomes area knows, with its outcome's impact record and
    the inputs the coordinator entered."""
    from deliberation.outcomes import sources
    from deliberation.outcomes.figures import feature_tvd
    from deliberation.outcomes.models import Outcome
    from deliberation.outcomes.services import impact_state
    from deliberation.outcomes import history

    outcomes = {(o.source_kind, o.source_id): o for o in db.session.scalars(select(Outcome))}
    inputs = {(i.process_kind, i.process_id): i for i in db.session.scalars(select(ProcessInput))}
    out = []
    for kind in sources.KINDS:
        for row in sources.finished(kind):
            data = sources.load(kind, row["id"], "fi")
            if data is None:
                continue
            figures = data.figures or {}
            tvds = [t for t in (feature_tvd(f.get("categories") or []) for f in data.composition or [])
                    if t is not None]
            rec = ind.ProcessRecord(
                kind=kind, id=int(row["id"]), title=str(row["title"]), opened=_date(data.opens_at),
                closed=_date(data.closed_at),
                participants=figures.get("participants", figures.get("members", figures.get("feedback"))),
                ideas=int(figures.get("ideas") or 0), votes=int(figures.get("votes") or 0),
                comments=int(figures.get("comments") or 0), tvd=max(tvds) if tvds else None)
            o = outcomes.get((kind, rec.id))
            if o is not None and o.state == "published":
                state = impact_state(o)
                rec.published, rec.published_on = True, _date(o.published_at)
                rec.points = len(o.points or [])
                rec.points_assessed = sum(1 for c in state.values() if c.status != history.PENDING)
                rec.adopted = sum(1 for c in state.values() if c.status == history.ADOPTED)
                rec.partly = sum(1 for c in state.values() if c.status == history.PARTLY)
                rec.not_adopted = sum(1 for c in state.values() if c.status == history.NOT_ADOPTED)
                rec.follow_ups = len(o.follow_ups or [])
            i = inputs.get((kind, rec.id))
            if i is not None:
                rec.staff_hours = float(i.staff_hours) if i.staff_hours is not None else None
                rec.costs_eur = float(i.costs_eur) if i.costs_eur is not None else None
                rec.channels = tuple(i.channels or ())
                rec.invited, rec.reached, rec.area = i.invited, i.reached, i.area or ""
            out.append(rec)
    return out


def _feedback(year: int) -> tuple[int, int, int, int]:
    try:
        from deliberation.feedback.models import DevelopmentItem, Feedback
    except ImportError:
        return 0, 0, 0, 0
    received = db.session.scalar(select(func.count()).select_from(Feedback)
                                 .where(extract("year", Feedback.received_at) == year)) or 0
    today = date.today()
    due_rows = db.session.execute(select(Feedback.due_on, Feedback.answered_on, Feedback.closed_on)
                                  .where(extract("year", Feedback.due_on) == year)).all()
    due = [(d, a or c) for d, a, c in due_rows if (a or c) is not None or d < today]
    on_time = sum(1 for d, done in due if done is not None and done <= d)
    changes = db.session.scalar(select(func.count()).select_from(DevelopmentItem).where(
        DevelopmentItem.state == "decided", extract("year", DevelopmentItem.decided_on) == year)) or 0
    return received, len(due), on_time, changes


def _identified(year: int) -> set[str]:
    keys: set[str] = set()
    try:
        from deliberation.raati.models import Member, Raati
        rows = db.session.execute(select(Member.account_id, Raati.created_at, Raati.finished_at)
                                  .join(Raati, Raati.id == Member.raati_id)).all()
        keys |= {year_key(year, f"account:{a}") for a, created, finished in rows
                 if (finished or created) and (finished or created).year == year}
    except ImportError:
        pass
    try:
        from panel.recruitment.models import Volunteer
        rows = db.session.execute(select(Volunteer.account_id, Volunteer.confirmed_at)
                                  .where(Volunteer.account_id.is_not(None), Volunteer.confirmed_at.is_not(None))).all()
        keys |= {year_key(year, f"account:{a}") for a, confirmed in rows if confirmed.year == year}
    except ImportError:
        pass
    return keys


def unique_participants(year: int) -> int:
    anonymous = set(db.session.scalars(select(UniqueParticipant.key_hash).where(UniqueParticipant.year == year)))
    return len(anonymous | _identified(year))


def experience(year: int, kind: str | None = None) -> list[tuple[str, dict]]:
    query = select(ExperienceAnswer).where(ExperienceAnswer.year == year)
    if kind:
        query = query.where(ExperienceAnswer.process_kind == kind)
    return [(a.process_kind, {q: getattr(a, q) for q in ind.EXPERIENCE_QUESTIONS})
            for a in db.session.scalars(query)]


def year_data(year: int, records: list[ind.ProcessRecord] | None = None) -> ind.YearData:
    received, due, on_time, changes = _feedback(year)
    return ind.YearData(year=year, processes=records if records is not None else processes(),
                        experience=experience(year), feedback_received=received, feedback_due=due,
                        feedback_on_time=on_time, service_changes=changes,
                        unique_participants=unique_participants(year))


def years_with_data(today: date) -> list[int]:
    years = {today.year}
    years |= set(db.session.scalars(select(ExperienceAnswer.year).distinct()))
    years |= {p.year for p in processes() if p.year}
    return sorted(years, reverse=True)
