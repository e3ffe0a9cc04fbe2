"""One-time and keyed link tokens: the one place that makes, hashes, checks and uses them.

- ``new()`` makes a random URL-safe token to put in a link; only ``digest(token)`` (SHA-256,
  hex) is stored, so a database dump cannot be used to open the link.
- ``find(model, token)`` is the row whose stored digest matches (``peek``: check without
  using); ``claim(model, row_id, *still, **values)`` uses it up with one guarded UPDATE, so
  of two clicks (or a click and a job) exactly one wins (``consume``).
- ``confirm_link(...)`` is the one shape of a view behind a mailed one-time link: a GET only
  checks the link and shows a page with one button (mail scanners open links and must not
  use them up); the POST uses the link in one transaction.
- ``keyed(purpose, value)`` is a token derived from the app's ``SECRET_KEY`` (HMAC-SHA-256)
  for links that must keep working in every mail without being stored at all (for example
  an unsubscribe link); ``keyed_matches`` compares in constant time.

Never log a token or its digest.  Plain Python: the database and Flask are imported only
inside the functions that need them.
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


# --- stored one-time tokens ----------------------------------------------------------------

def find(model, token: str | None, *, column: str = "token_hash"):
    """The row of ``model`` whose ``column`` holds ``digest(token)``, or None (peek: the link is
    checked, not used).  The caller raises its own "not valid / expired / used" errors."""
    from sqlalchemy import select

    from .extensions import db

    return db.session.scalar(select(model).where(getattr(model, column) == digest(token)))


def check(row, *, now, invalid: Exception, used: Exception, expired: Exception):
    """The refusals every one-time link shares, in one order: no such link (``row`` is None),
    already used (``row.used_at``), expired (``row.expires_at``).  Raises the caller's own
    translated errors; returns the row when it may still be used."""
    if row is None:
        raise invalid
    if row.used_at is not None:
        raise used
    if row.expires_at <= now:
        raise expired
    return row


def claim(model, row_id, *still, synchronize_session="auto", **values) -> bool:
    """Use a one-time row up: ``UPDATE model SET **values WHERE id = row_id AND *still``.
    True when this call changed the row; False when another request (a second click, the
    expiry job) got there first.  ``still`` states what "not used yet" means for the model,
    for example ``LoginToken.used_at.is_(None)``."""
    from sqlalchemy import update

    from .extensions import db

    result = db.session.execute(
        update(model).where(model.id == row_id, *still).values(**values)
        .execution_options(synchronize_session=synchronize_session))
    return result.rowcount == 1


# --- the view behind a mailed link ---------------------------------------------------------

def confirm_link(token: str, *, peek, use, page, done, problem=None, form=None):
    """The view of a one-time link: ``GET`` -> a confirmation page -> ``POST`` uses the link.

    - Not a POST, or a POST whose ``form`` does not validate: ``peek(token)`` checks the link
      without writing anything and ``page(peeked)`` is the response (a button to press).
    - A POST whose ``form`` validates (no form: any POST): ``use(token)`` runs as one
      transaction through ``kuulas.web.attempt``; ``done(result)`` is the response.
    - A domain error from either (not valid, expired, used, ...): rolled back, and
      ``problem(exc)`` is the response; without ``problem`` the error goes to the app's
      error pages (404, 410, ...).
    """
    from flask import request

    from .errors import KuulasError
    from .extensions import db
    from .web import attempt

    def failed(exc):
        if problem is None:
            raise exc
        return problem(exc)

    if request.method == "POST" and (form is None or form.validate_on_submit()):
        ok, result = attempt(lambda: use(token), flash_error=False)
        return done(result) if ok else failed(result)
    try:
        peeked = peek(token)
    except KuulasError as exc:
        db.session.rollback()
        return failed(exc)
    return page(peeked)
