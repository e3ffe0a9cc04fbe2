"""Socket.IO namespace ``/ideas``: live updates for open round pages.

Read-only for clients: they join a round's room and receive ``idea`` (new public idea),
``counts`` (a batch of current totals, at most one per round every few seconds from the
count publisher job, never one per vote), ``map`` (the redrawn aggregate opinion map, at most
one per round every ``live_results.MAP_SECONDS``), ``changed`` (edited, hidden with a reason,
restored, withdrawn) and ``closed``.  Every write goes through the HTTP forms (CSRF, rate limits,
one service); the services and jobs call these broadcast helpers, which build the payload at
once and declare it with ``kuulas.effects.emit``: it is sent when the caller commits, and
never after a rollback.  Payloads
carry random public idea ids, texts and counts: never a participant identifier nor the
internal (sequential) key.  The handshake's Origin
must be our own site (cross-site websocket hijacking).
"""
from __future__ import annotations

from flask import request
from flask_socketio import Namespace, join_room

from kuulas import effects, realtime
from kuulas.extensions import db

from .lifecycle import DRAFT
from .models import HIDDEN, VISIBLE, WITHDRAWN, IdeaRound

NAMESPACE = "/ideas"


def room(round_id: int) -> str:
    return f"ideas-{int(round_id)}"


def counts_wire(counts) -> dict:
    return {"agree": counts.agree, "disagree": counts.disagree, "pass": counts.pass_}


def _emit(event: str, payload: dict, round_id: int) -> None:
    """Declare the broadcast; it goes out after the caller's commit (an effect that fails
    is logged by ``kuulas.effects``: a live update never undoes a saved write)."""
    effects.emit(event, payload, to=room(round_id), namespace=NAMESPACE)


def idea_added(round_id: int, idea) -> None:
    _emit("idea", {"id": idea.public_id, "text": idea.text, "written": idea.created_at.date().isoformat()}, round_id)


def idea_changed(round_id: int, idea) -> None:
    payload = {"id": idea.public_id, "status": idea.status}
    if idea.status == VISIBLE:
        payload["text"] = idea.text
    elif idea.status == HIDDEN:
        payload["reason"] = idea.hidden_reason or ""
    _emit("changed", payload, round_id)


def idea_removed(round_id: int, public_id: str) -> None:
    _emit("changed", {"id": public_id, "status": WITHDRAWN}, round_id)


def comment_added(round_id: int, idea_public_id: str) -> None:
    _emit("comment", {"idea_id": idea_public_id}, round_id)


def counts_batch(round_id: int, counts_by_public_id: dict) -> None:
    """One event with the current totals of every idea whose shown counts changed."""
    if counts_by_public_id:
        _emit("counts", {"ideas": [{"id": pid, **counts_wire(c)}
                                   for pid, c in sorted(counts_by_public_id.items())]}, round_id)


def map_updated(round_id: int, payload: dict) -> None:
    """The redrawn opinion map (aggregates only, see ``live_results.wire``); each page then
    asks for its own position itself."""
    _emit("map", payload, round_id)


def round_closed(round_id: int) -> None:
    _emit("closed", {"round": round_id}, round_id)


class IdeasNamespace(Namespace):
    def on_connect(self, auth=None):
        if not realtime.origin_ok():
            return False
        round_id = auth.get("round") if isinstance(auth, dict) else None
        if round_id is None:
            round_id = request.args.get("round", type=int)
        if not isinstance(round_id, int) or isinstance(round_id, bool):
            return False
        round_ = db.session.get(IdeaRound, round_id)
        ok = round_ is not None and round_.state != DRAFT
        if not ok:
            return False
        join_room(room(round_id))
        return True

    def on_ping_round(self, data=None):
        return {"ok": True}


def register(app) -> None:
    """Register on the *current* Socket.IO server (``socketio.init_app`` makes a new one for
    every ``create_app``)."""
    realtime.register_namespace(IdeasNamespace, NAMESPACE)
