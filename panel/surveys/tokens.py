"""Survey links and response keys, derived and never stored.  Pure: no Flask, no database.

- ``survey_key(secret, survey_id)``: an HMAC key per survey, derived from SECRET_KEY.
- ``member_token(key, volunteer_id)``: the member's one-time link token.  It is computed
  again whenever it is needed (mail, reminder, "send my link again", the member's own page);
  no table holds it.
- ``response_key(key, token)``: the primary key of the member's response row.

A database dump alone cannot tie a response to a member: that needs the secret key too (to
recompute the token of every member).  When a member leaves the panel, their response gets a
random key (``random_key``), after which nobody can link it, not even with the secret key.

This module must never log or store a token; it only returns them.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime

TOKEN_LENGTH = 32


def survey_key(secret_key: str | bytes, survey_id: int) -> bytes:
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(secret, f"kuulas-survey-key:{int(survey_id)}".encode(), hashlib.sha256).digest()


def member_token(key: bytes, volunteer_id: int) -> str:
    return hmac.new(key, f"member:{int(volunteer_id)}".encode(), hashlib.sha256).hexdigest()[:TOKEN_LENGTH]


def response_key(key: bytes, token: str) -> str:
    return hmac.new(key, f"response:{token}".encode(), hashlib.sha256).hexdigest()


def random_key() -> str:
    """A response key nobody can derive (for the responses of members who left).  It looks
    like any other key, so it does not even reveal that its respondent left."""
    return secrets.token_hex(32)


def well_formed(token: str | None) -> bool:
    return bool(token) and len(token) == TOKEN_LENGTH and all(c in "0123456789abcdef" for c in token)


def find_member(key: bytes, token: str, volunteer_ids) -> int | None:
    """The volunteer id among ``volunteer_ids`` whose token is ``token`` (constant-time
    comparison per candidate), or None."""
    if not well_formed(token):
        return None
    found = None
    for vid in volunteer_ids:
        if hmac.compare_digest(member_token(key, vid), token):
            found = vid
    return found


def day(moment: datetime) -> date:
    """Times kept with a response are rounded to the day."""
    return moment.date()
