"""The service catalogue and who uses which service (special-category data, kept apart)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kuulas.clock import utcnow
from kuulas.extensions import db

from ..recruitment.models import localised

AREAS = ("health", "social", "elderly", "family", "disability", "other")


class Service(db.Model):
    """A service or client group, e.g. family doctor, home care, child welfare."""

    __tablename__ = "panel_service"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name_fi: Mapped[str] = mapped_column(String(200))
    name_sv: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")
    description_fi: Mapped[str] = mapped_column(Text, default="")
    description_sv: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    area: Mapped[str] = mapped_column(String(40), default="")
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def name(self, locale=None) -> str:
        return localised(self, "name", locale)

    def description(self, locale=None) -> str:
        return localised(self, "description", locale)


class ServiceUse(db.Model):
    """A member said they use a service.  GDPR art. 9 data: stored apart, deleted with the
    member (and when the separate consent is withdrawn)."""

    __tablename__ = "panel_service_use"

    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("panel_volunteer.id", ondelete="CASCADE"), primary_key=True)
    service_id: Mapped[int] = mapped_column(
        ForeignKey("panel_service.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
