"""The record of data-subject requests (GDPR arts. 15-17): who handled which request, when,
what was done and on what basis.  The person is stored only as a keyed hash of their
address (HMAC with the app secret), so the record itself does not keep the erased address."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..extensions import db

EXPORT, ERASE = "export", "erase"
KINDS = (EXPORT, ERASE)
SELF, STAFF = "self", "staff"     # the person on their own page, or staff on a written request


class DataRequest(db.Model):
    __tablename__ = "data_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    subject_hash: Mapped[str] = mapped_column(String(64), index=True)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    basis: Mapped[str] = mapped_column(String(500), default="")
    rows: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
