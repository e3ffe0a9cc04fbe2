"""The web side of anonymity: the per-round cookie, rate-limit keys, and a logging filter.

- The cookie ``kuulas_idea_<round>`` holds ``v1.<token>.<mac>`` (see ``anonymity``), is
  HttpOnly, SameSite=Lax, scoped to the round's path and kept until a while after closing.
- Rate-limit keys are keyed hashes (of the participant, of the address), so neither the
  in-memory nor the Redis limiter store ever holds a raw token or IP address.
- ``kuulas.logfilter`` removes network addresses from every log line about the public
  idea-round pages (Werkzeug's access log, Flask-Limiter, the app logger).
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, request

from kuulas import logfilter

from . import anonymity
from .common import Participant

COOKIE_PREFIX = "kuulas_idea_"
PUBLIC_PREFIX = "/ideariihi"


def cookie_name(round_id: int) -> str:
    return f"{COOKIE_PREFIX}{int(round_id)}"


def _key(round_id: int) -> bytes:
    return anonymity.round_key(current_app.config["SECRET_KEY"], round_id)


def cookie_state(round_id: int) -> str:
    """'ok', 'missing' or 'forged' for the current request."""
    value = request.cookies.get(cookie_name(round_id))
    if not value:
        return "missing"
    return "ok" if anonymity.token_from_cookie(_key(round_id), value) else "forged"


def current_participant(round_id: int) -> Participant | None:
    token = anonymity.token_from_cookie(_key(round_id), request.cookies.get(cookie_name(round_id)))
    if token is None:
        return None
    return Participant(round_id, anonymity.participant_hash(_key(round_id), token))


def issue_cookie(response, round_) -> None:
    max_age = max(3600, int((round_.closes_at - round_.created_at).total_seconds()) + 30 * 24 * 3600)
    response.set_cookie(cookie_name(round_.id), anonymity.new_cookie(_key(round_.id)), max_age=max_age,
                        path=f"{PUBLIC_PREFIX}/{round_.id}", httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])


def participant_rate_key() -> str:
    round_id = (request.view_args or {}).get("round_id")
    if round_id is None:
        return "ideas-p:none"
    participant = current_participant(round_id)
    return f"ideas-p:{participant.hash[:32]}" if participant else "ideas-p:none"


def address_rate_key() -> str:
    return "ideas-a:" + anonymity.address_key(current_app.config["SECRET_KEY"], request.remote_addr)


def install_log_filter(app) -> None:
    """Idea-round pages and their sockets are anonymous: no address in their log lines."""
    logfilter.protect(PUBLIC_PREFIX, "/socket.io", markers=("ideas-a:", "ideas-p:"))
    logfilter.install(app)


def token_lifetime() -> timedelta:
    return timedelta(days=30)
