"""Tables of participation measurement.

- ``ExperienceAnswer``: one anonymous experience questionnaire: which process, the year, the
  day (no time), the answers and a masked free text.  No person, no address, no cookie.
- ``ExperienceReceipt``: that a browser already answered about a process, as a keyed hash with
  no time and no link to its answer (so one browser answers once).
- ``UniqueParticipant``: the set of people who took part in the year, as keyed hashes, with no
  process, no time and no contribution: only "someone took part this year" (see services).
- ``ProcessInput``: what a process cost (staff hours, euros), its channels, invitations and
  reach, entered by the coordinator.
- ``Target``: the county's target for one indicator in one year.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Numeric, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kuulas.extensions import db


class ExperienceAnswer(db.Model):
    __tablename__ = "experience_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_kind: Mapped[str] = mapped_column(String(12), index=True)
    process_id: Mapped[int] = mapped_column(index=True)
    year: Mapped[int] = mapped_column(index=True)
    answered_on: Mapped[date] = mapped_column(Date)
    say: Mapped[int | None] = mapped_column(SmallInteger)
    heard: Mapped[int | None] = mapped_column(SmallInteger)
    use: Mapped[int | None] = mapped_column(SmallInteger)
    again: Mapped[int | None] = mapped_column(SmallInteger)
    better: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="fi")


class ExperienceReceipt(db.Model):
    __tablename__ = "experience_receipt"

    process_kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    process_id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)


class UniqueParticipant(db.Model):
    __tablename__ = "participation_unique"

    year: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)


class ProcessInput(db.Model):
    __tablename__ = "participation_input"

    process_kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    process_id: Mapped[int] = mapped_column(primary_key=True)
    staff_hours: Mapped[float | None] = mapped_column(Numeric(10, 1))
    costs_eur: Mapped[float | None] = mapped_column(Numeric(12, 2))
    channels: Mapped[list] = mapped_column(JSON, default=list)
    invited: Mapped[int | None]
    reached: Mapped[int | None]
    area: Mapped[str] = mapped_column(String(40), default="")
    updated_at: Mapped[datetime]


class Target(db.Model):
    __tablename__ = "participation_target"

    year: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[float]
    set_at: Mapped[datetime]
    set_by: Mapped[int | None]
