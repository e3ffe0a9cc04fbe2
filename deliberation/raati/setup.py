"""Staff set-up of a digiraati: the raati itself and its state, members and roles, the
agenda's phases, and experts' one-time links.

Plain functions that never commit (the caller does); what the room must hear (a removal, a
changed agenda) is an event whose broadcast ``core.append`` declares for after the commit.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from kuulas import access, tokens
from kuulas.accounts import services as accounts
from kuulas.errors import Conflict, NotFound, ValidationFailed
from kuulas.extensions import db
from kuulas.sanitize import plain_text

from . import lifecycle, phases, rules, statement
from .core import append, get_raati, member_of, membership, remove_member
from .models import DRAFT, EXPERT, FINISHED, LIVE, MEMBER, ROLES, Event, ExpertInvite, Member, Phase, Raati
from .sessions import queue_mail

DEFAULT_AGENDA = ((phases.ORIENTATION, 30), (phases.HEARING, 45), (phases.DISCUSSION, 60),
                  (phases.DRAFTING, 60), (phases.CLOSING, 15))
UNDO_REMOVAL = timedelta(minutes=15)

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
    """Staff move the raati to another state (``lifecycle.STATES``)."""
    access.require(actor, rules.MANAGE, now=now)
    raati = get_raati(raati_id)
    change_state(raati, state, now)
    return raati


def change_state(raati: Raati, state: str, now) -> None:
    """The one path from state to state (access is the caller's): staff's choice above, and
    the moderator's first phase, which takes a draft live (``room.set_phase``)."""
    try:
        lifecycle.transition(raati.state, state)
    except lifecycle.IllegalTransition:
        raise ValidationFailed(_l("Unknown state.")) from None
    if state == FINISHED and raati.state != FINISHED:
        from deliberation.follow import changes   # followers hear of it in their weekly digest

        changes.record("raati", raati.id, "finished", now=now)
    raati.state = state
    raati.finished_at = now if state == FINISHED else None


def go_live(raati: Raati, now) -> None:
    """A raati goes live by this path only (staff's state form calls ``change_state`` too)."""
    if raati.state == DRAFT:
        change_state(raati, LIVE, now)


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
    return member, remove_member(member, None, "", now)


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


def invite_expert(raati_id: int, email: str, *, actor, now, locale: str = "fi") -> str:
    """Add an expert and mail a one-time link; returns the token (for the view to show)."""
    member = add_member(raati_id, email, EXPERT, actor=actor, now=now, locale=locale)
    raati = get_raati(raati_id)
    token = tokens.new()
    db.session.add(ExpertInvite(member_id=member.id, token_hash=tokens.digest(token),
                                expires_at=now + timedelta(days=21)))
    member.invited_at = now
    link = f"{current_app.config['SITE_URL']}/raati/asiantuntija/{token}"
    queue_mail(member.account.email, "expert_invite", locale=member.account.locale or locale,
               now=now, raati=raati, link=link, lang=member.account.locale or locale)
    return token


def peek_expert_invite(token: str, *, now) -> ExpertInvite:
    invite = tokens.check(
        tokens.find(ExpertInvite, token), now=now,
        invalid=NotFound(_l("This invitation link is not valid.")),
        used=Conflict(_l("This invitation link has already been used. Sign in with your e-mail address instead.")),
        expired=Conflict(_l("This invitation link has expired. Ask the organiser for a new one.")))
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

