"""The vote gateway: the everyday vote of ``ideas.js``, answered in front of Flask.

A participant votes again and again, one idea at a time; on PostgreSQL each of those votes
is one statement (``voting.cast_pg``).  Flask's request machinery around it (the session,
CSRF, the limiter's decorators, Babel, the after-request hooks) cost several times the
statement itself, so this WSGI layer answers the ordinary vote directly: it runs the same
checks with the same keys and the same functions, and the same statement.

It answers only a request it can answer exactly as the Flask view would:

- ``POST /ideariihi/<round>/aani`` from ``ideas.js`` (``X-Requested-With: ideas.js``), a
  form-urlencoded body of at most ``MAX_BODY`` bytes;
- no signed-in user (no ``_user_id`` or permanent session, no remember-me cookie);
- CSRF as Flask-WTF checks it: the session cookie opened with Flask's own signer and age,
  the form's token unsigned with Flask-WTF's salt, secret and time limit and compared in
  constant time, and on HTTPS the same-origin referrer;
- the round's participation cookie valid (``participation``), this year's participation
  cookie present (so ``count_browser`` has nothing to do), a well-formed choice;
- the vote's rate limits not reached (``vote_limits``, the same counters as the view);
- the vote stored (``voting.cast_pg`` returns a Cast).

Anything else, including any error, goes on to Flask unchanged, with the body it came with
and, when the limits were counted here, their verdict (``vote_limits.COUNTED``); Flask then
answers as before (the same error, message and cookies).  A vote stored here and handed on
after an error is stored again by the view: the upsert leaves one row.  The answer is the
view's JSON, with the security headers every answer carries (``kuulas.security``).
"""
from __future__ import annotations

import hmac
import io
import json
import logging
import re
import threading
import time
from urllib.parse import parse_qsl

from flask_wtf.csrf import same_origin
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.http import parse_cookie
from werkzeug.wsgi import get_host

from kuulas.clock import utcnow
from kuulas.security import base_headers

from . import anonymity, participation, vote_limits, voting
from .common import valid_public_id
from .models import VOTE_VALUES

log = logging.getLogger(__name__)

PATH = re.compile(r"/ideariihi/([1-9][0-9]{0,9})/aani")
MAX_BODY = 2048
FORM = "application/x-www-form-urlencoded"


class VoteGateway:
    """WSGI middleware; ``handled`` counts the votes answered here."""

    def __init__(self, wsgi_app, app):
        self.wsgi_app, self.app = wsgi_app, app
        self.handled = 0
        self._verified = _Verified()
        self._state = None
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("HTTP_X_REQUESTED_WITH") == "ideas.js":
            match = PATH.fullmatch(environ.get("PATH_INFO", ""))
            if match:
                try:
                    body = self._vote(environ, int(match.group(1)))
                except Exception as exc:  # noqa: BLE001 - Flask answers instead, with its own handling
                    # The type only: a database error's text can quote the statement's values.
                    log.warning("vote gateway handed a vote on to Flask after %s", type(exc).__name__)
                    body = None
                if body is not None:
                    self.handled += 1
                    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                               ("Vary", "Cookie"), *base_headers(self.app.config["SESSION_COOKIE_SECURE"])]
                    start_response("200 OK", headers)
                    return [body]
        return self.wsgi_app(environ, start_response)

    def _setup(self) -> dict:
        """The engine and the limiter, found once; the configuration is read per request,
        as Flask and Flask-WTF read it."""
        if self._state is None:
            with self._lock, self.app.app_context():
                from kuulas.extensions import db, limiter

                self._state = {"on": db.engine.dialect.name == "postgresql", "engine": db.engine,
                               "limiter": limiter, "signers": {}}
        return self._state

    def _signer(self, state, secret, salt) -> URLSafeTimedSerializer:
        signer = state["signers"].get((secret, salt))
        if signer is None:
            signer = state["signers"][(secret, salt)] = URLSafeTimedSerializer(secret, salt=salt)
        return signer

    def _vote(self, environ, round_id: int) -> bytes | None:
        state = self._setup()
        if not state["on"]:
            return None
        form = _read_form(environ)
        if form is None:
            return None
        cfg = self.app.config
        cookies = parse_cookie(environ)
        if cookies.get(cfg.get("REMEMBER_COOKIE_NAME", "remember_token")) or \
                not self._csrf_ok(state, cfg, environ, cookies, form):
            return None
        from deliberation.participation.views import YEAR_COOKIE

        now = utcnow()
        if cookies.get(YEAR_COOKIE) != str(now.year):
            return None
        key = anonymity.round_key(cfg["SECRET_KEY"], round_id)     # not kept: any number can come in
        token = anonymity.token_from_cookie(key, cookies.get(participation.cookie_name(round_id)))
        value = VOTE_VALUES.get(form.get("value") or "")
        ref = form.get("idea_id")
        if token is None or value is None or not valid_public_id(ref):
            return None
        voter = anonymity.participant_hash(key, token)
        limiter = state["limiter"]
        if limiter.enabled:
            ok = vote_limits.allow(limiter.limiter, participation.participant_limit_key(voter),
                                   participation.address_limit_key(cfg["SECRET_KEY"], environ.get("REMOTE_ADDR")))
            environ[vote_limits.COUNTED] = "ok" if ok else "over"
            if not ok:
                return None
        done = _cast(state["engine"], round_id, ref, voter, value, now)
        if done is None:
            return None
        nxt = None
        if done.next:
            nxt = {"id": done.next[0], "text": done.next[1],
                   "url": f"{environ.get('SCRIPT_NAME', '')}/ideariihi/{round_id}/ideat/{done.next[0]}"}
        payload = {"ok": True, "idea_id": done.public_id, "next": nxt}
        return (json.dumps(payload, ensure_ascii=True, sort_keys=True, separators=(",", ":")) + "\n").encode()

    def _csrf_ok(self, state, cfg, environ, cookies, form) -> bool:
        """Flask's session (its signer, salt and age) and Flask-WTF's check, with the same
        configuration; False where either would refuse or a user is signed in."""
        raw = cookies.get(cfg["SESSION_COOKIE_NAME"])
        session = {}
        if raw:
            session = self._verified.loads(
                ("session", cfg["SECRET_KEY"], raw), int(self.app.permanent_session_lifetime.total_seconds()),
                lambda: self.app.session_interface.get_signing_serializer(self.app))
            if session is None:
                return False
        if not isinstance(session, dict) or "_user_id" in session or session.get("_permanent"):
            return False
        if not (cfg.get("WTF_CSRF_ENABLED", True) and cfg.get("WTF_CSRF_CHECK_DEFAULT", True)
                and "POST" in cfg.get("WTF_CSRF_METHODS", ["POST"])):
            return True
        field = cfg.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        signed, expected = form.get(field), session.get(field)
        if not signed or not isinstance(expected, str):
            return False
        secret = cfg.get("WTF_CSRF_SECRET_KEY") or cfg["SECRET_KEY"]
        token = self._verified.loads(("csrf", secret, signed), cfg.get("WTF_CSRF_TIME_LIMIT", 3600),
                                     lambda: self._signer(state, secret, "wtf-csrf-token"))
        if not isinstance(token, str) or not hmac.compare_digest(expected, token):
            return False
        if environ.get("wsgi.url_scheme") == "https" and cfg.get("WTF_CSRF_SSL_STRICT", True):
            referrer = environ.get("HTTP_REFERER")
            host = get_host(environ, cfg.get("TRUSTED_HOSTS"))
            return bool(referrer) and same_origin(referrer, f"https://{host}/")
        return True


class _Verified:
    """Signed strings this process has verified, with their payload and signing time.  A
    participant sends the same session cookie and CSRF token with every vote; a string seen
    before (byte for byte, under the same secret) is not verified again, but its age is
    checked against the limit every time, as ``itsdangerous`` checks it.  Bounded: the
    oldest entries go first."""

    def __init__(self, size: int = 20_000):
        self.size, self._seen, self._lock = size, {}, threading.Lock()

    def loads(self, key: tuple, max_age: int | None, signer):
        """The payload of ``key[-1]``, or None if its signature is bad or it is too old."""
        hit = self._seen.get(key)
        if hit is None:
            try:
                payload, signed_at = signer().loads(key[-1], max_age=max_age, return_timestamp=True)
            except BadData:
                return None
            hit = (payload, signed_at.timestamp())
            with self._lock:
                if len(self._seen) >= self.size:
                    self._seen.pop(next(iter(self._seen)), None)
                self._seen[key] = hit
        age = time.time() - hit[1]
        if max_age is not None and not 0 <= age <= max_age:
            return None
        return hit[0]


def _read_form(environ) -> dict | None:
    """The form's fields (the first of each name), or None; the body stays readable for Flask."""
    if (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower() != FORM:
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    if not 0 < length <= MAX_BODY:
        return None
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        return None
    form = {}
    for name, value in pairs:
        form.setdefault(name, value)
    return form


def _cast(engine, round_id, ref, voter, value, now):
    """``voting.cast_pg`` on a pooled connection in autocommit: the vote statement is its own
    transaction (one round trip), and so is the read-back of the dealt idea."""
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                def run(sql, params):
                    cur.execute(sql, params)
                    return cur.fetchall()
                return voting.cast_pg(run, round_id, ref, voter, value, now=now, deal=True)
        finally:
            conn.autocommit = False
    except Exception:
        raw.invalidate()        # the connection's state is unknown: the pool makes a new one
        raise
    finally:
        raw.close()


def install(app) -> VoteGateway:
    gateway = VoteGateway(app.wsgi_app, app)
    app.wsgi_app = gateway
    app.extensions["kuulas_vote_gateway"] = gateway
    return gateway
