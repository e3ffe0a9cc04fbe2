from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..extensions import db

QUEUED, SENDING, SENT, FAILED, HELD = "queued", "sending", "sent", "failed", "held"


class OutboxMail(db.Model):
    __tablename__ = "outbox_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # What kind of mail this is (login, invitation ...): staff see it even after the body is gone.
    category: Mapped[str] = mapped_column(String(40), default="general")
    # Extra headers ({"List-Unsubscribe": ...}); only names in services.EXTRA_HEADERS are sent.
    headers: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default=QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    attachments: Mapped[list["OutboxAttachment"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin")


class OutboxAttachment(db.Model):
    __tablename__ = "outbox_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    mail_id: Mapped[int] = mapped_column(ForeignKey("outbox_mail.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
