"""Tables of following.

- ``follow_address``: an e-mail address someone gave to follow things, its language and
  digest bookkeeping.  Nothing else refers to it but ``follow``; it has no link to an
  account, a participant token, an idea or a vote.  The row is deleted when its last
  follow goes (unfollowed, or unconfirmed and expired).
- ``follow``: one followed thing (kind + id) for one address, with the hash of its one-time
  confirmation token until it is confirmed (double opt-in).
- ``public_change``: an append-only list of public events (outcome published, decision or
  impact recorded, round opened or closed, statement locked).  It names only the public
  thing that changed; it is what the weekly digest reads.

Stored times of follows and addresses are rounded down to the day, so the moment someone
asked to follow cannot be set beside anything done on a participation page.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kuulas.extensions import db

# What can be followed.
IDEAS, RAATI, OUTCOME = "ideas", "raati", "outcome"
KINDS = (IDEAS, RAATI, OUTCOME)


def new_key() -> str:
    """A random primary key: reveals no order of insertion."""
    return secrets.token_hex(16)


class FollowAddress(db.Model):
    __tablename__ = "follow_address"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_key)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    locale: Mapped[str] = mapped_column(String(5), default="fi")
    created_on: Mapped[datetime]                       # rounded down to the day
    # The id of the last public_change the last digest covered, and when it was sent.
    digest_cursor: Mapped[int] = mapped_column(Integer, default=0)
    last_digest_at: Mapped[datetime | None]

    follows: Mapped[list["Follow"]] = relationship(back_populates="address", cascade="all, delete-orphan")


class Follow(db.Model):
    __tablename__ = "follow"
    __table_args__ = (UniqueConstraint("address_id", "kind", "target_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_key)
    address_id: Mapped[str] = mapped_column(ForeignKey("follow_address.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    created_on: Mapped[datetime]                       # rounded down to the day
    confirm_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    confirmed_on: Mapped[datetime | None]              # rounded down to the day
    # Changes up to this id happened before the follow began: not told.
    since_change: Mapped[int] = mapped_column(Integer, default=0)

    address: Mapped[FollowAddress] = relationship(back_populates="follows")


class PublicChange(db.Model):
    __tablename__ = "public_change"
    __table_args__ = (Index("ix_public_change_subject", "kind", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
