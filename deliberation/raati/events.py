"""The room's Socket.IO namespace ``/raati``.

Flask's request hooks, CSRF protection and route rate limits do not run for socket events,
so every handler here checks for itself, each time: the connection's Origin against the
site's own, the account (still active, same session version) and its membership in *this*
raati (through the service, so a removed or muted member is refused even on a connection
opened before), a per-connection rate limit, and the payload's shape and size.  Handlers only
validate, call one service, commit, and then broadcast the saved events (with their sequence
numbers); the ack is ``{ok: true, seq: [...]}`` or ``{ok: false, code, error}``.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import Namespace, join_room

from kuulas.clock import utcnow
from kuulas.errors import KuulasError
from kuulas.extensions import db, socketio

from . import services

log = logging.getLogger("kuulas.raati")
NAMESPACE = "/raati"
MAX_PAYLOAD_BYTES = 24 * 1024
RATE_CAPACITY = 10        # burst
RATE_PER_SECOND = 4.0     # sustained events per connection
STRIKES_BEFORE_DISCONNECT = 40


def room(raati_id: int) -> str:
    return f"raati-{raati_id}"


def member_room(member_id: int) -> str:
    return f"raati-member-{member_id}"


@dataclass
class Conn:
    account_id: int
    session_version: int
    raati_id: int
    member_id: int
    tokens: float = RATE_CAPACITY
    refilled: float = field(default_factory=time.monotonic)
    strikes: int = 0

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(RATE_CAPACITY, self.tokens + (now - self.refilled) * RATE_PER_SECOND)
        self.refilled = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.strikes += 1
        return False


_CONNS: dict[str, Conn] = {}
_LOCK = threading.Lock()

# Event name -> {field: (type, max length or None, required)}.  Unknown fields are refused.
SCHEMAS: dict[str, dict[str, tuple]] = {
    "sync": {"after": (int, None, True)},
    "message": {"body": (str, services.MAX_MESSAGE, True)},
    "hand": {},
    "hand_down": {},
    "call_next": {},
    "question": {"body": (str, services.MAX_QUESTION, True)},
    "upvote": {"id": (int, None, True)},
    "answered": {"id": (int, None, True)},
    "poll": {"question": (str, 300, True), "options": (list, 8, True)},
    "vote": {"id": (int, None, True), "option": (int, None, True)},
    "poll_close": {"id": (int, None, True)},
    "pin": {"seq": (int, None, True), "pinned": (bool, None, True)},
    "hide": {"seq": (int, None, True), "reason": (str, services.MAX_REASON, True)},
    "moderate": {"member": (int, None, True), "action": (str, 10, True), "reason": (str, services.MAX_REASON, False)},
    "phase": {"id": (int, None, True)},
    "timer": {"action": (str, 10, True), "seconds": (int, None, False)},
    "section": {"id": (int, None, False), "title": (str, 200, True), "text": (str, 20_000, True)},
    "review": {"id": (int, None, True), "verdict": (str, 20, True), "comment": (str, 2000, False)},
    "lock": {},
}


class PayloadError(Exception):
    pass


def check_payload(event: str, data) -> dict:
    schema = SCHEMAS[event]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PayloadError("not an object")
    try:
        size = len(json.dumps(data, ensure_ascii=False).encode())
    except (TypeError, ValueError):
        raise PayloadError("not JSON") from None
    if size > MAX_PAYLOAD_BYTES:
        raise PayloadError("too large")
    extra = set(data) - set(schema)
    if extra:
        raise PayloadError("unknown fields")
    for name, (kind, limit, required) in schema.items():
        if name not in data or data[name] is None:
            if required:
                raise PayloadError(f"missing {name}")
            continue
        value = data[name]
        if kind is int and (not isinstance(value, int) or isinstance(value, bool)):
            raise PayloadError(f"{name} not an integer")
        if kind is not int and not isinstance(value, kind):
            raise PayloadError(f"{name} has the wrong type")
        if limit is not None and len(value) > limit:
            raise PayloadError(f"{name} too long")
    return data


def allowed_origins() -> set[str]:
    origins = set()
    for url in [current_app.config.get("SITE_URL"), request.host_url]:
        if url:
            parts = urlsplit(url)
            origins.add(f"{parts.scheme}://{parts.netloc}".lower())
    extra = current_app.config.get("SOCKETIO_ALLOWED_ORIGINS")
    if isinstance(extra, str) and extra != "*":
        origins.add(extra.rstrip("/").lower())
    elif isinstance(extra, (list, tuple)):
        origins.update(o.rstrip("/").lower() for o in extra)
    return origins


def origin_ok() -> bool:
    """Browsers always send Origin on a websocket or XHR handshake; a page on another site
    carrying our cookies is refused (cross-site websocket hijacking).  Non-browser clients
    without an Origin carry no victim's cookies, so a missing Origin is allowed."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return origin.rstrip("/").lower() in allowed_origins()


def error(code: str, message) -> dict:
    return {"ok": False, "code": code, "error": str(message)}


def broadcast(events) -> None:
    """Send saved (committed) events to the room, in sequence order."""
    for event in sorted(events, key=lambda e: e.seq):
        socketio.emit("event", event.wire(), to=room(event.raati_id), namespace=NAMESPACE)
        if event.kind == "removed":
            _kick(event.payload["target"])


def _kick(member_id: int) -> None:
    socketio.emit("kicked", {"reason": _("You have been removed from this digiraati.")},
                  to=member_room(member_id), namespace=NAMESPACE)
    for sid in services.connections_of(member_id):
        try:
            socketio.server.disconnect(sid, namespace=NAMESPACE)
        except Exception:  # noqa: BLE001 - already gone on another process
            pass


def presence(raati_id: int, member, online: bool) -> None:
    socketio.emit("presence", {"member": member.id, "name": member.display_name,
                               "role": member.role, "online": online},
                  to=room(raati_id), namespace=NAMESPACE)


class RaatiNamespace(Namespace):
    # --- connection ---------------------------------------------------------------------
    def on_connect(self, auth=None):
        if not origin_ok():
            log.warning("raati: refused cross-origin connection from %s", request.headers.get("Origin"))
            return False
        if not getattr(current_user, "is_authenticated", False):
            return False
        raati_id = (auth or {}).get("raati") if isinstance(auth, dict) else None
        if raati_id is None:
            raati_id = request.args.get("raati", type=int)
        if not isinstance(raati_id, int) or isinstance(raati_id, bool):
            return False
        now = utcnow()
        try:
            member = services.connect(raati_id, request.sid, actor=current_user, now=now)
            db.session.commit()
        except KuulasError:
            db.session.rollback()
            return False
        with _LOCK:
            _CONNS[request.sid] = Conn(current_user.id, current_user.session_version, raati_id, member.id)
        _ensure_heartbeat()
        join_room(room(raati_id))
        join_room(member_room(member.id))
        presence(raati_id, member, True)
        return True

    def on_disconnect(self, reason=None):
        with _LOCK:
            conn = _CONNS.pop(request.sid, None)
        row = services.disconnect(request.sid)
        db.session.commit()
        if conn is not None and row is not None:
            from .models import Member

            member = db.session.get(Member, conn.member_id)
            if member is not None and not services.connections_of(member.id):
                presence(conn.raati_id, member, False)

    # --- the common gate ------------------------------------------------------------------
    def _run(self, event: str, data, action):
        conn = _CONNS.get(request.sid)
        if conn is None:
            return error("not_joined", _("You are not connected to this digiraati."))
        if not origin_ok():
            return error("origin", _("This connection was opened from another site."))
        if not conn.take():
            if conn.strikes >= STRIKES_BEFORE_DISCONNECT:
                self.disconnect(request.sid)
            return error("rate_limited", _("Too many actions at once. Please wait a moment."))
        try:
            data = check_payload(event, data)
        except PayloadError:
            return error("invalid", _("The request was malformed or too large."))
        from kuulas.accounts.models import Account

        account = db.session.get(Account, conn.account_id)
        if account is None or not account.active or account.session_version != conn.session_version:
            self.disconnect(request.sid)
            return error("access_denied", _("Your session has ended. Please sign in again."))
        now = utcnow()
        try:
            result = action(account, conn, data, now)
            db.session.commit()
        except KuulasError as exc:
            db.session.rollback()
            return error(exc.code, exc)
        except Exception:  # noqa: BLE001 - the room keeps working for everyone else
            db.session.rollback()
            log.exception("raati: event %s failed", event)
            return error("error", _("Something went wrong on our side."))
        if isinstance(result, dict):
            return {"ok": True, **result}
        broadcast(result)
        return {"ok": True, "seq": [e.seq for e in result]}

    # --- events ---------------------------------------------------------------------------
    def on_sync(self, data=None):
        def act(account, conn, d, now):
            events = services.events_after(conn.raati_id, d["after"], actor=account, now=now)
            return {"events": [e.wire() for e in events], "more": len(events) >= 500,
                    "online": services.online(conn.raati_id, now), "me": conn.member_id}
        return self._run("sync", data, act)

    def on_message(self, data=None):
        return self._run("message", data, lambda a, c, d, now: services.post_message(
            c.raati_id, d["body"], actor=a, now=now))

    def on_hand(self, data=None):
        return self._run("hand", data, lambda a, c, d, now: services.raise_hand(c.raati_id, actor=a, now=now))

    def on_hand_down(self, data=None):
        return self._run("hand_down", data, lambda a, c, d, now: services.lower_hand(c.raati_id, actor=a, now=now))

    def on_call_next(self, data=None):
        return self._run("call_next", data, lambda a, c, d, now: services.call_next(c.raati_id, actor=a, now=now))

    def on_question(self, data=None):
        return self._run("question", data, lambda a, c, d, now: services.ask_question(
            c.raati_id, d["body"], actor=a, now=now))

    def on_upvote(self, data=None):
        return self._run("upvote", data, lambda a, c, d, now: services.upvote_question(
            c.raati_id, d["id"], actor=a, now=now))

    def on_answered(self, data=None):
        return self._run("answered", data, lambda a, c, d, now: services.answer_question(
            c.raati_id, d["id"], actor=a, now=now))

    def on_poll(self, data=None):
        return self._run("poll", data, lambda a, c, d, now: services.create_poll(
            c.raati_id, d["question"], d["options"], actor=a, now=now))

    def on_vote(self, data=None):
        return self._run("vote", data, lambda a, c, d, now: services.vote_poll(
            c.raati_id, d["id"], d["option"], actor=a, now=now))

    def on_poll_close(self, data=None):
        return self._run("poll_close", data, lambda a, c, d, now: services.close_poll(
            c.raati_id, d["id"], actor=a, now=now))

    def on_pin(self, data=None):
        return self._run("pin", data, lambda a, c, d, now: services.pin_message(
            c.raati_id, d["seq"], d["pinned"], actor=a, now=now))

    def on_hide(self, data=None):
        return self._run("hide", data, lambda a, c, d, now: services.hide_message(
            c.raati_id, d["seq"], d["reason"], actor=a, now=now))

    def on_moderate(self, data=None):
        return self._run("moderate", data, lambda a, c, d, now: services.moderate_member(
            c.raati_id, d["member"], d["action"], actor=a, now=now, reason=d.get("reason") or ""))

    def on_phase(self, data=None):
        return self._run("phase", data, lambda a, c, d, now: services.set_phase(
            c.raati_id, d["id"], actor=a, now=now))

    def on_timer(self, data=None):
        return self._run("timer", data, lambda a, c, d, now: services.timer_action(
            c.raati_id, d["action"], d.get("seconds"), actor=a, now=now))

    def on_section(self, data=None):
        return self._run("section", data, lambda a, c, d, now: services.save_section(
            c.raati_id, d.get("id"), d["title"], d["text"], actor=a, now=now))

    def on_review(self, data=None):
        return self._run("review", data, lambda a, c, d, now: services.review_section(
            c.raati_id, d["id"], d["verdict"], d.get("comment"), actor=a, now=now))

    def on_lock(self, data=None):
        return self._run("lock", data, lambda a, c, d, now: services.close_drafting(
            c.raati_id, actor=a, now=now))


_HEARTBEATS: set[int] = set()


def _ensure_heartbeat() -> None:
    """One background task per Socket.IO server (per process) refreshes ``seen_at`` of the
    sockets this process holds; it ends when its server is replaced (tests build many)."""
    server = socketio.server
    with _LOCK:
        if id(server) in _HEARTBEATS:
            return
        _HEARTBEATS.add(id(server))
    socketio.start_background_task(_heartbeat, current_app._get_current_object(), server)


def _heartbeat(app, server) -> None:
    while True:
        socketio.sleep(services.HEARTBEAT.total_seconds())
        if socketio.server is not server:
            with _LOCK:
                _HEARTBEATS.discard(id(server))
            return
        with _LOCK:
            sids = list(_CONNS)
        if not sids:
            continue
        with app.app_context():
            try:
                services.touch_connections(sids, utcnow())
                db.session.commit()
            except Exception:  # noqa: BLE001 - try again next minute; the room keeps working
                db.session.rollback()
                log.warning("raati: presence heartbeat failed", exc_info=True)


def register(app) -> None:
    """Register the namespace on the *current* Socket.IO server.  ``socketio.init_app`` builds
    a new server for every ``create_app`` (tests build many), so this runs every time."""
    ns = RaatiNamespace(NAMESPACE)
    ns._set_socketio(socketio)
    socketio.server.register_namespace(ns)
