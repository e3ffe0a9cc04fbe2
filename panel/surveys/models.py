"""Survey tables.

Who answered what is never stored together:
- :class:`Recipient` says that a member was sent the survey and whether they have answered
  (for reminders).  It holds no token and no answer.
- :class:`SurveyResponse` holds the answers and the respondent's weighting cells (only the
  features used as margins), keyed by an HMAC of the member's link token (see ``tokens``),
  with times rounded to the day.  It has no member id, no e-mail, no sequence number.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kuulas import translated
from kuulas.clock import utcnow
from kuulas.extensions import db

from ..recruitment.models import localised
from .lifecycle import DRAFT

SINGLE, MULTIPLE, SCALE, NUMBER, TEXT = "single", "multiple", "scale", "number", "text"
KINDS = (SINGLE, MULTIPLE, SCALE, NUMBER, TEXT)
WHOLE_PANEL, CLIENT_GROUP, SAMPLE = "panel", "client_group", "sample"


class Survey(db.Model):
    __tablename__ = "panel_survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="CASCADE"), index=True)
    title_fi: Mapped[str] = mapped_column(String(200))
    title_sv: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    intro_fi: Mapped[str] = mapped_column(Text, default="")
    intro_sv: Mapped[str] = mapped_column(Text, default="")
    intro_en: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    audience: Mapped[str] = mapped_column(String(16), default=WHOLE_PANEL)
    service_keys: Mapped[list] = mapped_column(JSON, default=list)
    # SAMPLE: a draw group (a child panel drawn from this panel's pool with the sortition
    # engine, its draw published like any draw); the survey goes to those it selected.
    sample_panel_id: Mapped[int | None] = mapped_column(ForeignKey("panel.id", ondelete="SET NULL"))
    # Feature keys whose population shares the responses are raked to.
    weighting: Mapped[list] = mapped_column(JSON, default=list)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    reminder_days: Mapped[int] = mapped_column(default=3)
    sent_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    # Frozen when the survey opens, so the response rate survives members leaving.
    recipient_count: Mapped[int] = mapped_column(default=0)
    # Computed when the survey closes (its answers can no longer change), with a hash of the
    # population shares and questions they were computed with; recomputed if those change.
    figures: Mapped[dict | None] = mapped_column(JSON)
    figures_key: Mapped[str] = mapped_column(String(64), default="")
    # Frozen at publication: the published figures never change afterwards.
    published_results: Mapped[dict | None] = mapped_column(JSON)
    outcome_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))

    questions: Mapped[list["SurveyQuestion"]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="SurveyQuestion.position",
        lazy="selectin")

    def title(self, locale=None) -> str:
        return localised(self, "title", locale)

    def intro(self, locale=None) -> str:
        return localised(self, "intro", locale)


class SurveyQuestion(db.Model):
    __tablename__ = "panel_survey_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("panel_survey.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(12))
    text_fi: Mapped[str] = mapped_column(String(500))
    text_sv: Mapped[str] = mapped_column(String(500), default="")
    text_en: Mapped[str] = mapped_column(String(500), default="")
    # [{"value": "a", "fi": ..., "sv": ..., "en": ...}] for single and multiple choice.
    options: Mapped[list] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(default=False)
    min_value: Mapped[int | None]
    max_value: Mapped[int | None]

    survey: Mapped[Survey] = relationship(back_populates="questions")

    def text(self, locale=None) -> str:
        return localised(self, "text", locale)

    def option_label(self, value: str, locale=None) -> str:
        for o in self.options or []:
            if o.get("value") == value:
                label = translated.choose(o, locale).text
                if label:
                    return label
        return value

    def text_lang(self, locale=None) -> str:
        return translated.choose(translated.columns(self, "text"), locale).lang


class Recipient(db.Model):
    """A member the survey was sent to.  No token, no answers: only whether they answered."""

    __tablename__ = "panel_survey_recipient"
    __table_args__ = (UniqueConstraint("survey_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("panel_survey.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("panel_volunteer.id", ondelete="CASCADE"),
                                              index=True)
    sent_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    answered: Mapped[bool] = mapped_column(Boolean, default=False)


class SurveyResponse(db.Model):
    """One respondent's answers, unlinkable without the secret key (see ``tokens``)."""

    __tablename__ = "panel_survey_response"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("panel_survey.id", ondelete="CASCADE"), index=True)
    cells: Mapped[dict] = mapped_column(JSON, default=dict)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    started_on: Mapped[date] = mapped_column(Date)
    updated_on: Mapped[date] = mapped_column(Date)
