"""Quotas and draws.  A draw stores the exact pseudonymised files it was run on (so
anyone can re-run it) and its public report; it never stores names or e-mail addresses."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kuulas.clock import utcnow
from kuulas.extensions import db

INITIAL, REPLACEMENT = "initial", "replacement"
# Draw states: ``panel.lifecycle`` (a blocked replacement draw waits for staff to run it
# with the engine's relaxed quotas or with quotas they adjust by hand).
from ..lifecycle import D_BLOCKED as BLOCKED, D_DONE as DONE, D_PREPARED as PREPARED  # noqa: F401


class QuotaRow(db.Model):
    __tablename__ = "panel_quota"
    __table_args__ = (UniqueConstraint("panel_id", "feature_key", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="CASCADE"), index=True)
    feature_key: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(60))
    min: Mapped[int]
    max: Mapped[int]
    target: Mapped[float | None]


class Draw(db.Model):
    __tablename__ = "panel_draw"
    __table_args__ = (UniqueConstraint("panel_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]                       # 1 = the initial draw, 2.. replacements
    kind: Mapped[str] = mapped_column(String(12), default=INITIAL)
    state: Mapped[str] = mapped_column(String(12), default=PREPARED)
    size: Mapped[int]
    # Where the seed comes from, published with the hash before the draw
    # (e.g. "Eurojackpot main numbers on 5 June 2026").
    seed_source: Mapped[str] = mapped_column(String(300), default="")
    seed_value: Mapped[str | None] = mapped_column(String(200))
    # The derived seed: SHA-256 of the announced value as a decimal integer (up to 78 digits).
    seed: Mapped[str | None] = mapped_column(String(80))
    people_csv: Mapped[str] = mapped_column(Text)
    quotas_csv: Mapped[str] = mapped_column(Text)
    forced_csv: Mapped[str] = mapped_column(Text, default="")
    excluded_csv: Mapped[str] = mapped_column(Text, default="")
    pool_hash: Mapped[str] = mapped_column(String(128))
    # Secret key of the public commitments (panel.selection.commitments): staff and the
    # county's auditor only.  NULL for draws made before commitments existed.
    commit_key: Mapped[str | None] = mapped_column(String(64))
    prepared_at: Mapped[datetime] = mapped_column(default=utcnow)
    run_at: Mapped[datetime | None]
    algorithm: Mapped[str | None] = mapped_column(String(80))
    version: Mapped[str | None] = mapped_column(String(40))
    selected: Mapped[list | None] = mapped_column(JSON)        # pseudonyms
    probabilities_csv: Mapped[str | None] = mapped_column(Text)
    report: Mapped[dict | None] = mapped_column(JSON)
