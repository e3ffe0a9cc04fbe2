"""Presence in the room: which members have a socket open, refreshed by a heartbeat from the
process holding each socket, and how many sockets one member may hold.

Rows live in the shared database, so counts hold across processes; a process that died
without a disconnect stops counting within ``PRESENCE_TTL`` and the prune job removes it.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, func, or_, select, update

from kuulas.errors import Conflict
from kuulas.extensions import db

from kuulas import access

from . import rules
from .models import Connection, Member

# Presence: the process holding a socket refreshes its row every HEARTBEAT; a row not seen for
# PRESENCE_TTL (its process died without a disconnect) is not online, and the prune job
# deletes it and tells the room.
HEARTBEAT = timedelta(seconds=60)
PRESENCE_TTL = timedelta(minutes=3)


MAX_CONNECTIONS_PER_MEMBER = 3


def connect(raati_id: int, sid: str, *, actor, now) -> Member:
    """Record an open socket.  A member may hold a few (phone and laptop, a second tab) but
    not many: each connection costs the room a delivery per event.  The count is over the
    shared table, so it holds across processes.  One query reads the membership and the
    member's other open sockets; on PostgreSQL the member row is locked first and counted
    after the lock (a new statement sees what a connect that held the lock committed), so
    two connects at once cannot both take the last place."""
    def others(member_id):
        return (select(func.count()).select_from(Connection)
                .where(Connection.member_id == member_id, Connection.sid != sid, _fresh(now)))

    member, open_now = None, None
    if getattr(actor, "is_authenticated", False):
        if db.session.get_bind().dialect.name == "sqlite":  # no row locks there: one query
            row = db.session.execute(_member_and_others(), {
                "raati_id": raati_id, "account_id": actor.id, "sid": sid,
                "fresh_after": now - PRESENCE_TTL}).first()
            member, open_now = (row[0], row[1]) if row is not None else (None, None)
        else:
            member = db.session.scalar(select(Member).where(
                Member.raati_id == raati_id, Member.account_id == actor.id).with_for_update())
    access.require(actor, rules.ENTER, member, now=now)
    if open_now is None:
        open_now = db.session.scalar(others(member.id))
    return admit(raati_id, sid, actor=actor, member=member, open_now=open_now, now=now)


def admit(raati_id: int, sid: str, *, actor, member, open_now, now) -> Member:
    """The checks and the row of ``connect`` once the membership and the member's other
    fresh sockets (``open_now``) have been read (by ``connect``, or with the account in the
    room gate's one query per connect)."""
    access.require(actor, rules.ENTER, member, now=now)
    if open_now >= MAX_CONNECTIONS_PER_MEMBER:
        raise Conflict(_l("You already have this room open in %(n)s windows or devices. "
                          "Close one of them and try again."), code="too_many_connections",
                       n=MAX_CONNECTIONS_PER_MEMBER)
    db.session.add(Connection(sid=sid, raati_id=raati_id, member_id=member.id, connected_at=now, seen_at=now))
    return member


_STATEMENTS: dict[str, object] = {}


def _member_and_others():
    """The member and the count of its other fresh sockets; built once (on SQLite building
    the statement cost more than running it)."""
    if "connect" not in _STATEMENTS:
        others = (select(func.count()).select_from(Connection)
                  .where(Connection.member_id == Member.id, Connection.sid != bindparam("sid"),
                         Connection.seen_at >= bindparam("fresh_after")).scalar_subquery())
        _STATEMENTS["connect"] = select(Member, others).where(
            Member.raati_id == bindparam("raati_id"), Member.account_id == bindparam("account_id"))
    return _STATEMENTS["connect"]


def touch_connections(sids, now: datetime) -> int:
    """The heartbeat: mark this process's open sockets as still there."""
    sids = list(sids)
    if not sids:
        return 0
    return db.session.execute(update(Connection).where(Connection.sid.in_(sids)).values(seen_at=now)
                              .execution_options(synchronize_session=False)).rowcount or 0


def disconnect(sid: str) -> int | None:
    """Forget an open socket; the member it belonged to, or ``None`` if it was not recorded."""
    return db.session.execute(delete(Connection).where(Connection.sid == sid).returning(Connection.member_id)
                              .execution_options(synchronize_session=False)).scalar()


def _fresh(now: datetime):
    return Connection.seen_at >= now - PRESENCE_TTL


def online(raati_id: int, now: datetime) -> list[dict]:
    rows = db.session.execute(
        select(Member.id, Member.display_name, Member.role, Member.muted).join(
            Connection, Connection.member_id == Member.id)
        .where(Connection.raati_id == raati_id, Member.removed_at.is_(None), _fresh(now)).distinct()).all()
    return [{"id": i, "name": n or "", "role": r, "muted": m} for i, n, r, m in rows]


def presence_of(member_ids, now: datetime) -> list[dict]:
    """For a batch of presence changes: each member's room, name, role and whether it has a
    fresh socket open now (so a batch tells the final state, whatever happened in between).
    A removed member is never online."""
    member_ids = set(member_ids)
    if not member_ids:
        return []
    live = (select(Connection.sid).where(Connection.member_id == Member.id, _fresh(now)).exists())
    rows = db.session.execute(
        select(Member.id, Member.raati_id, Member.display_name, Member.role, Member.removed_at, live)
        .where(Member.id.in_(member_ids)).order_by(Member.id)).all()
    return [{"raati": r, "member": i, "name": n or "", "role": role, "online": bool(on) and gone is None}
            for i, r, n, role, gone, on in rows]


def connections_of(member_id: int) -> list[str]:
    return list(db.session.scalars(select(Connection.sid).where(Connection.member_id == member_id)))


def prune_connections(now: datetime) -> list[Member]:
    """Delete the rows nobody has refreshed for PRESENCE_TTL; return the members who thereby
    went offline (no fresh connection left), so the caller can tell their rooms."""
    stale = db.session.execute(select(Connection.member_id).where(
        or_(Connection.seen_at.is_(None), ~_fresh(now)))).scalars().all()
    if not stale:
        return []
    db.session.execute(delete(Connection).where(or_(Connection.seen_at.is_(None), ~_fresh(now)))
                       .execution_options(synchronize_session=False))
    still = set(db.session.scalars(select(Connection.member_id).where(Connection.member_id.in_(set(stale)))))
    return [m for m in db.session.scalars(select(Member).where(Member.id.in_(set(stale) - still)))]


def prune_and_tell(now: datetime) -> list[Member]:
    """``prune_connections``, and tell each room, once the caller commits, who went offline."""
    from kuulas import effects

    from . import events

    gone = prune_connections(now)
    if gone:
        effects.after_commit(events.presence, [
            {"raati": m.raati_id, "member": m.id, "name": m.display_name or "", "role": m.role, "online": False}
            for m in gone])
    return gone
