"""Presence in the room: which members have a socket open, refreshed by a heartbeat from the
process holding each socket, and how many sockets one member may hold.

Rows live in the shared database, so counts hold across processes; a process that died
without a disconnect stops counting within ``PRESENCE_TTL`` and the prune job removes it.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update

from kuulas.errors import Conflict
from kuulas.extensions import db

from . import rules
from .models import Connection, Member
from .services import _member

# Presence: the process holding a socket refreshes its row every HEARTBEAT; a row not seen for
# PRESENCE_TTL (its process died without a disconnect) is not online, and the prune job
# deletes it and tells the room.
HEARTBEAT = timedelta(seconds=60)
PRESENCE_TTL = timedelta(minutes=3)


MAX_CONNECTIONS_PER_MEMBER = 3


def connect(raati_id: int, sid: str, *, actor, now) -> Member:
    """Record an open socket.  A member may hold a few (phone and laptop, a second tab) but
    not many: each connection costs the room a delivery per event.  The count is over the
    shared table, so it holds across processes; the member row is locked first (PostgreSQL)
    so two connects at once cannot both take the last place."""
    member = _member(raati_id, actor, rules.ENTER, now)
    db.session.execute(select(Member.id).where(Member.id == member.id).with_for_update())
    open_now = db.session.scalar(select(func.count()).select_from(Connection).where(
        Connection.member_id == member.id, Connection.sid != sid, _fresh(now)))
    if open_now >= MAX_CONNECTIONS_PER_MEMBER:
        raise Conflict(_l("You already have this room open in %(n)s windows or devices. "
                          "Close one of them and try again."), code="too_many_connections",
                       n=MAX_CONNECTIONS_PER_MEMBER)
    db.session.merge(Connection(sid=sid, raati_id=raati_id, member_id=member.id, connected_at=now, seen_at=now))
    return member


def touch_connections(sids, now: datetime) -> int:
    """The heartbeat: mark this process's open sockets as still there."""
    sids = list(sids)
    if not sids:
        return 0
    return db.session.execute(update(Connection).where(Connection.sid.in_(sids)).values(seen_at=now)
                              .execution_options(synchronize_session=False)).rowcount or 0


def disconnect(sid: str) -> Connection | None:
    row = db.session.get(Connection, sid)
    if row is not None:
        db.session.delete(row)
    return row


def _fresh(now: datetime):
    return Connection.seen_at >= now - PRESENCE_TTL


def online(raati_id: int, now: datetime) -> list[dict]:
    rows = db.session.execute(
        select(Member.id, Member.display_name, Member.role, Member.muted).join(
            Connection, Connection.member_id == Member.id)
        .where(Connection.raati_id == raati_id, Member.removed_at.is_(None), _fresh(now)).distinct()).all()
    return [{"id": i, "name": n or "", "role": r, "muted": m} for i, n, r, m in rows]


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
