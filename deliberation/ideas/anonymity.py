"""Per-round participant tokens and their keyed hashes.  Pure: no Flask, no database.

A participant's browser holds ``v1.<token>.<mac>``: a random token and a MAC that proves we
issued it.  The database holds only ``participant_hash(key, token)``, an HMAC under a key
derived from SECRET_KEY and the round id, so:
- a dump of the database cannot be matched to a cookie without the secret key;
- the same browser gets unrelated hashes in different rounds;
- a forged cookie (made-up token, wrong MAC) is recognised and refused.

This module must never log, store or return the raw token anywhere except to the cookie.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

VERSION = "v1"


def round_key(secret_key: str | bytes, round_id: int) -> bytes:
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(secret, f"kuulas-ideas-round-key:{int(round_id)}".encode(), hashlib.sha256).digest()


def _mac(key: bytes, token: str) -> str:
    return hmac.new(key, f"cookie:{token}".encode(), hashlib.sha256).hexdigest()[:32]


def new_cookie(key: bytes) -> str:
    token = secrets.token_urlsafe(32)
    return f"{VERSION}.{token}.{_mac(key, token)}"


def token_from_cookie(key: bytes, value: str | None) -> str | None:
    """The token inside a cookie we issued for this round, or None (missing or forged)."""
    if not value or len(value) > 200:
        return None
    parts = value.split(".")
    if len(parts) != 3 or parts[0] != VERSION or not parts[1]:
        return None
    if not hmac.compare_digest(parts[2], _mac(key, parts[1])):
        return None
    return parts[1]


def participant_hash(key: bytes, token: str) -> str:
    return hmac.new(key, f"participant:{token}".encode(), hashlib.sha256).hexdigest()


def address_key(secret_key: str | bytes, address: str | None) -> str:
    """A keyed hash of a network address, for rate-limit keys (never stored in the database)."""
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(secret, f"ideas-address:{address or '-'}".encode(), hashlib.sha256).hexdigest()[:32]


def round_down(moment: datetime, minutes: int = 60) -> datetime:
    """Timestamps stored with participation are coarse: down to the hour by default."""
    moment = moment.replace(second=0, microsecond=0)
    total = moment.hour * 60 + moment.minute
    total -= total % max(1, min(minutes, 24 * 60))
    return moment.replace(hour=total // 60, minute=total % 60)
