"""Digiraati tables.  The room's history is ``raati_event``: one row per event with a
per-room sequence number, written before anything is broadcast.  Other tables hold the
current state those events describe (messages, hands, questions, polls, statement)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kuulas import translated
from kuulas.clock import utcnow
from kuulas.extensions import db

# The states and roles are the lifecycle's (``lifecycle``); re-exported for the tables' users.
from .lifecycle import (CHAIR, DRAFT, EXPERT, FINISHED, LIVE, MEMBER, MODERATOR, OBSERVER,  # noqa: E402,F401
                        ROLES, SECRETARY)


class Raati(db.Model):
    __tablename__ = "raati"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_fi: Mapped[str] = mapped_column(String(200))
    title_sv: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    question_fi: Mapped[str] = mapped_column(Text)
    question_sv: Mapped[str] = mapped_column(Text, default="")
    question_en: Mapped[str] = mapped_column(Text, default="")
    background_fi: Mapped[str] = mapped_column(Text, default="")
    background_sv: Mapped[str] = mapped_column(Text, default="")
    background_en: Mapped[str] = mapped_column(Text, default="")
    # An optional easy-to-read Finnish (selkokieli) summary for the public view.
    plain_summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    panel_id: Mapped[int | None]
    state: Mapped[str] = mapped_column(String(16), default=DRAFT)
    # Highest sequence number handed out; bumped by one atomic UPDATE per event.
    last_seq: Mapped[int] = mapped_column(default=0)
    current_phase_id: Mapped[int | None]
    timer_ends_at: Mapped[datetime | None]
    timer_remaining: Mapped[int] = mapped_column(default=0)
    drafting_closed_at: Mapped[datetime | None]
    statement_sha256: Mapped[str | None] = mapped_column(String(64))
    # What locking the statement needs (``statement.RULES``), and whether the chair may lock
    # without it by recording a reason.  Set by staff per raati.
    approval_rule: Mapped[str] = mapped_column(String(16), default="majority", server_default="majority")
    allow_override: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The approval record frozen at the lock (per section approvals / members, the rule, any
    # override with its reason): outcomes publish this, never a recount.
    lock_record: Mapped[dict | None] = mapped_column(JSON)
    summary_markdown: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    phases: Mapped[list["Phase"]] = relationship(order_by="Phase.position", cascade="all, delete-orphan")
    sessions: Mapped[list["RaatiSession"]] = relationship(order_by="RaatiSession.starts_at",
                                                          cascade="all, delete-orphan")

    def text(self, field: str, locale: str) -> str:
        return translated.choose(translated.columns(self, field), locale).text

    def text_lang(self, field: str, locale: str) -> str:
        """The language ``text`` actually returns (``kuulas.translated``'s one fallback rule),
        for the ``lang`` attribute that screen readers need (WCAG 3.1.2)."""
        return translated.choose(translated.columns(self, field), locale).lang


class Member(db.Model):
    __tablename__ = "raati_member"
    __table_args__ = (UniqueConstraint("raati_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    raati_id: Mapped[int] = mapped_column(ForeignKey("raati.id", ondelete="CASCADE"), index=True)
    # NULL once the person erased their data: the row stays as a "former member" so that
    # what they said still has an author in the transcript (kuulas.personal).
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"),
                                                   index=True)
    role: Mapped[str] = mapped_column(String(16), default=MEMBER)
    display_name: Mapped[str] = mapped_column(String(40), default="")
    muted: Mapped[bool] = mapped_column(default=False)
    removed_at: Mapped[datetime | None]
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    invited_at: Mapped[datetime | None]

    account = relationship("Account")


class Phase(db.Model):
    __tablename__ = "raati_phase"

    id: Mapped[int] = mapped_column(primary_key=True)
    raati_id: Mapped[int] = mapped_column(ForeignKey("raati.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    planned_start: Mapped[datetime | None]
    planned_minutes: Mapped[int] = mapped_column(default=30)
    started_at: Mapped[datetime | None]


class RaatiSession(db.Model):
    __tablename__ = "raati_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    raati_id: Mapped[int] = mapped_column(ForeignKey("raati.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    uid: Mapped[str] = mapped_column(String(80), unique=True)
    ical_sequence: Mapped[int] = mapped_column(default=0)
    invitations_sent_at: Mapped[datetime | None]
    reminder_sent_at: Mapped[datetime | None]


class Event(db.Model):
    __tablename__ = "raati_event"
    __table_args__ = (UniqueConstraint("raati_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    raati_id: Mapped[int] = mapped_column(ForeignKey("raati.id", ondelete="CASCADE"))
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))
    member_id: Mapped[int | None]
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def wire(self) -> dict:
        return {"seq": self.seq, "kind": self.kind, "member": self.member_id,
                "at": self.created_at.isoformat() + "Z", "data": self.payload}


class Message(db.Model):
    __tablename__ = "raati_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    raati_id: Mapped[int] = mapped_column(ForeignKey("raati.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]
    member_id: Mapped[int] = mapped_column(ForeignKey("raati_member.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    pinned: Mapped[bool] = mapped_column(default=False)
    hidden_reason: Mapped[str | None] = mapped_column(String(300))
    hidden_at: Mapped[datetime | None]

    member = relationship(Member)


class Hand(db.Model):
    __tablename__ = "raati_hand"

    id: Mapped[int] = mapped_column(primary_key=True)
    raati_id: Mapped[int] = mapped_column(ForeignKey("raati.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("raati_member.id", ondelete="CASCADE"))
    raised_seq: Mapped[int]
    raised_at: Mapped[datetime]
    called_at: Mapped[datetime | None]
    lowered_at: Mapped[datetime | None]


class Question(db.Model):
    __tablename__ = "raati_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    raati_id: Mapped[int] = mapped_column(ForeignKey("raati.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("raati_member.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]


class QuestionVote(db.Model):
    __tablename__ = "raati_question_vote"
    __table_args__ = (UniqueConstraint("question_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("raati_question.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("raati_member.id", ondelete="CASCADE"))


class Poll(db.Model):
    __tablename__ = "raati_poll"

    id: Mapped[int] = mapped_column(primary_key=True)
    raati_id: Mapped[int] = mapped_column(ForeignKey("raati.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(String(300))
    options: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class PollVote(db.Model):
    __tablename__ = "raati_poll_vote"
    __table_args__ = (UniqueConstraint("poll_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("raati_poll.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("raati_member.id", ondelete="CASCADE"))
    option: Mapped[int]


class Section(db.Model):
    __tablename__ = "raati_section"

    id: Mapped[int] = mapped_column(primary_key=True)
    raati_id: Mapped[int] = mapped_column(ForeignKey("raati.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(default=1)

    versions: Mapped[list["SectionVersion"]] = relationship(order_by="SectionVersion.number",
                                                            cascade="all, delete-orphan")


class SectionVersion(db.Model):
    __tablename__ = "raati_section_version"
    __table_args__ = (UniqueConstraint("section_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("raati_section.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    member_id: Mapped[int | None]
    created_at: Mapped[datetime]


class Review(db.Model):
    __tablename__ = "raati_review"
    __table_args__ = (UniqueConstraint("section_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("raati_section.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("raati_member.id", ondelete="CASCADE"))
    verdict: Mapped[str] = mapped_column(String(16))
    version: Mapped[int]
    updated_at: Mapped[datetime]


class Comment(db.Model):
    __tablename__ = "raati_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("raati_section.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("raati_member.id", ondelete="CASCADE"))
    version: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class ExpertInvite(db.Model):
    """A one-time link for an invited expert; only the SHA-256 of the token is kept."""

    __tablename__ = "raati_expert_invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("raati_member.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class Connection(db.Model):
    """An open socket (presence).  Rows are removed on disconnect; the process holding the
    socket refreshes ``seen_at`` every minute, so the row of a process that died without
    a disconnect stops counting as online within minutes and a job then deletes it."""

    __tablename__ = "raati_connection"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    raati_id: Mapped[int] = mapped_column(ForeignKey("raati.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("raati_member.id", ondelete="CASCADE"), index=True)
    connected_at: Mapped[datetime]
    seen_at: Mapped[datetime | None] = mapped_column(index=True)
