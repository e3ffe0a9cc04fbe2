"""Scheduled jobs: publish the shown vote counts in batches (``ideas.counts``), and open and close idea rounds on time (idempotent, guarded UPDATEs).  The
services refuse writes after ``closes_at`` on their own, so a late or missed run never
lets a write through; this job moves the visible state and tells open pages.  The jobs
never commit: ``kuulas.scheduler.run_job`` does, and the broadcasts declared here (or by the
services) go out after that commit."""
from __future__ import annotations

from kuulas import scheduler
from kuulas.extensions import db

from . import events, reading, rounds

JOB = "ideas.rounds"
COUNTS_JOB = "ideas.counts"
COUNTS_SECONDS = 5   # at most one batch of counts per round every this many seconds


@scheduler.job(JOB, seconds=30)
def advance(now):
    changed = rounds.advance_rounds(now)   # declares the ``closed`` broadcasts
    return f"opened {len(changed['opened'])}, closed {len(changed['closed'])}"


@scheduler.job(COUNTS_JOB, seconds=COUNTS_SECONDS)
def publish_counts(now):
    """One run of the count publisher (see ``reading.publish_counts``).  It runs in the one
    scheduler process and emits through the Socket.IO message queue, so every page of a
    round gets at most one ``counts`` event per run however many web processes there are."""
    from sqlalchemy import select

    from .models import Idea

    changed = reading.publish_counts(now)
    ids = {i for per_round in changed.values() for i in per_round}
    public = dict(db.session.execute(select(Idea.id, Idea.public_id).where(Idea.id.in_(ids))).all()) if ids else {}
    for round_id, per_round in changed.items():
        events.counts_batch(round_id, {public[i]: c for i, c in per_round.items() if i in public})
    return f"published {len(changed)}"
