"""Invitations sent to a standing pool (e.g. to an idea round).  The mailing keeps counts;
the per-member rows only say "was invited" for the member's own page and go when the
member leaves."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kuulas.clock import utcnow
from kuulas.extensions import db

IDEA_ROUND = "idea_round"


class PoolMailing(db.Model):
    __tablename__ = "panel_pool_mailing"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=IDEA_ROUND)
    target_id: Mapped[int]                          # e.g. the idea round's id
    title: Mapped[str] = mapped_column(String(300), default="")
    client_group: Mapped[str] = mapped_column(String(40), default="")   # service key or ""
    sample_size: Mapped[int | None]                 # None: the whole (filtered) pool
    eligible: Mapped[int] = mapped_column(default=0)
    recipients: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))


class PoolMailingRecipient(db.Model):
    __tablename__ = "panel_pool_mailing_recipient"

    mailing_id: Mapped[int] = mapped_column(ForeignKey("panel_pool_mailing.id", ondelete="CASCADE"),
                                            primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("panel_volunteer.id", ondelete="CASCADE"), primary_key=True, index=True)
