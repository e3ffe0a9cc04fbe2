"""Outcome tables: the public outcome of a finished process, its attachments, the
decisions that used it, the impact per statement point or idea (append-only
revisions), follow-ups and a dated change log.

Nothing here identifies a participant: figures are aggregate snapshots, and
notification addresses are never stored (only how many mails were queued).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kuulas.clock import utcnow
from kuulas.extensions import db

from .lifecycle import DRAFT, PUBLISHED, SCHEDULED  # noqa: F401  (the states, declared in lifecycle)


class Outcome(db.Model):
    __tablename__ = "outcome"
    __table_args__ = (UniqueConstraint("source_kind", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text, default="")
    background: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    # The language the preparer wrote the texts above in; pages mark them with it (WCAG 3.1.2).
    language: Mapped[str] = mapped_column(String(2), default="fi", server_default="fi")
    # The same texts in the other languages: {"sv": {"title", "question", "background", "summary"}}.
    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    # An optional easy-to-read Finnish (selkokieli) summary, shown with its own switch.
    plain_summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Snapshots taken from the source when the draft is made (aggregate only).
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    timeline: Mapped[list] = mapped_column(JSON, default=list)
    composition: Mapped[list] = mapped_column(JSON, default=list)
    points: Mapped[list] = mapped_column(JSON, default=list)
    results: Mapped[dict] = mapped_column(JSON, default=dict)
    statement: Mapped[dict | None] = mapped_column(JSON)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    publish_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Bumped atomically on every change: public caches and ETags key on it.
    revision: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))

    attachments: Mapped[list["OutcomeAttachment"]] = relationship(
        back_populates="outcome", cascade="all, delete-orphan", order_by="OutcomeAttachment.id")
    decisions: Mapped[list["OutcomeDecision"]] = relationship(
        back_populates="outcome", cascade="all, delete-orphan",
        order_by=lambda: (OutcomeDecision.meeting_date, OutcomeDecision.id))
    impacts: Mapped[list["ImpactRevision"]] = relationship(
        back_populates="outcome", cascade="all, delete-orphan", order_by="ImpactRevision.id")
    follow_ups: Mapped[list["FollowUp"]] = relationship(
        back_populates="outcome", cascade="all, delete-orphan", order_by=lambda: (FollowUp.entry_date, FollowUp.id))
    changes: Mapped[list["OutcomeChange"]] = relationship(
        back_populates="outcome", cascade="all, delete-orphan", order_by="OutcomeChange.id")

    @property
    def year(self) -> int | None:
        when = self.closed_at or self.published_at
        return when.year if when else None


class OutcomeAttachment(db.Model):
    __tablename__ = "outcome_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcome.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[Outcome] = relationship(back_populates="attachments")


class OutcomeDecision(db.Model):
    """A decision by a body (aluehallitus, aluevaltuusto, a committee) that used the outcome."""

    __tablename__ = "outcome_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcome.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(String(200))
    meeting_date: Mapped[date] = mapped_column(Date)
    item: Mapped[str] = mapped_column(String(60), default="")
    minutes_url: Mapped[str | None] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text, default="")
    # The body and summary in the outcome's other languages: {"sv": {"body", "summary"}}.
    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[Outcome] = relationship(back_populates="decisions")


class ImpactRevision(db.Model):
    """One dated statement of impact for a statement point or idea.  Rows are only ever
    added; the current impact is the latest revision per point (``history.current``)."""

    __tablename__ = "outcome_impact_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcome.id", ondelete="CASCADE"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("outcome_decision.id", ondelete="SET NULL"))
    point_key: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))
    reasoning: Mapped[str] = mapped_column(Text)
    # The reasoning in the outcome's other languages: {"sv": {"reasoning": ...}}.
    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    outcome: Mapped[Outcome] = relationship(back_populates="impacts")


class FollowUp(db.Model):
    __tablename__ = "outcome_follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcome.id", ondelete="CASCADE"), index=True)
    entry_date: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[Outcome] = relationship(back_populates="follow_ups")


class OutcomeChange(db.Model):
    """Dated log of every change (the public sees it as the outcome's history)."""

    __tablename__ = "outcome_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcome.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(500), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    # Aggregate only: how many notification mails were queued by this change.
    mails_queued: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[Outcome] = relationship(back_populates="changes")
