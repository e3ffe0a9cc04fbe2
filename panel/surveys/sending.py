"""Opening, closing and mailing: used by the staff services and the scheduled jobs alike.
Every state change is a guarded UPDATE, so a repeated job run changes nothing.  Mail joins
the caller's transaction (``panel.mailing.queue``)."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from kuulas.errors import Conflict, NotFound
from kuulas.extensions import db

from .. import mailing
from . import lifecycle, tokens
from .models import Recipient, Survey

CATEGORY = "panel-survey"


def link_path(survey_id: int, volunteer_id: int) -> str:
    """The member's personal answer path, derived again each time (never stored).  Built
    by hand (as ``views.answer`` routes it) because jobs have no request to build URLs in."""
    key = tokens.survey_key(current_app.secret_key, survey_id)
    return f"/paneelit/kysely/{int(survey_id)}/{tokens.member_token(key, volunteer_id)}"


def link_for(survey_id: int, volunteer_id: int) -> str:
    return current_app.config.get("SITE_URL", "").rstrip("/") + link_path(survey_id, volunteer_id)


def _mail(survey: Survey, volunteer, template: str, now: datetime) -> None:
    mailing.queue(volunteer.email, template, locale=volunteer.locale, category=CATEGORY, now=now,
                  title=survey.title(volunteer.locale), link=link_for(survey.id, volunteer.id),
                  closes_at=survey.closes_at, intro=survey.intro(volunteer.locale))


def open_survey(survey: Survey, *, now: datetime) -> int:
    """Scheduled/draft -> open: freeze the recipients (current members of the group) and
    queue their links.  Returns how many were sent (0 if another run got there first)."""
    from .services import audience_members

    members = audience_members(survey, now)
    if not members:
        raise Conflict(_l("Nobody is in the chosen group, so the survey would reach no one. Choose another group."))
    claimed = db.session.execute(
        update(Survey).where(Survey.id == survey.id,
                             Survey.state.in_((lifecycle.SCHEDULED, lifecycle.DRAFT)))
        .values(state=lifecycle.OPEN, sent_at=now, recipient_count=len(members))
        .execution_options(synchronize_session="fetch")).rowcount
    if claimed != 1:
        return 0
    for volunteer in members:
        db.session.add(Recipient(survey_id=survey.id, volunteer_id=volunteer.id, sent_at=now))
        _mail(survey, volunteer, "survey_invitation", now)
    db.session.flush()
    return len(members)


def close_survey(survey: Survey, *, now: datetime) -> bool:
    """Open -> closed, then compute the figures once (the answers can no longer change)."""
    from .report import store_figures

    claimed = db.session.execute(
        update(Survey).where(Survey.id == survey.id, Survey.state == lifecycle.OPEN)
        .values(state=lifecycle.CLOSED, closed_at=now)
        .execution_options(synchronize_session="fetch")).rowcount
    if claimed == 1:
        store_figures(survey)
    return claimed == 1


def open_due(now: datetime) -> int:
    opened = 0
    for survey in db.session.scalars(select(Survey).where(
            Survey.state == lifecycle.SCHEDULED, Survey.opens_at <= now)).all():
        try:
            opened += 1 if open_survey(survey, now=now) else 0
        except Conflict:
            # The group emptied after scheduling: back to draft, staff see why on the page.
            db.session.execute(update(Survey).where(Survey.id == survey.id,
                                                    Survey.state == lifecycle.SCHEDULED)
                               .values(state=lifecycle.DRAFT))
    return opened


def close_due(now: datetime) -> int:
    return sum(1 for survey in db.session.scalars(select(Survey).where(
        Survey.state == lifecycle.OPEN, Survey.closes_at <= now)).all()
        if close_survey(survey, now=now))


def remind_due(now: datetime) -> int:
    """One reminder per recipient who has not answered, ``reminder_days`` after sending.
    Each is claimed with a guarded UPDATE before its mail is queued."""
    from ..recruitment.models import Volunteer

    sent = 0
    surveys = db.session.scalars(select(Survey).where(
        Survey.state == lifecycle.OPEN, Survey.reminder_days > 0, Survey.closes_at > now)).all()
    for survey in surveys:
        if survey.sent_at is None or survey.sent_at + timedelta(days=survey.reminder_days) > now:
            continue
        rows = db.session.execute(select(Recipient.id, Volunteer).join(
            Volunteer, Volunteer.id == Recipient.volunteer_id).where(
            Recipient.survey_id == survey.id, Recipient.answered.is_(False),
            Recipient.reminded_at.is_(None))).all()
        for recipient_id, volunteer in rows:
            claimed = db.session.execute(
                update(Recipient).where(Recipient.id == recipient_id, Recipient.reminded_at.is_(None),
                                        Recipient.answered.is_(False))
                .values(reminded_at=now).execution_options(synchronize_session=False)).rowcount
            if claimed == 1:
                _mail(survey, volunteer, "survey_reminder", now)
                sent += 1
    return sent


def resend_link(survey_id: int, volunteer, *, now: datetime) -> None:
    """"Send my link again": the member's own page; the link is derived again, not stored."""
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        raise NotFound(_l("No such survey."))
    why = lifecycle.why_not(survey.state, lifecycle.RESEND)
    if why:
        from .messages import REASONS

        raise Conflict(REASONS[why])
    recipient = db.session.scalar(select(Recipient).where(
        Recipient.survey_id == survey.id, Recipient.volunteer_id == volunteer.id))
    if recipient is None:
        raise NotFound(_l("This survey was not sent to you."))
    _mail(survey, volunteer, "survey_invitation", now)
