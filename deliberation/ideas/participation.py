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
from werkzeug.exceptions import TooManyRequests

from kuulas import logfilter

from . import anonymity, vote_limits
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
    participant = current_participant(round_id) if round_id is not None else None
    return participant_limit_key(participant.hash if participant else None)


def address_rate_key() -> str:
    return address_limit_key(current_app.config["SECRET_KEY"], request.remote_addr)


def count_vote_or_refuse() -> None:
    """Count this vote against the vote's rate limits (``vote_limits``), once: the vote
    gateway's verdict when the vote came through it, else counted here; 429 when over."""
    from kuulas.extensions import limiter

    verdict = request.environ.get(vote_limits.COUNTED)
    if verdict is None:
        if not limiter.enabled:
            return
        verdict = "ok" if vote_limits.allow(limiter.limiter, participant_rate_key(), address_rate_key()) else "over"
    if verdict != "ok":
        raise TooManyRequests()


def participant_limit_key(participant_hash: str | None) -> str:
    return f"ideas-p:{participant_hash[:32]}" if participant_hash else "ideas-p:none"


def address_limit_key(secret_key: str | bytes, address: str | None) -> str:
    return "ideas-a:" + anonymity.address_key(secret_key, address)


def install_log_filter(app) -> None:
    """Idea-round pages and their sockets are anonymous: no address in their log lines."""
    logfilter.protect(PUBLIC_PREFIX, "/socket.io", markers=("ideas-a:", "ideas-p:"))
    logfilter.install(app)


def token_lifetime() -> timedelta:
    return timedelta(days=30)
