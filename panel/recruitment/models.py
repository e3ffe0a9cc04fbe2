"""Panel set-up and recruitment tables: the panel, its features (stratification
variables) with categories and population shares, and the volunteers with their answers.

A volunteer's row, answers and address are personal data: withdrawal and the retention
job delete them outright; only the aggregate counts kept on :class:`Panel` survive.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kuulas import translated
from kuulas.clock import utcnow
from kuulas.extensions import db

# Panel and volunteer states (``panel.lifecycle``): recruitment opens and closes by the
# scheduler (or by hand).
from ..lifecycle import (CLOSED, DRAFT, DRAWN, RECRUITING, RECRUITMENT_CLOSED,  # noqa: F401
                         RECRUITMENT_STATES, SCHEDULED, phase as _phase)
from ..lifecycle import V_CONFIRMED as CONFIRMED, V_PENDING as PENDING
# Left out of the pool by staff as a suspected duplicate registration (reversible until
# the pool is frozen).
from ..lifecycle import V_EXCLUDED as EXCLUDED

RESIDENT, CLIENT = "resident", "client"
WEB, PAPER, PHONE = "web", "paper", "phone"
# The value stored for "prefer not to say" (and for sensitive features without consent).
UNDISCLOSED = "undisclosed"


def localised(obj, field: str, locale: str | None) -> str:
    """``obj.<field>_<locale>`` by ``kuulas.translated``'s one fallback rule."""
    return translated.choose(translated.columns(obj, field), locale).text


class Panel(db.Model):
    __tablename__ = "panel"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_fi: Mapped[str] = mapped_column(String(200))
    name_sv: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")
    description_fi: Mapped[str] = mapped_column(Text, default="")
    description_sv: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16), default=RESIDENT)
    target_size: Mapped[int]
    recruitment_opens_at: Mapped[datetime]
    # NULL: recruitment stays open (a standing panel without a closing date).
    recruitment_closes_at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(String(24), default=DRAFT, index=True)
    controller: Mapped[str] = mapped_column(String(300), default="")
    retention_days: Mapped[int] = mapped_column(default=180)
    asks_address: Mapped[bool] = mapped_column(default=False)
    one_per_household: Mapped[bool] = mapped_column(default=False)
    invitation_days: Mapped[int] = mapped_column(default=7)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    purged_at: Mapped[datetime | None]
    # Aggregate pool counts frozen when personal data is deleted:
    # {"total": n, "features": {feature_key: {value: count}}}
    aggregate: Mapped[dict | None] = mapped_column(JSON)
    # A standing panel stays open and is asked again and again (see panel/pool.py); a
    # membership lasts ``consent_months`` from confirmation or renewal.
    standing: Mapped[bool] = mapped_column(default=False)
    consent_months: Mapped[int] = mapped_column(default=24)
    # A draw group: a child panel drawn from a standing panel's pool.  Its volunteers are a
    # frozen snapshot of the parent's members (Volunteer.source_volunteer_id), so the
    # ordinary quota, draw, report and invitation machinery runs on it unchanged.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("panel.id", ondelete="CASCADE"),
                                                  index=True)
    # Service key the draw group's pool was limited to ("" = the whole pool).
    client_group: Mapped[str] = mapped_column(String(40), default="")

    features: Mapped[list["Feature"]] = relationship(
        back_populates="panel", cascade="all, delete-orphan", order_by="Feature.position",
        lazy="selectin")

    def name(self, locale=None) -> str:
        return localised(self, "name", locale)

    def description(self, locale=None) -> str:
        return localised(self, "description", locale)

    def recruiting(self, now: datetime) -> bool:
        return (self.state == RECRUITING and self.recruitment_opens_at <= now
                and (self.recruitment_closes_at is None or now < self.recruitment_closes_at))

    def phase(self, now: datetime) -> str:
        """The state the clock implies: the scheduler flips ``state`` up to a minute late
        (or not at all while it is down), so every time-bound check and label uses this."""
        return _phase(self.state, now, self.recruitment_opens_at, self.recruitment_closes_at)


class Feature(db.Model):
    __tablename__ = "panel_feature"
    __table_args__ = (UniqueConstraint("panel_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    label_fi: Mapped[str] = mapped_column(String(200))
    label_sv: Mapped[str] = mapped_column(String(200), default="")
    label_en: Mapped[str] = mapped_column(String(200), default="")
    # Special-category data (e.g. "client of a social or health service"): optional,
    # asked only after a separate explicit consent, never shown to moderators.
    sensitive: Mapped[bool] = mapped_column(default=False)
    allow_undisclosed: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    panel: Mapped[Panel] = relationship(back_populates="features")
    categories: Mapped[list["Category"]] = relationship(
        back_populates="feature", cascade="all, delete-orphan", order_by="Category.position",
        lazy="selectin")

    def label(self, locale=None) -> str:
        return localised(self, "label", locale)


class Category(db.Model):
    __tablename__ = "panel_category"
    __table_args__ = (UniqueConstraint("feature_id", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feature_id: Mapped[int] = mapped_column(ForeignKey("panel_feature.id", ondelete="CASCADE"),
                                            index=True)
    value: Mapped[str] = mapped_column(String(60))
    label_fi: Mapped[str] = mapped_column(String(200))
    label_sv: Mapped[str] = mapped_column(String(200), default="")
    label_en: Mapped[str] = mapped_column(String(200), default="")
    population_share: Mapped[float] = mapped_column(default=0.0)   # percent, 0-100
    position: Mapped[int] = mapped_column(default=0)

    feature: Mapped[Feature] = relationship(back_populates="categories")

    def label(self, locale=None) -> str:
        return localised(self, "label", locale)


class Volunteer(db.Model):
    __tablename__ = "panel_volunteer"
    __table_args__ = (UniqueConstraint("panel_id", "email"),
                      UniqueConstraint("panel_id", "household_key"),
                      UniqueConstraint("pseudonym"))

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"),
                                                   index=True)
    email: Mapped[str] = mapped_column(String(254))            # normalised
    display_name: Mapped[str] = mapped_column(String(80), default="")
    locale: Mapped[str] = mapped_column(String(5), default="fi")
    postal_code: Mapped[str | None] = mapped_column(String(10))
    address: Mapped[str | None] = mapped_column(String(200))
    # sha256 of the normalised postal code + address; NULL when the rule is off.
    household_key: Mapped[str | None] = mapped_column(String(64))
    # Random id used in every published file: never derived from the e-mail.
    pseudonym: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(8), default=WEB)
    state: Mapped[str] = mapped_column(String(12), default=PENDING, index=True)
    consent_at: Mapped[datetime]
    sensitive_consent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    # Standing panels: set at confirmation, extended by renewal; the member is deleted when
    # it passes.  NULL for ordinary panels (their retention is per panel).
    consent_expires_at: Mapped[datetime | None] = mapped_column(index=True)
    # When the renewal mail for the current period was queued (cleared by renewal).
    renewal_sent_at: Mapped[datetime | None]
    # In a draw group: the standing-panel member this row is a snapshot of.  Leaving the
    # standing panel deletes the snapshot with it.
    source_volunteer_id: Mapped[int | None] = mapped_column(
        ForeignKey("panel_volunteer.id", ondelete="CASCADE"), index=True)

    answers: Mapped[list["Answer"]] = relationship(
        back_populates="volunteer", cascade="all, delete-orphan", lazy="selectin")

    def values(self) -> dict[str, str]:
        """feature key -> category value (or UNDISCLOSED)."""
        return {a.feature_key: a.value for a in self.answers}


class Answer(db.Model):
    __tablename__ = "panel_answer"
    __table_args__ = (UniqueConstraint("volunteer_id", "feature_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("panel_volunteer.id", ondelete="CASCADE"),
                                              index=True)
    feature_key: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(60))

    volunteer: Mapped[Volunteer] = relationship(back_populates="answers")
