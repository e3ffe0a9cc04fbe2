"""Account tables.  One ``account`` row per person who signs in: staff have roles and a
password hash; residents have neither and sign in with one-time links."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..access import Role
from ..clock import utcnow
from ..extensions import db


class Account(db.Model):
    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None]
    locale: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on sign-out-everywhere, deactivation or a role change: old sessions die.
    session_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    roles: Mapped[list["AccountRole"]] = relationship(
        back_populates="account", cascade="all, delete-orphan", lazy="selectin")

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.roles)

    @property
    def is_staff(self) -> bool:
        return bool(self.roles)

    @property
    def totp_enabled(self) -> bool:
        return bool(self.totp_secret)


class AccountRole(db.Model):
    __tablename__ = "account_role"
    __table_args__ = (UniqueConstraint("account_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    account: Mapped[Account] = relationship(back_populates="roles")


class LoginToken(db.Model):
    """A one-time link.  Only a SHA-256 of the token is stored, so a database dump
    cannot be used to sign in."""

    __tablename__ = "login_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    next_path: Mapped[str | None] = mapped_column(String(255))
