"""What every digiraati service stands on: finding the raati and the acting member, the
room's event log, and the lifecycle check with its translated reason.

Plain functions: they never touch ``request``, ``current_user`` or ``emit``, and never
commit.  ``append`` saves an event with the room's next sequence number and declares its
broadcast (``kuulas.effects``): the room hears of it once the caller commits, never after a
rollback.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from kuulas import access, effects
from kuulas.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from kuulas.extensions import db
from kuulas.sanitize import plain_text

from . import lifecycle, rules
from .models import Event, Member, Phase, Raati

MAX_MESSAGE = 2000
MAX_QUESTION = 500
MAX_REASON = 300


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
    # The wire form is read now (the commit expires the row; the effect cannot query).
    from . import events

    effects.after_commit(events.send, [(raati_id, event.wire())])
    return event


def events_after(raati_id: int, after: int, *, actor, now, limit: int = 500) -> list[Event]:
    _member(raati_id, actor, rules.ENTER, now)
    return list(db.session.scalars(select(Event).where(Event.raati_id == raati_id, Event.seq > after)
                                   .order_by(Event.seq).limit(limit)))


def member_of(raati_id: int, member_id) -> Member:
    """The member ``member_id`` *of this raati*: an id from another raati is not found, so a
    URL that names raati A and a member of raati B acts on nothing."""
    member = db.session.scalar(select(Member).where(Member.id == member_id, Member.raati_id == raati_id)) \
        if isinstance(member_id, int) and isinstance(raati_id, int) else None
    if member is None:
        raise NotFound(_l("No such member."))
    return member


def remove_member(member: Member, by: Member | None, reason: str, now) -> list[Event]:
    """Remove a member (staff, or the moderator in the room): the room hears of it and the
    member's open sockets are closed once the removal commits."""
    if member.removed_at is not None:
        return []
    member.removed_at = now
    event = append(member.raati_id, "removed", by.id if by else None,
                   {"target": member.id, "reason": reason}, now)
    from . import events
    from .presence import connections_of

    effects.after_commit(events.kick, member.id, connections_of(member.id),
                         str(_l("You have been removed from this digiraati.")))
    return [event]


def active_members(raati_id: int) -> list[Member]:
    return list(db.session.scalars(select(Member).where(Member.raati_id == raati_id,
                                                        Member.removed_at.is_(None))
                                   .order_by(Member.id)))


def _text(value, limit: int, empty_msg) -> str:
    if not isinstance(value, str):
        raise ValidationFailed(_l("The message is not text."))
    text = plain_text(value)
    if not text:
        raise ValidationFailed(empty_msg)
    if len(text) > limit:
        raise ValidationFailed(_l("The text is too long (at most %(n)s characters)."), n=limit)
    return text


def my_raatis(account) -> list[tuple[Raati, Member]]:
    return list(db.session.execute(select(Raati, Member).join(Member, Member.raati_id == Raati.id)
                                   .where(Member.account_id == account.id, Member.removed_at.is_(None))
                                   .order_by(Raati.id.desc())).all())


def assert_can_read_transcript(raati_id: int, *, actor, now) -> Member | None:
    member = membership(raati_id, actor)
    access.require(actor, rules.TRANSCRIPT, member, now=now)
    return member


# --- the lifecycle ----------------------------------------------------------------------

def phase_kind(raati: Raati) -> str | None:
    if raati.current_phase_id is None:
        return None
    phase = db.session.get(Phase, raati.current_phase_id)
    return phase.kind if phase else None


def lifecycle_room(raati: Raati) -> lifecycle.Room:
    return lifecycle.Room(raati.state, phase_kind(raati), raati.drafting_closed_at is not None)


def refusal(raati: Raati, member: Member, action: str) -> str | None:
    """The lifecycle's reason (an English msgid) why ``member`` may not do ``action`` now."""
    return lifecycle.refusal(lifecycle_room(raati), member.role, action, named=bool(member.display_name))


# The lifecycle's reasons (plain msgids in a pure module) with their translations.
REASONS = {
    lifecycle.ROLE_REFUSED: _l("Your role in this digiraati does not allow this."),
    lifecycle.FINISHED_REFUSED: _l("This digiraati has finished; the room is read-only."),
    lifecycle.LOCKED_REFUSED: _l("Drafting has closed and the statement is locked."),
    lifecycle.NAME_REFUSED: _l("Choose a display name first."),
    lifecycle.PHASE_REFUSED: _l("The current phase does not allow this."),
}


def refuse(reason: str):
    """The domain error for a lifecycle reason, translated."""
    if reason == lifecycle.ROLE_REFUSED:
        return AccessDenied(REASONS[reason])
    if reason == lifecycle.NAME_REFUSED:
        return ValidationFailed(REASONS[reason])
    return Conflict(REASONS[reason])


def allowed(raati_id: int, actor, action: str, now) -> tuple[Raati, Member]:
    """The one check before a room action: the access rule (membership, role, mute), then
    what the raati's state and phase allow.  Returns the raati and the acting member."""
    raati = get_raati(raati_id)
    member = _member(raati_id, actor, rules.RULE_FOR[action], now)
    reason = refusal(raati, member, action)
    if reason is not None:
        raise refuse(reason)
    return raati, member
