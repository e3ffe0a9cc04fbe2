"""What the room's Socket.IO gate reads for each event, in one query.

Every event on an open socket must still end a revoked session (deactivated account, or a
``session_version`` bumped by sign-out-everywhere or a role change) and must see the member's
current role, mute and removal and the room's state and phase.  Rather than load the full
account (with its staff roles) and then let each service look up the membership, the raati
and the phase one by one, the gate reads them together: the account's ``active`` and
``session_version`` plus the ``Member``, ``Raati`` and current ``Phase`` rows, which land in
the session's identity map, so the service's own ``get_raati`` / ``_phase_kind`` find them
without another query and ``membership`` takes the member from the actor.

Plain module: SQLAlchemy only, no Flask.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import and_, bindparam, select

from kuulas.accounts.models import Account
from kuulas.extensions import db

from .models import Member, Phase, Raati


@dataclass(frozen=True)
class RoomActor:
    """The account behind one socket for one event: what the room's rules read (``id``,
    ``is_active``) and the member row read with it.  It holds no staff roles, so any rule
    that needs one fails closed; the room's rules look only at the membership."""

    id: int
    active: bool
    room_member: Member | None

    is_authenticated: ClassVar[bool] = True
    is_anonymous: ClassVar[bool] = False
    role_set: ClassVar[frozenset] = frozenset()

    @property
    def is_active(self) -> bool:
        return self.active


_STATEMENT = []


def _statement():
    """Built once (building a select costs more than running this one on SQLite)."""
    if not _STATEMENT:
        _STATEMENT.append(
            select(Account.active, Account.session_version, Member, Raati, Phase)
            .select_from(Account)
            .outerjoin(Member, and_(Member.id == bindparam("member_id"), Member.account_id == Account.id))
            .outerjoin(Raati, Raati.id == Member.raati_id)
            .outerjoin(Phase, Phase.id == Raati.current_phase_id)
            .where(Account.id == bindparam("account_id")))
    return _STATEMENT[0]


def load(account_id: int, member_id: int, session_version: int) -> RoomActor | None:
    """The actor for one event, or ``None`` when the session has ended (account gone or
    deactivated, or its session version changed since the socket connected)."""
    row = db.session.execute(_statement(), {"account_id": account_id, "member_id": member_id}).first()
    if row is None or not row.active or row.session_version != session_version:
        return None
    return RoomActor(account_id, True, row.Member)
