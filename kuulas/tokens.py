"""One-time and keyed link tokens: the one place that makes and hashes them.

- ``new()`` makes a random URL-safe token to put in a link; only ``digest(token)`` (SHA-256,
  hex) is stored, so a database dump cannot be used to open the link.
- ``keyed(purpose, value)`` is a token derived from the app's ``SECRET_KEY`` (HMAC-SHA-256)
  for links that must keep working in every mail without being stored at all (for example
  an unsubscribe link); ``keyed_matches`` compares in constant time.

Never log a token or its digest.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

TOKEN_BYTES = 32


def new() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(token: str | None) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def keyed(secret: str | bytes, purpose: str, value: str) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    mac = hmac.new(key, f"kuulas-link:{purpose}\x1f{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def keyed_matches(secret: str | bytes, purpose: str, value: str, token: str | None) -> bool:
    return hmac.compare_digest(keyed(secret, purpose, value), token or "")
