"""Scheduled job: open and close idea rounds on time (idempotent, guarded UPDATEs).  The
services refuse writes after ``closes_at`` on their own, so a late or missed run never
lets a write through; this job moves the visible state and tells open pages."""
from __future__ import annotations

from kuulas import scheduler
from kuulas.extensions import db

from . import events, services

JOB = "ideas.rounds"


@scheduler.job(JOB, seconds=30)
def advance(now):
    changed = services.advance_rounds(now)
    db.session.commit()
    for round_id in changed["closed"]:
        events.round_closed(round_id)
    return f"opened {len(changed['opened'])}, closed {len(changed['closed'])}"
