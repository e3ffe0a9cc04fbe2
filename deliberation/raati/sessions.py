"""Sessions of a digiraati: the calendar invitations, changes and cancellations staff send,
and the reminder job's mail.  Mail goes through the outbox in the caller's transaction."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from kuulas import access
from kuulas.errors import NotFound, ValidationFailed
from kuulas.extensions import db
from kuulas.mail import services as mail
from kuulas.sanitize import plain_text

from . import ical, rules
from .core import active_members, get_raati
from .models import FINISHED, Raati, RaatiSession


def add_session(raati_id: int, title: str, starts_at: datetime, ends_at: datetime, *, actor, now,
                invite: bool = True) -> RaatiSession:
    """Add a session and queue an invitation with an iCalendar file to every member."""
    access.require(actor, rules.MANAGE, now=now)
    raati = get_raati(raati_id)
    title = plain_text(title, 200)
    if not title:
        raise ValidationFailed(_l("Give the session a title."))
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise ValidationFailed(_l("The session must end after it starts."))
    host = current_app.config["SITE_URL"].split("://")[-1].split("/")[0].split(":")[0] or "kuulas"
    session = RaatiSession(raati_id=raati.id, title=title, starts_at=starts_at, ends_at=ends_at,
                           uid=f"raati-{raati.id}-{uuid.uuid4().hex}@{host}")
    raati.sessions.append(session)
    db.session.flush()
    if invite:
        _mail_session(raati, session, "invitation", now)
        session.invitations_sent_at = now
    return session



def room_url(raati_id: int) -> str:
    # Built by hand: reminders run in the scheduler, outside any request.
    return f"{current_app.config['SITE_URL']}/raati/{raati_id}"


def _mail_session(raati: Raati, session: RaatiSession, template: str, now, *, cancelled: bool = False,
                  previous: tuple[datetime, datetime] | None = None) -> int:
    method = "CANCEL" if cancelled else "REQUEST"
    sent = 0
    for member in active_members(raati.id):
        account = member.account
        if account is None or not account.active:
            continue
        locale = account.locale or "fi"
        data = ical.session_event(
            uid=session.uid, sequence=session.ical_sequence, starts_at=session.starts_at,
            ends_at=session.ends_at, stamp=now, summary=f"{raati.text('title', locale)}: {session.title}",
            description=raati.text("question", locale), url=room_url(raati.id),
            organizer=current_app.config["MAIL_DEFAULT_SENDER"], attendee=account.email, cancelled=cancelled)
        queue_mail(account.email, template, locale=locale, now=now,
                   attachments=[("digiraati.ics", f"text/calendar; method={method}", data)],
                   raati=raati, session=session, lang=locale, link=room_url(raati.id), previous=previous)
        sent += 1
    return sent


def _session(raati_id: int, session_id: int, actor, now) -> tuple[Raati, RaatiSession]:
    access.require(actor, rules.MANAGE, now=now)
    raati = get_raati(raati_id)
    session = db.session.get(RaatiSession, session_id)
    if session is None or session.raati_id != raati.id:
        raise NotFound(_l("No such session."))
    return raati, session


def _bump_sequence(session: RaatiSession) -> None:
    """Raise the iCalendar SEQUENCE in one UPDATE: two staff saving at once still send two
    different numbers, so calendars apply both changes in order."""
    db.session.execute(update(RaatiSession).where(RaatiSession.id == session.id)
                       .values(ical_sequence=RaatiSession.ical_sequence + 1)
                       .execution_options(synchronize_session=False))
    db.session.refresh(session, ["ical_sequence"])


def update_session(raati_id: int, session_id: int, title: str, starts_at: datetime, ends_at: datetime, *,
                   actor, now) -> RaatiSession:
    """Change a session; members whose invitation went out get the change with a calendar
    update (same UID, higher SEQUENCE), and a moved session is reminded of again."""
    raati, session = _session(raati_id, session_id, actor, now)
    title = plain_text(title, 200)
    if not title:
        raise ValidationFailed(_l("Give the session a title."))
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise ValidationFailed(_l("The session must end after it starts."))
    previous = (session.starts_at, session.ends_at)
    if (title, starts_at, ends_at) == (session.title, *previous):
        return session
    session.title, session.starts_at, session.ends_at = title, starts_at, ends_at
    if (starts_at, ends_at) != previous:
        session.reminder_sent_at = None
    if session.invitations_sent_at is not None:
        _bump_sequence(session)
        _mail_session(raati, session, "session_changed", now, previous=previous)
    db.session.flush()
    return session


def cancel_session(raati_id: int, session_id: int, *, actor, now) -> None:
    """Remove a session; members who were invited get a cancellation that takes it out of
    their calendars (METHOD:CANCEL for the same UID)."""
    raati, session = _session(raati_id, session_id, actor, now)
    if session.invitations_sent_at is not None and session.ends_at > now:
        _bump_sequence(session)
        _mail_session(raati, session, "session_cancelled", now, cancelled=True)
    raati.sessions.remove(session)
    db.session.delete(session)
    db.session.flush()


def send_reminders(now: datetime, within: timedelta = timedelta(hours=24)) -> int:
    """Remind members of sessions starting within ``within``.  Each session is claimed with a
    guarded UPDATE first, so a second scheduler (or a rerun) sends nothing twice."""
    due = db.session.scalars(select(RaatiSession.id).where(
        RaatiSession.reminder_sent_at.is_(None), RaatiSession.starts_at > now,
        RaatiSession.starts_at <= now + within)).all()
    count = 0
    for session_id in due:
        claimed = db.session.execute(
            update(RaatiSession).where(RaatiSession.id == session_id,
                                       RaatiSession.reminder_sent_at.is_(None))
            .values(reminder_sent_at=now)).rowcount
        if claimed != 1:
            continue
        session = db.session.get(RaatiSession, session_id)
        raati = db.session.get(Raati, session.raati_id)
        if raati.state == FINISHED:
            continue
        count += _mail_session(raati, session, "reminder", now)
    return count


def queue_mail(recipient: str, template: str, *, locale: str, now, attachments=(), **context):
    """``kuulas.mail.services.queue_template`` from ``templates/raati/mail/`` (the strings live
    in this area's catalogue)."""
    return mail.queue_template(recipient, template, locale=locale or "fi", category="raati",
                               now=now, attachments=attachments, folder="raati/mail", **context)

