"""The one place every data-subject request is recorded (export or erasure, by the person
themselves or by staff on a written request).  Nothing else writes ``data_request`` rows,
so an access-log line for each request belongs here too."""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from .. import audit
from ..extensions import db
from .models import KINDS, DataRequest


def subject_hash(email: str, secret: str | bytes) -> str:
    """HMAC-SHA256 of the normalised address: the same person gives the same hash (so
    repeated requests can be told apart from new ones), but the table alone cannot be
    turned back into addresses by trying a list of them without the key."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def log_request(kind: str, email: str, *, channel: str, actor, basis: str, rows: int,
                now: datetime, secret: str | bytes) -> DataRequest:
    """Record one request in the caller's transaction (rolled back with it)."""
    if kind not in KINDS:
        raise ValueError(kind)
    row = DataRequest(kind=kind, channel=channel, subject_hash=subject_hash(email, secret),
                      handled_by_id=getattr(actor, "id", None) if actor is not None
                      and getattr(actor, "is_staff", False) else None,
                      basis=(basis or "")[:500], rows=rows, created_at=now)
    db.session.add(row)
    db.session.flush()
    # The access-log line: which request, by whom (staff) or by the person themselves, and
    # how many rows; never the address (the request row holds only its keyed hash).
    staff = row.handled_by_id is not None
    audit.record(f"privacy.request.{kind}", actor=actor if staff else None,
                 actor_role=None if staff else audit.RESIDENT, target_type="data_request", target_id=row.id,
                 detail={"channel": channel, "rows": int(rows or 0)}, now=now)
    return row


def history(email: str, secret: str | bytes) -> list[DataRequest]:
    from sqlalchemy import select

    return list(db.session.scalars(select(DataRequest).where(
        DataRequest.subject_hash == subject_hash(email, secret)).order_by(DataRequest.created_at.desc())))
