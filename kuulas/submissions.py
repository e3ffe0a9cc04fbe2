"""Idempotent form submissions: a double click, a reload of a POST or the back button
followed by "send again" saves a form once.

``kuulas.web.form_page`` (and ``attempt(..., once=True)``) key each valid submission by an
HMAC of the endpoint, its URL arguments, the submitter and the posted fields (the CSRF
token left out).  The key is written in the same transaction as what the form creates; a
second identical submission inside ``WINDOW`` finds it and is sent to the first one's
result instead of creating another.  Two submissions racing each other meet at the key's
primary key: the loser rolls back and follows the winner.

The key is a keyed hash: it reveals neither the text nor who sent it, and rows are purged
once the window has passed.  Must never store the posted values themselves.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta

from sqlalchemy import String, delete
from sqlalchemy.orm import Mapped, mapped_column

from . import scheduler
from .clock import utcnow
from .extensions import db

WINDOW = timedelta(minutes=10)


class FormSubmission(db.Model):
    __tablename__ = "form_submission"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    result_url: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def submission_key(extra: str = "") -> str:
    """The key of the current request's submission (call inside a request)."""
    from flask import current_app, request, session
    from flask_login import current_user

    if getattr(current_user, "is_authenticated", False):
        submitter = "account:" + str(current_user.get_id())
    else:
        # Anonymous submitters get a random nonce in their (already present) session cookie.
        submitter = "anon:" + session.setdefault("_submitter", secrets.token_urlsafe(16))
    fields = sorted((name, value) for name, values in request.form.lists()
                    for value in values if name != "csrf_token")
    files = []
    for name, storage in request.files.items(multi=True):
        data = storage.stream.read()
        storage.stream.seek(0)
        files.append((name, storage.filename or "", hashlib.sha256(data).hexdigest()))
    payload = json.dumps([request.endpoint, sorted((request.view_args or {}).items(), key=str),
                          submitter, extra, fields, sorted(files)], default=str, ensure_ascii=False)
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"form-submission:" + payload.encode(), hashlib.sha256).hexdigest()


def earlier(key: str, now: datetime) -> FormSubmission | None:
    """The recorded earlier submission with this key, if it is still inside the window.
    An expired row is removed so the key can be used again."""
    row = db.session.get(FormSubmission, key)
    if row is None:
        return None
    if row.created_at <= now - WINDOW:
        db.session.delete(row)
        db.session.flush()
        return None
    return row


def record(key: str, result_url: str, now: datetime) -> None:
    db.session.add(FormSubmission(key=key, result_url=result_url[:500], created_at=now))
    db.session.flush()


def purge(now: datetime) -> int:
    result = db.session.execute(delete(FormSubmission).where(FormSubmission.created_at <= now - WINDOW))
    return result.rowcount or 0


@scheduler.job("kernel.purge_form_submissions", seconds=3600)
def purge_job(now: datetime) -> int:
    return purge(now)
