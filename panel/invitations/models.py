"""Invitations of selected volunteers.  Only a SHA-256 of each link token is stored."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kuulas.clock import utcnow
from kuulas.extensions import db

# Invitation states: ``panel.lifecycle``.
from ..lifecycle import GAP_STATES, OPEN_STATES  # noqa: F401
from ..lifecycle import (I_ACCEPTED as ACCEPTED, I_DECLINED as DECLINED,  # noqa: F401
                         I_EXPIRED as EXPIRED, I_PENDING as PENDING, I_WITHDRAWN as WITHDRAWN)


class Invitation(db.Model):
    __tablename__ = "panel_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="CASCADE"), index=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("panel_draw.id", ondelete="CASCADE"), index=True)
    # NULL once the volunteer withdrew (their data is gone; the pseudonym stays for the record).
    volunteer_id: Mapped[int | None] = mapped_column(
        ForeignKey("panel_volunteer.id", ondelete="SET NULL"), index=True)
    pseudonym: Mapped[str] = mapped_column(String(16), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(12), default=PENDING, index=True)
    deadline: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    # Set when a replacement draw has filled the seat this invitation left open.
    replaced_by_draw_id: Mapped[int | None] = mapped_column(ForeignKey("panel_draw.id"))
