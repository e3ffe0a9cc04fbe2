"""A socket entering the room: who the session names, whether that account may enter this
raati, and the row that records the open socket, with as few queries as it takes.

On SQLite one query (``gate.entry``) reads the account with its staff roles, the membership
and the member's other open sockets before Flask-Login loads the signed-in user; the user
loader then finds the account in the session's identity map and still makes every check it
makes on a request (session version, active flag, staff sessions opened by password only,
Flask-Login's session protection).  On PostgreSQL the membership is read under its row lock
(``presence.connect``), so two connects at once cannot both take a member's last place.
"""
from __future__ import annotations

from flask import session
from flask_login import current_user

from kuulas.accounts.views import session_ids

from . import gate, presence
from .models import Member


def connect(raati_id: int, sid: str, now) -> Member | None:
    """Record the socket ``sid`` of the signed-in user in ``raati_id``; ``None`` when nobody
    is signed in.  Raises the access and limit errors of ``presence.admit``."""
    ids = session_ids(session.get("_user_id"))
    found = gate.entry(ids[0], raati_id, sid, now, presence.PRESENCE_TTL) if ids else None
    if not getattr(current_user, "is_authenticated", False):
        return None
    if found is not None and found.open_now is not None and found.account_id == current_user.id:
        return presence.admit(raati_id, sid, actor=current_user, member=found.member,
                              open_now=found.open_now, now=now)
    return presence.connect(raati_id, sid, actor=current_user, now=now)
