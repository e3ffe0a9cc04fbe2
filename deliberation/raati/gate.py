"""What the room's Socket.IO gate reads for each event, in one query.

Every event on an open socket must still end a revoked session (deactivated account, or a
``session_version`` bumped by sign-out-everywhere or a role change) and must see the member's
current role, mute and removal and the room's state and phase.  Rather than load the full
account (with its staff roles) and then let each service look up the membership, the raati
and the phase one by one, the gate reads them together: the account's ``active`` and
``session_version`` plus the ``Member``, ``Raati`` and current ``Phase`` rows, which land in
the session's identity map, so the service's own ``get_raati`` / ``_phase_kind`` find them
without another query and ``membership`` takes the member from the actor.

A connect (``entry``) is read the same way: the account with its staff roles, the membership
in the raati asked for and the count of the member's other open sockets, in one query.  The
account lands in the session's identity map, so the sign-in's own account load
(Flask-Login's user loader, ``db.session.get``) then finds it without a query and still makes
every check it makes on a request (session version, active flag, staff sessions opened by
password only).

Plain module: SQLAlchemy only, no Flask.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import joinedload

from kuulas.accounts.models import Account
from kuulas.extensions import db

from .models import Connection, Member, Phase, Raati


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


@dataclass(frozen=True)
class Entry:
    """What a connect read in its one query: the account, the member row (``None`` if the
    account is not a member of that raati) and how many other fresh sockets that member holds, or ``None``
    when the count must be taken under the member's row lock (PostgreSQL)."""

    account: Account  # held here: the identity map keeps only weak references
    member: Member | None
    open_now: int | None

    @property
    def account_id(self) -> int:
        return self.account.id


_ENTRY: dict[str, object] = {}


def _entry_statement(with_member: bool):
    """Built once per variant.  The roles are joined (not a second SELECT); an account has
    at most a few."""
    key = "member" if with_member else "account"
    if key not in _ENTRY:
        if with_member:
            others = (select(func.count()).select_from(Connection)
                      .where(Connection.member_id == Member.id, Connection.sid != bindparam("sid"),
                             Connection.seen_at >= bindparam("fresh_after")).scalar_subquery())
            stmt = (select(Account, Member, others).select_from(Account)
                    .outerjoin(Member, and_(Member.raati_id == bindparam("raati_id"),
                                            Member.account_id == Account.id)))
        else:
            stmt = select(Account)
        _ENTRY[key] = stmt.options(joinedload(Account.roles)).where(Account.id == bindparam("account_id"))
    return _ENTRY[key]


def prepare() -> None:
    """Build the statements now (at start-up), not on the first socket's event."""
    _statement()
    _entry_statement(True)
    _entry_statement(False)


def entry(account_id: int, raati_id: int, sid: str, now: datetime, fresh_for: timedelta) -> Entry | None:
    """One query for a connect: the account (with its roles, into the identity map), the
    membership and the member's other sockets seen within ``fresh_for``.  ``None`` when the
    account does not exist.  On PostgreSQL only the account is read here: the membership is
    read under its row lock by ``presence.connect`` so that two connects at once cannot both
    take a member's last place."""
    if db.session.get_bind().dialect.name != "sqlite":
        account = db.session.execute(_entry_statement(False), {"account_id": account_id}).unique().scalar()
        return None if account is None else Entry(account, None, None)
    row = db.session.execute(_entry_statement(True), {
        "account_id": account_id, "raati_id": raati_id, "sid": sid,
        "fresh_after": now - fresh_for}).unique().first()
    if row is None:
        return None
    member, others = row[1], row[2]
    return Entry(row[0], member, others if member is not None else 0)
