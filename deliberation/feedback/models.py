"""Tables of the service-feedback area.

Anonymity is a property of the schema:
- ``Feedback`` has no account, IP address, user agent or cookie column; its time is rounded
  down to the hour; its text is masked (``kuulas.redact``) before it is stored;
- an address for an answer lives only in ``FeedbackContact``, keyed by the feedback, and is
  deleted as soon as the answer is queued (the outbox forgets it once delivered);
- kiosks are devices, not people: a kiosk row holds the hash of its device token and of its
  unlock code, and the one-time form nonces it has handed out.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kuulas import translated
from kuulas.extensions import db

from .lifecycle import ITEM_OPEN, NEW

LOCALES = ("fi", "sv", "en")


class Translated:
    """fi/sv/en texts kept as one JSON per field, read by ``kuulas.translated``'s one rule."""

    def text_lang(self, field: str, locale: str) -> str:
        return translated.choose(getattr(self, field), locale).lang

    def text(self, field: str, locale: str) -> str:
        return translated.choose(getattr(self, field), locale).text


class Unit(Translated, db.Model):
    """A service unit (toimintayksikkö) that takes feedback."""
    __tablename__ = "feedback_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Public, unguessable-enough key used in QR links: /palaute/<slug>
    slug: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[dict] = mapped_column(JSON, default=dict)
    area: Mapped[str] = mapped_column(String(40), default="")       # service area key
    target_days: Mapped[int] = mapped_column(default=14)
    manager_email: Mapped[str] = mapped_column(String(254), default="")
    manager_locale: Mapped[str] = mapped_column(String(5), default="fi")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    handlers: Mapped[list["UnitHandler"]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", lazy="selectin")


class UnitHandler(db.Model):
    __tablename__ = "feedback_unit_handler"

    unit_id: Mapped[int] = mapped_column(ForeignKey("feedback_unit.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), primary_key=True,
                                            index=True)
    unit: Mapped[Unit] = relationship(back_populates="handlers")
    account = relationship("Account", lazy="joined")


class Feedback(db.Model):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("feedback_unit.id", ondelete="CASCADE"), index=True)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    kind: Mapped[str | None] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text, default="")             # masked at arrival
    language: Mapped[str] = mapped_column(String(5), default="fi")
    channel: Mapped[str] = mapped_column(String(8), default="web")   # web / kiosk
    received_at: Mapped[datetime] = mapped_column(index=True)       # rounded down to the hour
    due_on: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(12), default=NEW, index=True)
    wants_answer: Mapped[bool] = mapped_column(default=False)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    tags: Mapped[list] = mapped_column(JSON, default=list)
    # What the public may see, after the handler has removed what identifies anyone.
    public_text: Mapped[str | None] = mapped_column(Text)
    reply: Mapped[str] = mapped_column(Text, default="")
    reply_public: Mapped[bool] = mapped_column(default=False)
    answered_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    reminded_near_on: Mapped[date | None] = mapped_column(Date)
    reminded_overdue_on: Mapped[date | None] = mapped_column(Date)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("feedback_item.id", ondelete="SET NULL"), index=True)

    unit: Mapped[Unit] = relationship(lazy="joined")

    @property
    def done_on(self) -> date | None:
        return self.answered_on or self.closed_on


class FeedbackContact(db.Model):
    """The address a writer left for an answer: apart from the feedback, gone once answered."""
    __tablename__ = "feedback_contact"

    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5), default="fi")


class DevelopmentItem(Translated, db.Model):
    """Kehittämiskohde: feedback with one theme, carried to a decision."""
    __tablename__ = "feedback_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("feedback_unit.id", ondelete="SET NULL"), index=True)
    title: Mapped[dict] = mapped_column(JSON, default=dict)
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    theme: Mapped[str] = mapped_column(String(60), default="")
    state: Mapped[str] = mapped_column(String(12), default=ITEM_OPEN, index=True)
    decision: Mapped[dict] = mapped_column(JSON, default=dict)
    decided_on: Mapped[date | None] = mapped_column(Date)
    change: Mapped[dict] = mapped_column(JSON, default=dict)       # what was changed in the service
    changed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))

    unit: Mapped[Unit | None] = relationship(lazy="joined")


class Kiosk(db.Model):
    """A tablet by the door: a device token (hashed) bound to one unit."""
    __tablename__ = "feedback_kiosk"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("feedback_unit.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(80), default="")
    setup_hash: Mapped[str | None] = mapped_column(String(64), unique=True)   # one-time set-up code
    device_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    unlock_hash: Mapped[str] = mapped_column(String(200))                      # argon2 of the PIN
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    activated_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship(lazy="joined")


class KioskNonce(db.Model):
    """One start screen of a kiosk: a form nonce that admits exactly one answer."""
    __tablename__ = "feedback_kiosk_nonce"

    nonce_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("feedback_kiosk.id", ondelete="CASCADE"), index=True)
    issued_at: Mapped[datetime] = mapped_column(index=True)


class SummarySent(db.Model):
    """The monthly summary mail of a unit for one month went out (guards the job)."""
    __tablename__ = "feedback_summary_sent"
    __table_args__ = (UniqueConstraint("unit_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("feedback_unit.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))
    sent_at: Mapped[datetime]
