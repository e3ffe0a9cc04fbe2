"""Impact history: every recorded change to an impact is kept; the current state is
the fold of its revisions.

Pure: no Flask, no SQLAlchemy, no I/O.  Never drops or reorders a revision.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

ADOPTED, PARTLY, NOT_ADOPTED, PENDING = "adopted", "partly", "not_adopted", "pending"
STATUSES = (ADOPTED, PARTLY, NOT_ADOPTED, PENDING)


@dataclass(frozen=True)
class Revision:
    point_key: str
    status: str
    reasoning: str
    recorded_at: datetime
    decision_id: int | None = None
    seq: int = 0                  # insertion order breaks ties between equal times


@dataclass(frozen=True)
class Current:
    point_key: str
    status: str
    reasoning: str
    decision_id: int | None
    first_recorded_at: datetime
    updated_at: datetime
    revisions: int
    changed_status: bool          # the status changed at least once


def ordered(revisions: list[Revision]) -> list[Revision]:
    return sorted(revisions, key=lambda r: (r.recorded_at, r.seq))


def current(revisions: list[Revision]) -> dict[str, Current]:
    """Point key -> its latest state."""
    state: dict[str, Current] = {}
    for r in ordered(revisions):
        if r.status not in STATUSES:
            raise ValueError(f"unknown impact status {r.status!r}")
        prev = state.get(r.point_key)
        state[r.point_key] = Current(
            point_key=r.point_key, status=r.status, reasoning=r.reasoning,
            decision_id=r.decision_id if r.decision_id is not None else (prev.decision_id if prev else None),
            first_recorded_at=prev.first_recorded_at if prev else r.recorded_at,
            updated_at=r.recorded_at, revisions=(prev.revisions + 1) if prev else 1,
            changed_status=bool(prev and (prev.changed_status or prev.status != r.status)))
    return state


def is_change(previous: Current | None, status: str, reasoning: str, decision_id: int | None) -> bool:
    """Whether saving this would record anything new (unchanged rows are not re-dated)."""
    if previous is None:
        return True
    return (previous.status, previous.reasoning, previous.decision_id) != (status, reasoning, decision_id)


def tally(state: dict[str, Current]) -> dict[str, int]:
    counts = {s: 0 for s in STATUSES}
    for c in state.values():
        counts[c.status] += 1
    return counts
