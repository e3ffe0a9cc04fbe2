"""Tables of the idea rounds.

Anonymity is a property of the schema, not only of the code that reads it:
- no account, e-mail, IP address or user agent column on ideas, comments, votes or flags;
- a participant appears only as ``*_hash``: an HMAC of their per-round random token under a
  key derived from SECRET_KEY and the round (see ``anonymity``), so the same person in two
  rounds cannot be linked and a database dump alone cannot be linked to a cookie;
- votes have no timestamp and no surrogate id (the primary key is (idea, voter hash)), so
  neither time nor insertion order correlates a vote with anything else;
- stored timestamps of ideas, comments and flags are rounded down to the hour;
- ideas and comments are named outward only by a random ``public_id`` (URLs, forms, JSON,
  sockets, exports); the integer primary key stays inside, so nothing shown reveals the
  order in which things were posted;
- addresses for "tell me about the outcome" live in their own table with a random key and
  no link to tokens, ideas or votes, and are deleted after the notification.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import DDL, JSON, BigInteger, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kuulas import translated
from kuulas.extensions import db

# Round states (declared with their transitions in ``lifecycle``)
from .lifecycle import CLOSED, DRAFT, OPEN, SCHEDULED, STATES  # noqa: E402,F401
# Moderation modes
PRE, POST = "pre", "post"
# Item states (ideas and comments)
PENDING, VISIBLE, HIDDEN, WITHDRAWN = "pending", "visible", "hidden", "withdrawn"
# Vote values
AGREE, DISAGREE, PASS = 1, -1, 0
VOTE_VALUES = {"agree": AGREE, "disagree": DISAGREE, "pass": PASS}

LOCALES = ("fi", "sv", "en")

PUBLIC_ID_LENGTH = 16


PUBLIC_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def new_public_id() -> str:
    """A random, non-sequential public name for an idea or a comment (12 letters and
    digits, about 71 random bits; no sign that a spreadsheet could read as a formula).
    Reveals neither order nor time."""
    return "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(12))


class IdeaRound(db.Model):
    __tablename__ = "idea_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default=DRAFT, index=True)
    # {"fi": ..., "sv": ..., "en": ...}
    title: Mapped[dict] = mapped_column(JSON, default=dict)
    question: Mapped[dict] = mapped_column(JSON, default=dict)
    background: Mapped[dict] = mapped_column(JSON, default=dict)
    # An optional easy-to-read Finnish (selkokieli) summary for the public page.
    plain_summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    # [{"fi": ..., "sv": ..., "en": ...}, ...]
    subthemes: Mapped[list] = mapped_column(JSON, default=list)
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    moderation: Mapped[str] = mapped_column(String(8), default=POST)
    comments_enabled: Mapped[bool] = mapped_column(default=True)
    max_length: Mapped[int] = mapped_column(default=500)
    created_at: Mapped[datetime]
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    def text(self, field: str, locale: str) -> str:
        return translated.choose(getattr(self, field), locale).text

    def text_lang(self, field: str, locale: str) -> str:
        """The language ``text`` returns (``kuulas.translated``'s one fallback rule);
        templates mark the text with it (WCAG 3.1.2)."""
        return translated.choose(getattr(self, field), locale).lang

    def subtheme_labels(self, locale: str) -> list[str]:
        return [translated.choose(t, locale).text for t in (self.subthemes or [])]

    def accepting(self, now: datetime) -> bool:
        return self.state == OPEN and self.opens_at <= now < self.closes_at


class Idea(db.Model):
    __tablename__ = "idea"
    __table_args__ = (Index("ix_idea_round_status", "round_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)   # internal only: never shown
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_LENGTH), unique=True, default=new_public_id)
    round_id: Mapped[int] = mapped_column(ForeignKey("idea_round.id", ondelete="CASCADE"))
    author_hash: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    subtheme: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default=VISIBLE)
    hidden_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]      # rounded down to the hour
    edited: Mapped[bool] = mapped_column(default=False)

    round: Mapped[IdeaRound] = relationship()
    tags: Mapped[list["IdeaTag"]] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                  order_by="IdeaTag.name")


class IdeaComment(db.Model):
    __tablename__ = "idea_comment"

    id: Mapped[int] = mapped_column(primary_key=True)   # internal only: never shown
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_LENGTH), unique=True, default=new_public_id)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("idea_round.id", ondelete="CASCADE"), index=True)
    author_hash: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=VISIBLE)
    hidden_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]      # rounded down to the hour
    edited: Mapped[bool] = mapped_column(default=False)


class IdeaVote(db.Model):
    """One row per (idea, participant): the primary key is the uniqueness guarantee, so
    parallel identical requests can never make two rows.  No time, no surrogate id."""

    __tablename__ = "idea_vote"
    __table_args__ = (Index("ix_idea_vote_round_voter", "round_id", "voter_hash"),)

    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), primary_key=True)
    voter_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("idea_round.id", ondelete="CASCADE"))
    value: Mapped[int] = mapped_column(SmallInteger)


class IdeaFlag(db.Model):
    __tablename__ = "idea_flag"
    __table_args__ = (UniqueConstraint("flagger_hash", "idea_id", "comment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("idea_round.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("idea_comment.id", ondelete="CASCADE"))
    flagger_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime]      # rounded down to the hour
    resolved: Mapped[bool] = mapped_column(default=False)


class IdeaTag(db.Model):
    """A moderator's theme tag on an idea."""

    __tablename__ = "idea_tag"

    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), primary_key=True)


class IdeaModerationLog(db.Model):
    """What staff did (who, when, why).  Staff actions are official acts and are logged;
    the participants behind the moderated items are not."""

    __tablename__ = "idea_moderation_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("idea_round.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    idea_id: Mapped[int | None]
    comment_id: Mapped[int | None]
    reason: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime]


class IdeaNotifyRequest(db.Model):
    """"Tell me when the outcome is published."  Deliberately unlinked: a random key (no
    insertion order), no time, no token hash; deleted once the notification has gone."""

    __tablename__ = "idea_notify_request"
    __table_args__ = (UniqueConstraint("round_id", "email"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("idea_round.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5), default="fi")


class IdeaCountSnapshot(db.Model):
    """The vote counts shown to everyone while a round is open: a snapshot the scheduler
    refreshes only when enough votes have changed (or after a longer delay), so no single
    vote can be read off the page, the JSON or the live stream (see ``live_counts``).
    ``counts`` maps the internal idea id (as text) to ``[agree, disagree, pass]``."""

    __tablename__ = "idea_count_snapshot"

    round_id: Mapped[int] = mapped_column(ForeignKey("idea_round.id", ondelete="CASCADE"), primary_key=True)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    published_at: Mapped[datetime | None]
    pending_since: Mapped[datetime | None]


class IdeaPoolVersion(db.Model):
    """How many times a round's ideas have changed (an idea added or deleted, its status or
    text changed), counted on PostgreSQL by the trigger below in the same transaction as the
    change.  A vote reads it in its own statement and deals from the pool of ideas its
    process keeps only while the count is the same (``voting``): a hidden, withdrawn,
    edited or deleted idea is never dealt from an old pool.  No foreign key: the trigger
    also counts the ideas deleted with their round.  Not used on SQLite."""

    __tablename__ = "idea_pool_version"

    round_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


POOL_FUNCTION = (
    "CREATE OR REPLACE FUNCTION idea_pool_changed() RETURNS trigger AS $$ "
    "DECLARE r integer; "
    "BEGIN "
    "IF TG_OP = 'DELETE' THEN r := OLD.round_id; ELSE r := NEW.round_id; END IF; "
    "INSERT INTO idea_pool_version (round_id, n) VALUES (r, 1) "
    "ON CONFLICT (round_id) DO UPDATE SET n = idea_pool_version.n + 1; "
    "RETURN NULL; "
    "END $$ LANGUAGE plpgsql")
POOL_TRIGGER = ("CREATE TRIGGER idea_pool_changed AFTER INSERT OR DELETE OR UPDATE OF status, text, round_id "
                "ON idea FOR EACH ROW EXECUTE FUNCTION idea_pool_changed()")
# With the idea table (the function finds its table when it runs, so the order of creation
# does not matter); the migration ideapool01a does the same.
event.listen(Idea.__table__, "after_create", DDL(POOL_FUNCTION).execute_if(dialect="postgresql"))
event.listen(Idea.__table__, "after_create", DDL(POOL_TRIGGER).execute_if(dialect="postgresql"))
