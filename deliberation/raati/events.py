"""The room's Socket.IO namespace ``/raati``.

Flask's request hooks, CSRF protection and route rate limits do not run for socket events,
so every handler here checks for itself, each time: the connection's Origin against the
site's own, the account (still active, same session version) and its membership in *this*
raati (through the service, so a removed or muted member is refused even on a connection
opened before), a rate limit per member across all its connections and processes, and the
payload against the event's schema (``payloads``).  A member holds at most a few sockets.  Handlers only
validate and call one service; the gate (``_run``) commits, and the commit sends the events the
service saved (their broadcast is declared by ``core.append``, ``kuulas.effects``).  The ack is
``{ok: true, seq: [...]}`` or ``{ok: false, code, error}``.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, Namespace, join_room
from limits import RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from kuulas import realtime
from kuulas.clock import utcnow
from kuulas.realtime import origin_ok
from kuulas.errors import KuulasError
from kuulas.extensions import db, socketio

from . import core as room_core
from . import drafting, entry, gate, payloads, phases, services
from . import room as actions
from .payloads import Bool, Int, PayloadError, Str, StrList
from .ratelimit import LocalMovingWindow

log = logging.getLogger("kuulas.raati")
NAMESPACE = "/raati"
# Per member (account) across all of its connections, in every process (the limiter's
# storage is Redis when REDIS_URL is set): a burst of 10, about 4 a second sustained.
RATE_LIMITS = (RateLimitItemPerSecond(10, 2), RateLimitItemPerMinute(240))
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
    strikes: int = 0


_CONNS: dict[str, Conn] = {}
_LOCK = threading.Lock()


def _limiter():
    limiter = current_app.extensions.get("raati_limiter")
    if limiter is None:
        uri = current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
        # One process without shared storage: the same moving window, without limits' memory
        # storage and its expiry timer thread (ratelimit.py).
        limiter = LocalMovingWindow() if uri.startswith("memory://") \
            else MovingWindowRateLimiter(storage_from_string(uri))
        current_app.extensions["raati_limiter"] = limiter
    return limiter


def take(conn: Conn) -> bool:
    """One event's worth of the member's allowance (shared by all its sockets)."""
    prefix = (current_app.config.get("RATELIMIT_KEY_PREFIX") or "") + "raati-member"
    try:
        limiter = _limiter()
        ok = all([limiter.hit(item, prefix, str(conn.member_id)) for item in RATE_LIMITS])
    except Exception:  # noqa: BLE001 - the storage (Redis) is down: the room keeps working
        log.warning("raati: rate-limit storage failed", exc_info=True)
        return True
    if not ok:
        conn.strikes += 1
    return ok


# Event name -> {field: spec}.  Unknown fields are refused.  Every on_<event> handler has one
# (a test checks), so no handler sees a payload that was not checked.
SCHEMAS: dict[str, dict] = {
    "sync": {"after": Int(0)},
    "message": {"body": Str(room_core.MAX_MESSAGE)},
    "hand": {},
    "hand_down": {},
    "call_next": {},
    "question": {"body": Str(room_core.MAX_QUESTION)},
    "upvote": {"id": Int()},
    "answered": {"id": Int()},
    "poll": {"question": Str(300), "options": StrList(8, 100)},
    "vote": {"id": Int(), "option": Int(0, 7)},
    "poll_close": {"id": Int()},
    "pin": {"seq": Int(), "pinned": Bool()},
    "hide": {"seq": Int(), "reason": Str(room_core.MAX_REASON)},
    "moderate": {"member": Int(), "action": Str(10), "reason": Str(room_core.MAX_REASON, required=False)},
    "phase": {"id": Int()},
    "timer": {"action": Str(10), "seconds": Int(1, phases.MAX_TIMER_SECONDS, required=False)},
    "section": {"id": Int(required=False), "title": Str(200), "text": Str(20_000)},
    "review": {"id": Int(), "verdict": Str(20), "comment": Str(2000, required=False)},
    "lock": {"override": Str(room_core.MAX_REASON, required=False)},
}


def check_payload(event: str, data) -> dict:
    return payloads.check(SCHEMAS[event], data)


def error(code: str, message) -> dict:
    return {"ok": False, "code": code, "error": str(message)}


def send(out: list[tuple[int, dict]]) -> None:
    """Send saved events, ``(raati id, wire form)`` built while saving (``core.append``
    declares this for after the commit): one emit per event to the whole room
    (python-socketio encodes the packet once for all its members)."""
    for raati_id, wire in out:
        socketio.emit("event", wire, to=room(raati_id), namespace=NAMESPACE)


def kick(member_id: int, sids: list[str], reason: str) -> None:
    """Tell a removed member's windows why (``reason``, translated) and close its sockets
    (``sids``); both read while the removal was saved (``core.remove_member`` declares this
    for after the commit)."""
    socketio.emit("kicked", {"reason": reason}, to=member_room(member_id), namespace=NAMESPACE)
    # Closing a socket this process holds runs its disconnect handler right here, and that
    # writes; the committing session can no longer, so the handler gets a fresh app context
    # (and with it a session of its own).
    with current_app.app_context():
        for sid in sids:
            try:
                socketio.server.disconnect(sid, namespace=NAMESPACE)
            except Exception:  # noqa: BLE001 - already gone on another process
                pass


def presence(changes: list[dict]) -> None:
    """Tell each room about members who came or went, in one ``presence`` event per room:
    ``{"members": [{"member", "name", "role", "online"}, ...]}``."""
    by_room: dict[int, list[dict]] = {}
    for change in changes:
        by_room.setdefault(change["raati"], []).append(
            {k: change[k] for k in ("member", "name", "role", "online")})
    for raati_id, members in by_room.items():
        socketio.emit("presence", {"members": members}, to=room(raati_id), namespace=NAMESPACE)


# Presence changes are told in batches: when 300 members open the room within a second, each
# would otherwise be sent to everyone already there (45,000 sends).  A connect or disconnect
# notes the member; the first note schedules a flush PRESENCE_DELAY later, which reads the
# noted members' state as it is then (so the batch carries the final state, whichever process
# saw which socket) and emits it.
PRESENCE_DELAY = 0.25


def _presence_batch(app) -> dict:
    return app.extensions.setdefault("raati_presence", {"pending": set(), "scheduled": False})


def presence_changed(member_id: int) -> None:
    app = current_app._get_current_object()
    batch = _presence_batch(app)
    with _LOCK:
        batch["pending"].add(member_id)
        if batch["scheduled"]:
            return
        batch["scheduled"] = True
    delay = app.config.get("RAATI_PRESENCE_DELAY", PRESENCE_DELAY)
    if delay is not None:  # None: the caller flushes (tests)
        socketio.start_background_task(_flush_presence_later, app, delay)


def _flush_presence_later(app, delay: float) -> None:
    socketio.sleep(delay)
    with app.app_context():
        flush_presence()


def flush_presence() -> int:
    """Emit the noted presence changes now (in an app context); how many members were told."""
    batch = _presence_batch(current_app)
    with _LOCK:
        pending = set(batch["pending"])
        batch["pending"].clear()
        batch["scheduled"] = False
    if not pending:
        return 0
    try:
        changes = services.presence_of(pending, utcnow())
    except Exception:  # noqa: BLE001 - clients still get the full list with each sync
        log.warning("raati: presence batch failed", exc_info=True)
        return 0
    finally:
        db.session.rollback()
    presence(changes)
    return len(changes)


class RaatiNamespace(Namespace):
    # --- connection ---------------------------------------------------------------------
    def on_connect(self, auth=None):
        if not origin_ok():
            log.warning("raati: refused cross-origin connection from %s", request.headers.get("Origin"))
            return False
        raati_id = (auth or {}).get("raati") if isinstance(auth, dict) else None
        if raati_id is None:
            raati_id = request.args.get("raati", type=int)
        if not isinstance(raati_id, int) or isinstance(raati_id, bool):
            return False
        now = utcnow()
        try:
            # On SQLite one query for the account, the membership and the open sockets.
            member = entry.connect(raati_id, request.sid, now)
            if member is None:  # not signed in
                db.session.rollback()
                return False
            # Read before the commit expires them (reading after would reload both rows).
            conn = Conn(current_user.id, current_user.session_version, raati_id, member.id)
            db.session.commit()
        except KuulasError as exc:
            db.session.rollback()
            # The client's connect_error carries the translated reason (err.data).
            raise ConnectionRefusedError(str(exc), error(exc.code, exc)) from None
        with _LOCK:
            _CONNS[request.sid] = conn
        _ensure_heartbeat()
        join_room(room(raati_id))
        join_room(member_room(conn.member_id))
        presence_changed(conn.member_id)
        return True

    def on_disconnect(self, reason=None):
        with _LOCK:
            _CONNS.pop(request.sid, None)
        member_id = services.disconnect(request.sid)
        db.session.commit()
        if member_id is not None:
            presence_changed(member_id)

    # --- the common gate ------------------------------------------------------------------
    def _run(self, event: str, data, action):
        conn = _CONNS.get(request.sid)
        if conn is None:
            return error("not_joined", _("You are not connected to this digiraati."))
        if not origin_ok():
            return error("origin", _("This connection was opened from another site."))
        if not take(conn):
            if conn.strikes >= STRIKES_BEFORE_DISCONNECT:
                self.disconnect(request.sid)
            return error("rate_limited", _("Too many actions at once. Please wait a moment."))
        try:
            data = check_payload(event, data)
        except PayloadError:
            return error("invalid", _("The request was malformed or too large."))
        # One query: the account's active flag and session version (a revoked session ends
        # here, on its next event) with the member, raati and phase the service will read.
        account = gate.load(conn.account_id, conn.member_id, conn.session_version)
        if account is None:
            db.session.rollback()
            self.disconnect(request.sid)
            return error("access_denied", _("Your session has ended. Please sign in again."))
        now = utcnow()
        try:
            result = action(account, conn, data, now)
            if event in STAFF_EVENTS:
                # Reached only when the service allowed it (a moderator's or chair's action).
                _audit(event, account, conn, data, now)
            # Read before the commit expires the rows; the commit sends the events.
            seqs = None if isinstance(result, dict) else sorted(e.seq for e in result)
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
        return {"ok": True, "seq": seqs}

    # --- events ---------------------------------------------------------------------------
    def on_sync(self, data=None):
        def act(account, conn, d, now):
            events = room_core.events_after(conn.raati_id, d["after"], actor=account, now=now)
            return {"events": [e.wire() for e in events], "more": len(events) >= 500,
                    "online": services.online(conn.raati_id, now), "me": conn.member_id,
                    "can": actions.abilities(conn.raati_id, actor=account, now=now),
                    "announce": actions.client_rules()}
        return self._run("sync", data, act)

    def on_message(self, data=None):
        return self._run("message", data, lambda a, c, d, now: actions.post_message(
            c.raati_id, d["body"], actor=a, now=now))

    def on_hand(self, data=None):
        return self._run("hand", data, lambda a, c, d, now: actions.raise_hand(c.raati_id, actor=a, now=now))

    def on_hand_down(self, data=None):
        return self._run("hand_down", data, lambda a, c, d, now: actions.lower_hand(c.raati_id, actor=a, now=now))

    def on_call_next(self, data=None):
        return self._run("call_next", data, lambda a, c, d, now: actions.call_next(c.raati_id, actor=a, now=now))

    def on_question(self, data=None):
        return self._run("question", data, lambda a, c, d, now: actions.ask_question(
            c.raati_id, d["body"], actor=a, now=now))

    def on_upvote(self, data=None):
        return self._run("upvote", data, lambda a, c, d, now: actions.upvote_question(
            c.raati_id, d["id"], actor=a, now=now))

    def on_answered(self, data=None):
        return self._run("answered", data, lambda a, c, d, now: actions.answer_question(
            c.raati_id, d["id"], actor=a, now=now))

    def on_poll(self, data=None):
        return self._run("poll", data, lambda a, c, d, now: actions.create_poll(
            c.raati_id, d["question"], d["options"], actor=a, now=now))

    def on_vote(self, data=None):
        return self._run("vote", data, lambda a, c, d, now: actions.vote_poll(
            c.raati_id, d["id"], d["option"], actor=a, now=now))

    def on_poll_close(self, data=None):
        return self._run("poll_close", data, lambda a, c, d, now: actions.close_poll(
            c.raati_id, d["id"], actor=a, now=now))

    def on_pin(self, data=None):
        return self._run("pin", data, lambda a, c, d, now: actions.pin_message(
            c.raati_id, d["seq"], d["pinned"], actor=a, now=now))

    def on_hide(self, data=None):
        return self._run("hide", data, lambda a, c, d, now: actions.hide_message(
            c.raati_id, d["seq"], d["reason"], actor=a, now=now))

    def on_moderate(self, data=None):
        return self._run("moderate", data, lambda a, c, d, now: actions.moderate_member(
            c.raati_id, d["member"], d["action"], actor=a, now=now, reason=d.get("reason") or ""))

    def on_phase(self, data=None):
        return self._run("phase", data, lambda a, c, d, now: actions.set_phase(
            c.raati_id, d["id"], actor=a, now=now))

    def on_timer(self, data=None):
        return self._run("timer", data, lambda a, c, d, now: actions.timer_action(
            c.raati_id, d["action"], d.get("seconds"), actor=a, now=now))

    def on_section(self, data=None):
        return self._run("section", data, lambda a, c, d, now: drafting.save_section(
            c.raati_id, d.get("id"), d["title"], d["text"], actor=a, now=now))

    def on_review(self, data=None):
        return self._run("review", data, lambda a, c, d, now: drafting.review_section(
            c.raati_id, d["id"], d["verdict"], d.get("comment"), actor=a, now=now))

    def on_lock(self, data=None):
        return self._run("lock", data, lambda a, c, d, now: drafting.close_drafting(
            c.raati_id, actor=a, now=now, override=d.get("override")))


# A staff member's moderation in the room goes to the access log (kuulas.audit), in the same
# transaction: ids and the chosen action only, never a message's or a reason's text.
STAFF_EVENTS = frozenset({"hide", "pin", "moderate", "phase", "timer", "poll_close", "lock",
                          "call_next", "answered"})


def _audit(event: str, account, conn, data: dict, now) -> None:
    from kuulas import audit

    detail = {key: data[key] for key in ("seq", "member", "id", "action", "pinned")
              if isinstance(data.get(key), (bool, int, str))}
    member = getattr(account, "room_member", None)
    audit.record(f"raati.room.{event}", actor=account, target_type="raati", target_id=conn.raati_id,
                 detail=detail, ip=request.remote_addr, now=now,
                 actor_role=f"raati:{member.role}" if member is not None else None)


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


# What python-socketio raises on a packet it cannot decode (JSON nested past the recursion
# limit, a binary attachment that does not match its placeholder ...).
_DECODE_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError)


def _guard_decoding(app, server) -> None:
    """A packet that python-socketio cannot decode would otherwise end as a traceback in
    Engine.IO's log and leave a half-read binary packet behind.  Refuse it with one log line
    and tell the sender, in its language, with a ``room_error`` event (there is no ack: the
    packet's id could not be read)."""
    original = server._handle_eio_message
    if getattr(original, "raati_guard", False):
        return

    def guarded(eio_sid, data):
        try:
            return original(eio_sid, data)
        except _DECODE_ERRORS as exc:
            server._binary_packet.pop(eio_sid, None)
            log.warning("raati: refused a malformed socket packet (%s)", type(exc).__name__)
            sid = server.manager.sid_from_eio_sid(eio_sid, NAMESPACE)
            environ = server.environ.get(eio_sid)
            if sid is None or environ is None:
                return None
            with app.request_context(environ):
                payload = error("invalid", _("The request was malformed or too large."))
            server.emit("room_error", payload, to=sid, namespace=NAMESPACE)
            return None

    guarded.raati_guard = True
    server._handle_eio_message = guarded
    server.eio.on("message", guarded)


def register(app) -> None:
    """Register the namespace on the *current* Socket.IO server.  ``socketio.init_app`` builds
    a new server for every ``create_app`` (tests build many), so this runs every time."""
    realtime.register_namespace(RaatiNamespace, NAMESPACE)
    _guard_decoding(app, socketio.server)
    gate.prepare()
