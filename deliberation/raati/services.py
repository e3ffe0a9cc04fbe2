"""Digiraati services: staff set-up and every action in the room.

Plain functions: they never touch ``request``, ``current_user`` or ``emit``.  Each takes the
acting account and ``now``, checks access first, and leaves its changes in the session for
the caller to commit.  Room actions return the ``Event`` rows they wrote (each with its
per-room sequence number); callers broadcast them only after the commit.
"""
from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from kuulas import access
from kuulas.accounts import services as accounts
from kuulas.errors import AccessDenied, Conflict, KuulasError, NotFound, ValidationFailed
from kuulas.extensions import db
from kuulas.mail import services as mail
from kuulas.sanitize import plain_text

from . import ical, phases, rules, statement
from .models import (CHAIR, DRAFT, EXPERT, FINISHED, LIVE, MEMBER, MODERATOR, ROLES, SECRETARY,
                     Event, ExpertInvite, Hand, Member, Message, Phase, Poll, PollVote, Question,
                     QuestionVote, Raati, RaatiSession)

MAX_MESSAGE = 2000
MAX_QUESTION = 500
MAX_REASON = 300
DEFAULT_AGENDA = ((phases.ORIENTATION, 30), (phases.HEARING, 45), (phases.DISCUSSION, 60),
                  (phases.DRAFTING, 60), (phases.CLOSING, 15))


def get_raati(raati_id: int) -> Raati:
    raati = db.session.get(Raati, raati_id) if isinstance(raati_id, int) else None
    if raati is None:
        raise NotFound(_l("No such digiraati."))
    return raati


def membership(raati_id: int, account) -> Member | None:
    if account is None or not getattr(account, "is_authenticated", False):
        return None
    # The room's socket gate read the member with the account for this event (gate.RoomActor).
    known = getattr(account, "room_member", None)
    if known is not None and known.raati_id == raati_id and known.account_id == account.id:
        return known
    return db.session.scalar(select(Member).where(Member.raati_id == raati_id,
                                                  Member.account_id == account.id))


def _member(raati_id: int, actor, action: str, now) -> Member:
    member = membership(raati_id, actor)
    access.require(actor, action, member, now=now)
    return member


# --- the event log ----------------------------------------------------------------------

def append(raati_id: int, kind: str, member_id: int | None, payload: dict, now: datetime) -> Event:
    """Give the event the room's next sequence number and save it.  One UPDATE ... RETURNING
    bumps the counter; on PostgreSQL it row-locks the raati until commit, on SQLite the write
    lock does the same, so two writers never get one number (the UNIQUE (raati, seq) backs it)."""
    seq = db.session.execute(
        update(Raati).where(Raati.id == raati_id).values(last_seq=Raati.last_seq + 1)
        .returning(Raati.last_seq).execution_options(synchronize_session=False)).scalar_one()
    event = Event(raati_id=raati_id, seq=seq, kind=kind, member_id=member_id, payload=payload,
                  created_at=now)
    db.session.add(event)
    db.session.flush()
    return event


def events_after(raati_id: int, after: int, *, actor, now, limit: int = 500) -> list[Event]:
    _member(raati_id, actor, rules.ENTER, now)
    return list(db.session.scalars(select(Event).where(Event.raati_id == raati_id, Event.seq > after)
                                   .order_by(Event.seq).limit(limit)))


# --- staff set-up -----------------------------------------------------------------------

TEXT_FIELDS = ("title_fi", "title_sv", "title_en", "question_fi", "question_sv", "question_en",
               "background_fi", "background_sv", "background_en")


def save_raati(raati_id: int | None, data: dict, *, actor, now) -> Raati:
    access.require(actor, rules.MANAGE, now=now)
    values = {f: plain_text(data.get(f), 200 if f.startswith("title") else 20_000) for f in TEXT_FIELDS}
    if "plain_summary" in data:
        values["plain_summary"] = plain_text(data.get("plain_summary"), 10_000)
    if not values["title_fi"] or not values["question_fi"]:
        raise ValidationFailed(_l("A Finnish title and question are required."))
    if raati_id is None:
        raati = Raati(created_at=now, **values)
        for i, (kind, minutes) in enumerate(DEFAULT_AGENDA):
            raati.phases.append(Phase(position=i, kind=kind, planned_minutes=minutes))
        db.session.add(raati)
    else:
        raati = get_raati(raati_id)
        for k, v in values.items():
            setattr(raati, k, v)
    raati.panel_id = data.get("panel_id") or None
    rule = data.get("approval_rule") or statement.MAJORITY
    if rule not in statement.RULES:
        raise ValidationFailed(_l("Unknown approval rule."))
    raati.approval_rule, raati.allow_override = rule, bool(data.get("allow_override"))
    db.session.flush()
    return raati


def set_state(raati_id: int, state: str, *, actor, now) -> Raati:
    access.require(actor, rules.MANAGE, now=now)
    raati = get_raati(raati_id)
    if state not in (DRAFT, LIVE, FINISHED):
        raise ValidationFailed(_l("Unknown state."))
    if state == FINISHED and raati.state != FINISHED:
        from deliberation.follow import changes   # followers hear of it in their weekly digest

        changes.record("raati", raati.id, "finished", now=now)
    raati.state = state
    raati.finished_at = now if state == FINISHED else None
    return raati


def add_member(raati_id: int, email: str, role: str = MEMBER, *, actor, now,
               locale: str | None = None) -> Member:
    access.require(actor, rules.MANAGE, now=now)
    raati = get_raati(raati_id)
    if role not in ROLES:
        raise ValidationFailed(_l("Unknown role."))
    email = accounts.normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise ValidationFailed(_l("Enter a valid e-mail address."))
    account = accounts.resident_account(email, now=now, locale=locale)
    return _ensure_member(raati, account.id, role, now)


def _ensure_member(raati: Raati, account_id: int, role: str, now) -> Member:
    member = db.session.scalar(select(Member).where(Member.raati_id == raati.id,
                                                    Member.account_id == account_id))
    if member is None:
        member = Member(raati_id=raati.id, account_id=account_id, role=role, added_at=now)
        db.session.add(member)
    else:
        member.role = role
        member.removed_at = None
    db.session.flush()
    return member


def panel_api():
    try:
        from panel import api  # written by the panel area; optional until it exists
    except ImportError:
        return None
    return api if hasattr(api, "accepted_members") else None


def add_panel_members(raati_id: int, panel_id: int, *, actor, now) -> int:
    access.require(actor, rules.MANAGE, now=now)
    raati = get_raati(raati_id)
    api = panel_api()
    if api is None:
        raise Conflict(_l("Panels are not available yet; add members by e-mail."))
    added = 0
    for row in api.accepted_members(panel_id):
        account_id = int(row["account_id"])
        exists = db.session.scalar(select(Member.id).where(Member.raati_id == raati.id,
                                                           Member.account_id == account_id))
        if exists is None:
            _ensure_member(raati, account_id, MEMBER, now)
            added += 1
    raati.panel_id = panel_id
    return added


def member_of(raati_id: int, member_id) -> Member:
    """The member ``member_id`` *of this raati*: an id from another raati is not found, so a
    URL that names raati A and a member of raati B acts on nothing."""
    member = db.session.scalar(select(Member).where(Member.id == member_id, Member.raati_id == raati_id)) \
        if isinstance(member_id, int) and isinstance(raati_id, int) else None
    if member is None:
        raise NotFound(_l("No such member."))
    return member


def set_role(raati_id: int, member_id: int, role: str, *, actor, now) -> Member:
    access.require(actor, rules.MANAGE, now=now)
    member = member_of(raati_id, member_id)
    if role not in ROLES:
        raise ValidationFailed(_l("Unknown role."))
    member.role = role
    return member


def staff_remove(raati_id: int, member_id: int, *, actor, now) -> tuple[Member, list[Event]]:
    access.require(actor, rules.MANAGE, now=now)
    member = member_of(raati_id, member_id)
    return member, _remove(member, None, "", now)


UNDO_REMOVAL = timedelta(minutes=15)


def staff_restore(raati_id: int, member_id: int, *, actor, now) -> tuple[Member, list[Event]]:
    """Undo a removal within ``UNDO_REMOVAL``; later, staff add the member again by e-mail
    (a deliberate act, not an undo)."""
    access.require(actor, rules.MANAGE, now=now)
    member = member_of(raati_id, member_id)
    if member.removed_at is None:
        raise Conflict(_l("This member has not been removed."))
    if member.removed_at < now - UNDO_REMOVAL:
        raise Conflict(_l("The removal can no longer be undone here. Add the member again by e-mail."))
    member.removed_at = None
    return member, [append(raati_id, "restored", None, {"target": member.id,
                                                         "target_name": member.display_name}, now)]


def _remove(member: Member, by: Member | None, reason: str, now) -> list[Event]:
    if member.removed_at is not None:
        return []
    member.removed_at = now
    return [append(member.raati_id, "removed", by.id if by else None,
                   {"target": member.id, "reason": reason}, now)]


def save_phase(raati_id: int, phase_id: int | None, kind: str, planned_start, minutes: int, *,
               actor, now) -> Phase:
    access.require(actor, rules.MANAGE, now=now)
    raati = get_raati(raati_id)
    if kind not in phases.KINDS:
        raise ValidationFailed(_l("Unknown phase."))
    if not 1 <= (minutes or 0) <= 600:
        raise ValidationFailed(_l("Planned length must be 1-600 minutes."))
    if phase_id is None:
        phase = Phase(raati_id=raati.id, position=len(raati.phases), kind=kind)
        raati.phases.append(phase)
    else:
        phase = db.session.get(Phase, phase_id)
        if phase is None or phase.raati_id != raati.id:
            raise NotFound(_l("No such phase."))
    phase.kind, phase.planned_start, phase.planned_minutes = kind, planned_start, minutes
    db.session.flush()
    return phase


def agenda_event(raati: Raati, actor, now) -> Event:
    """The whole agenda as one event, so open rooms redraw it after staff change it."""
    member = membership(raati.id, actor)
    return append(raati.id, "agenda", member.id if member else None,
                  {"phases": [{"id": p.id, "kind": p.kind, "minutes": p.planned_minutes}
                              for p in raati.phases]}, now)


def edit_phase(raati_id: int, phase_id: int | None, kind: str, planned_start, minutes: int, *,
               actor, now) -> list[Event]:
    """Add (``phase_id`` None) or change a phase of the agenda and tell open rooms."""
    phase = save_phase(raati_id, phase_id, kind, planned_start, minutes, actor=actor, now=now)
    return [agenda_event(get_raati(phase.raati_id), actor, now)]


def move_phase(raati_id: int, phase_id: int, step: int, *, actor, now) -> list[Event]:
    """Move a phase one place earlier (``step`` -1) or later (+1) in the agenda."""
    access.require(actor, rules.MANAGE, now=now)
    raati = get_raati(raati_id)
    order = list(raati.phases)
    index = next((i for i, p in enumerate(order) if p.id == phase_id), None)
    if index is None:
        raise NotFound(_l("No such phase."))
    if step not in (-1, 1) or not 0 <= index + step < len(order):
        raise Conflict(_l("The phase cannot move further."))
    order[index], order[index + step] = order[index + step], order[index]
    for position, phase in enumerate(order):
        phase.position = position
    db.session.flush()
    db.session.expire(raati, ["phases"])
    return [agenda_event(raati, actor, now)]


def delete_phase(raati_id: int, phase_id: int, *, actor, now) -> list[Event]:
    """Remove a phase that has not been held; one that has started belongs to the record."""
    access.require(actor, rules.MANAGE, now=now)
    raati = get_raati(raati_id)
    phase = db.session.get(Phase, phase_id)
    if phase is None or phase.raati_id != raati.id:
        raise NotFound(_l("No such phase."))
    if phase.started_at is not None or raati.current_phase_id == phase.id:
        raise Conflict(_l("A phase that has already started stays in the agenda."))
    raati.phases.remove(phase)
    for position, other in enumerate(raati.phases):
        other.position = position
    db.session.flush()
    return [agenda_event(raati, actor, now)]


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


def active_members(raati_id: int) -> list[Member]:
    return list(db.session.scalars(select(Member).where(Member.raati_id == raati_id,
                                                        Member.removed_at.is_(None))
                                   .order_by(Member.id)))


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


def invite_expert(raati_id: int, email: str, *, actor, now, locale: str = "fi") -> str:
    """Add an expert and mail a one-time link; returns the token (for the view to show)."""
    member = add_member(raati_id, email, EXPERT, actor=actor, now=now, locale=locale)
    raati = get_raati(raati_id)
    token = secrets.token_urlsafe(32)
    db.session.add(ExpertInvite(member_id=member.id, token_hash=_hash(token),
                                expires_at=now + timedelta(days=21)))
    member.invited_at = now
    link = f"{current_app.config['SITE_URL']}/raati/asiantuntija/{token}"
    queue_mail(member.account.email, "expert_invite", locale=member.account.locale or locale,
               now=now, raati=raati, link=link, lang=member.account.locale or locale)
    return token


def queue_mail(recipient: str, template: str, *, locale: str, now, attachments=(), **context):
    """Like ``kuulas.mail.services.queue_template`` but renders ``templates/raati/mail/`` so the
    strings live in this area's catalogue (the kernel's catalogue owns ``templates/mail/``)."""
    from flask import render_template
    from flask_babel import force_locale

    with force_locale(locale or "fi"):
        text = render_template(f"raati/mail/{template}.txt", **context)
    subject, _sep, body = text.partition("\n")
    return mail.queue(recipient, subject.strip(), body.lstrip("\n"), category="raati",
                      attachments=attachments, now=now)


def _hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def peek_expert_invite(token: str, *, now) -> ExpertInvite:
    invite = db.session.scalar(select(ExpertInvite).where(ExpertInvite.token_hash == _hash(token)))
    if invite is None:
        raise NotFound(_l("This invitation link is not valid."))
    if invite.used_at is not None:
        raise Conflict(_l("This invitation link has already been used. Sign in with your e-mail address instead."))
    if invite.expires_at <= now:
        raise Conflict(_l("This invitation link has expired. Ask the organiser for a new one."))
    member = db.session.get(Member, invite.member_id)
    if member is None or member.removed_at is not None or not member.account.active:
        raise NotFound(_l("This invitation link is not valid."))
    return invite


def consume_expert_invite(token: str, *, now) -> Member:
    invite = peek_expert_invite(token, now=now)
    used = db.session.execute(update(ExpertInvite).where(ExpertInvite.id == invite.id,
                                                         ExpertInvite.used_at.is_(None))
                              .values(used_at=now)).rowcount
    if used != 1:
        raise Conflict(_l("This invitation link has already been used. Sign in with your e-mail address instead."))
    return db.session.get(Member, invite.member_id)


def set_display_name(raati_id: int, name: str, *, actor, now) -> tuple[Member, list[Event]]:
    member = _member(raati_id, actor, rules.ENTER, now)
    name = plain_text(name, 200).replace("\n", " ")
    if not 2 <= len(name) <= 40:
        raise ValidationFailed(_l("The display name must be 2-40 characters long."))
    taken = db.session.scalar(select(func.count()).select_from(Member).where(
        Member.raati_id == raati_id, Member.id != member.id,
        func.lower(Member.display_name) == name.lower()))
    if taken:
        raise Conflict(_l("Someone in this digiraati already uses that name. Choose another."))
    member.display_name = name
    return member, [append(raati_id, "name", member.id, {"name": name, "role": member.role}, now)]


# --- the room ---------------------------------------------------------------------------

def _live(raati: Raati) -> None:
    if raati.state == FINISHED:
        raise Conflict(_l("This digiraati has finished; the room is read-only."))


def _phase_kind(raati: Raati) -> str | None:
    if raati.current_phase_id is None:
        return None
    phase = db.session.get(Phase, raati.current_phase_id)
    return phase.kind if phase else None


def _speaker(raati_id: int, actor, now, action: str) -> tuple[Raati, Member]:
    raati = get_raati(raati_id)
    member = _member(raati_id, actor, rules.SPEAK, now)
    _live(raati)
    if not member.display_name:
        raise ValidationFailed(_l("Choose a display name first."))
    if member.role != MODERATOR and not phases.allows(_phase_kind(raati), action):
        raise Conflict(_l("The current phase does not allow this."))
    return raati, member


ABILITIES = ("chat", "hand", "question", "poll", "review")


def abilities(raati_id: int, *, actor, now) -> dict[str, str | None]:
    """For each room action, ``None`` if the actor may do it now, else the reason (the very
    check the action itself runs), so the room can disable a control and say why."""
    out: dict[str, str | None] = {}
    for action in ABILITIES:
        try:
            if action == "review":
                raati = get_raati(raati_id)
                _member(raati_id, actor, rules.REVIEW, now)
                _live(raati)
                if raati.drafting_closed_at is not None:
                    raise Conflict(_l("Drafting has closed and the statement is locked."))
            else:
                _speaker(raati_id, actor, now, action)
        except KuulasError as exc:
            out[action] = str(exc)
        else:
            out[action] = None
    return out


def _moderator(raati_id: int, actor, now) -> tuple[Raati, Member]:
    raati = get_raati(raati_id)
    member = _member(raati_id, actor, rules.MODERATE, now)
    _live(raati)
    return raati, member


def _text(value, limit: int, empty_msg) -> str:
    if not isinstance(value, str):
        raise ValidationFailed(_l("The message is not text."))
    text = plain_text(value)
    if not text:
        raise ValidationFailed(empty_msg)
    if len(text) > limit:
        raise ValidationFailed(_l("The text is too long (at most %(n)s characters)."), n=limit)
    return text


def post_message(raati_id: int, body, *, actor, now) -> list[Event]:
    raati, member = _speaker(raati_id, actor, now, "chat")
    text = _text(body, MAX_MESSAGE, _l("Write a message first."))
    event = append(raati.id, "message", member.id, {"body": text, "name": member.display_name,
                                                    "role": member.role}, now)
    db.session.add(Message(raati_id=raati.id, seq=event.seq, member_id=member.id, body=text,
                           created_at=now))
    return [event]


def _message(raati_id: int, seq) -> Message:
    msg = db.session.scalar(select(Message).where(Message.raati_id == raati_id, Message.seq == seq)) \
        if isinstance(seq, int) else None
    if msg is None:
        raise NotFound(_l("No such message."))
    return msg


def pin_message(raati_id: int, seq, pinned: bool, *, actor, now) -> list[Event]:
    raati, mod = _moderator(raati_id, actor, now)
    msg = _message(raati.id, seq)
    msg.pinned = bool(pinned)
    return [append(raati.id, "pin", mod.id, {"target": msg.seq, "pinned": msg.pinned}, now)]


def hide_message(raati_id: int, seq, reason, *, actor, now) -> list[Event]:
    raati, mod = _moderator(raati_id, actor, now)
    reason = _text(reason, MAX_REASON, _l("Give a reason for hiding the message."))
    msg = _message(raati.id, seq)
    if msg.hidden_at is not None:
        raise Conflict(_l("The message is already hidden."))
    msg.hidden_at, msg.hidden_reason = now, reason
    return [append(raati.id, "hide", mod.id, {"target": msg.seq, "reason": reason}, now)]


def raise_hand(raati_id: int, *, actor, now) -> list[Event]:
    raati, member = _speaker(raati_id, actor, now, "hand")
    up = db.session.scalar(select(Hand).where(Hand.raati_id == raati.id, Hand.member_id == member.id,
                                              Hand.called_at.is_(None), Hand.lowered_at.is_(None)))
    if up is not None:
        raise Conflict(_l("Your hand is already up."))
    event = append(raati.id, "hand", member.id, {"name": member.display_name}, now)
    db.session.add(Hand(raati_id=raati.id, member_id=member.id, raised_seq=event.seq, raised_at=now))
    return [event]


def lower_hand(raati_id: int, *, actor, now) -> list[Event]:
    member = _member(raati_id, actor, rules.ENTER, now)
    _live(get_raati(raati_id))
    hand = db.session.scalar(select(Hand).where(Hand.raati_id == raati_id, Hand.member_id == member.id,
                                                Hand.called_at.is_(None), Hand.lowered_at.is_(None)))
    if hand is None:
        raise Conflict(_l("Your hand is not up."))
    hand.lowered_at = now
    return [append(raati_id, "hand_down", member.id, {"target": member.id}, now)]


def call_next(raati_id: int, *, actor, now) -> list[Event]:
    """Call the hand raised first (the queue is ordered by sequence number)."""
    raati, mod = _moderator(raati_id, actor, now)
    hand = db.session.scalar(select(Hand).where(Hand.raati_id == raati.id, Hand.called_at.is_(None),
                                                Hand.lowered_at.is_(None)).order_by(Hand.raised_seq))
    if hand is None:
        raise Conflict(_l("No hands are up."))
    hand.called_at = now
    member = db.session.get(Member, hand.member_id)
    return [append(raati.id, "called", mod.id, {"target": member.id, "target_name": member.display_name}, now)]


def ask_question(raati_id: int, body, *, actor, now) -> list[Event]:
    raati, member = _speaker(raati_id, actor, now, "question")
    text = _text(body, MAX_QUESTION, _l("Write a question first."))
    question = Question(raati_id=raati.id, member_id=member.id, body=text, created_at=now)
    db.session.add(question)
    db.session.flush()
    return [append(raati.id, "question", member.id, {"id": question.id, "body": text,
                                                     "name": member.display_name}, now)]


def upvote_question(raati_id: int, question_id, *, actor, now) -> list[Event]:
    raati, member = _speaker(raati_id, actor, now, "question")
    question = db.session.get(Question, question_id) if isinstance(question_id, int) else None
    if question is None or question.raati_id != raati.id:
        raise NotFound(_l("No such question."))
    exists = db.session.scalar(select(QuestionVote.id).where(QuestionVote.question_id == question.id,
                                                             QuestionVote.member_id == member.id))
    if exists:
        raise Conflict(_l("You have already supported this question."))
    db.session.add(QuestionVote(question_id=question.id, member_id=member.id))
    db.session.flush()
    votes = db.session.scalar(select(func.count()).select_from(QuestionVote)
                              .where(QuestionVote.question_id == question.id))
    return [append(raati.id, "upvote", member.id, {"id": question.id, "votes": votes}, now)]


def answer_question(raati_id: int, question_id, *, actor, now) -> list[Event]:
    raati, mod = _moderator(raati_id, actor, now)
    question = db.session.get(Question, question_id) if isinstance(question_id, int) else None
    if question is None or question.raati_id != raati.id:
        raise NotFound(_l("No such question."))
    question.answered_at = now
    return [append(raati.id, "answered", mod.id, {"id": question.id}, now)]


def create_poll(raati_id: int, question, options, *, actor, now) -> list[Event]:
    raati, mod = _moderator(raati_id, actor, now)
    text = _text(question, 300, _l("Write the poll question."))
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise ValidationFailed(_l("Give the options as text."))
    opts = [plain_text(o, 100) for o in options if plain_text(o)]
    if not 2 <= len(opts) <= 8:
        raise ValidationFailed(_l("A poll needs 2-8 options."))
    poll = Poll(raati_id=raati.id, question=text, options=opts, created_at=now)
    db.session.add(poll)
    db.session.flush()
    return [append(raati.id, "poll", mod.id, {"id": poll.id, "question": text, "options": opts}, now)]


def poll_counts(poll: Poll) -> list[int]:
    rows = dict(db.session.execute(select(PollVote.option, func.count()).where(PollVote.poll_id == poll.id)
                                   .group_by(PollVote.option)).all())
    return [rows.get(i, 0) for i in range(len(poll.options))]


def vote_poll(raati_id: int, poll_id, option, *, actor, now) -> list[Event]:
    raati, member = _speaker(raati_id, actor, now, "poll")
    poll = db.session.get(Poll, poll_id) if isinstance(poll_id, int) else None
    if poll is None or poll.raati_id != raati.id:
        raise NotFound(_l("No such poll."))
    if poll.closed_at is not None:
        raise Conflict(_l("The poll has closed."))
    if not isinstance(option, int) or isinstance(option, bool) or not 0 <= option < len(poll.options):
        raise ValidationFailed(_l("Choose one of the options."))
    if db.session.scalar(select(PollVote.id).where(PollVote.poll_id == poll.id,
                                                   PollVote.member_id == member.id)):
        raise Conflict(_l("You have already answered this poll."))
    db.session.add(PollVote(poll_id=poll.id, member_id=member.id, option=option))
    db.session.flush()
    # Results carry counts only: who chose what is not broadcast.
    return [append(raati.id, "poll_result", None, {"id": poll.id, "counts": poll_counts(poll)}, now)]


def close_poll(raati_id: int, poll_id, *, actor, now) -> list[Event]:
    raati, mod = _moderator(raati_id, actor, now)
    poll = db.session.get(Poll, poll_id) if isinstance(poll_id, int) else None
    if poll is None or poll.raati_id != raati.id:
        raise NotFound(_l("No such poll."))
    poll.closed_at = poll.closed_at or now
    return [append(raati.id, "poll_closed", mod.id, {"id": poll.id, "counts": poll_counts(poll)}, now)]


def moderate_member(raati_id: int, target_id, action: str, *, actor, now, reason: str = "") -> list[Event]:
    raati, mod = _moderator(raati_id, actor, now)
    target = db.session.get(Member, target_id) if isinstance(target_id, int) else None
    if target is None or target.raati_id != raati.id or target.removed_at is not None:
        raise NotFound(_l("No such participant."))
    if target.id == mod.id:
        raise ValidationFailed(_l("You cannot do this to yourself."))
    if action in ("mute", "unmute"):
        target.muted = action == "mute"
        return [append(raati.id, action, mod.id, {"target": target.id, "target_name": target.display_name}, now)]
    if action == "remove":
        return _remove(target, mod, plain_text(reason, MAX_REASON), now)
    if action == "floor":
        return _give_floor(raati, mod, target, now)
    raise ValidationFailed(_l("Unknown action."))


def _give_floor(raati: Raati, mod: Member, target: Member, now) -> list[Event]:
    """The moderator gives the floor to anyone present, out of the queue: an invited expert
    in the hearing, say.  A hand the speaker had up counts as called."""
    if target.muted:
        raise Conflict(_l("Unmute the participant first."))
    for hand in db.session.scalars(select(Hand).where(Hand.raati_id == raati.id, Hand.member_id == target.id,
                                                      Hand.called_at.is_(None), Hand.lowered_at.is_(None))):
        hand.called_at = now
    return [append(raati.id, "called", mod.id, {"target": target.id, "target_name": target.display_name}, now)]


def set_phase(raati_id: int, phase_id, *, actor, now) -> list[Event]:
    raati, mod = _moderator(raati_id, actor, now)
    ids = [p.id for p in raati.phases]
    if phase_id not in ids:
        raise NotFound(_l("No such phase."))
    current = ids.index(raati.current_phase_id) if raati.current_phase_id in ids else None
    if not phases.can_move(current, ids.index(phase_id), len(ids)):
        raise Conflict(_l("That phase is already current."))
    phase = db.session.get(Phase, phase_id)
    phase.started_at = now
    raati.current_phase_id = phase.id
    if raati.state == DRAFT:
        raati.state = LIVE
    timer = phases.Timer().start(now, phase.planned_minutes * 60)
    raati.timer_ends_at, raati.timer_remaining = timer.ends_at, timer.remaining
    return [append(raati.id, "phase", mod.id, {"id": phase.id, "kind": phase.kind,
                                               "minutes": phase.planned_minutes,
                                               **_timer_wire(timer, now)}, now)]


def _timer_wire(timer: phases.Timer, now) -> dict:
    return {"ends_at": timer.ends_at.isoformat() + "Z" if timer.ends_at else None,
            "remaining": timer.seconds_left(now), "running": timer.running,
            "server_now": now.isoformat() + "Z"}


def timer_action(raati_id: int, action: str, seconds=None, *, actor, now) -> list[Event]:
    raati, mod = _moderator(raati_id, actor, now)
    timer = phases.Timer(raati.timer_ends_at, raati.timer_remaining or 0)
    if seconds is not None and (not isinstance(seconds, int) or isinstance(seconds, bool)):
        raise ValidationFailed(_l("Give the time in whole seconds."))
    try:
        if action == "start":
            timer = timer.start(now, seconds)
        elif action == "pause":
            timer = timer.pause(now)
        elif action == "extend":
            timer = timer.extend(now, seconds or 0)
        elif action == "stop":
            timer = timer.stop()
        else:
            raise ValidationFailed(_l("Unknown action."))
    except phases.TimerError:
        raise Conflict(_l("The timer cannot do that now.")) from None
    raati.timer_ends_at, raati.timer_remaining = timer.ends_at, timer.remaining
    return [append(raati.id, "timer", mod.id, {"action": action, **_timer_wire(timer, now)}, now)]


def my_raatis(account) -> list[tuple[Raati, Member]]:
    return list(db.session.execute(select(Raati, Member).join(Member, Member.raati_id == Raati.id)
                                   .where(Member.account_id == account.id, Member.removed_at.is_(None))
                                   .order_by(Raati.id.desc())).all())


def assert_can_read_transcript(raati_id: int, *, actor, now) -> Member | None:
    member = membership(raati_id, actor)
    access.require(actor, rules.TRANSCRIPT, member, now=now)
    return member


_unused = (AccessDenied, CHAIR, SECRETARY)


# Statement drafting and presence live in their own modules; re-exported so callers keep
# one import.
from .drafting import (approval_status, close_drafting, review_section, save_section,  # noqa: E402
                       section_tally, sections)
from .presence import (HEARTBEAT, MAX_CONNECTIONS_PER_MEMBER, PRESENCE_TTL, connect,  # noqa: E402
                       connections_of, disconnect, online, presence_of, prune_connections,
                       touch_connections)
