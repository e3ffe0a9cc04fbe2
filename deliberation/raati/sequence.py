"""Pure helpers for the room's ordered event log and its speaking queue.

No Flask, no SQLAlchemy, no I/O.  Every room event carries a per-room sequence number
(1, 2, 3 ...); a client keeps the last one it applied and asks for everything after it
when it reconnects.  These functions decide what a client does with what arrives.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Follower:
    """A client's view of the log: apply in order, drop duplicates, notice gaps."""

    last_seq: int = 0
    pending: dict[int, dict] = field(default_factory=dict)

    def offer(self, event: dict) -> list[dict]:
        """Return the events that can now be applied, in order (possibly none)."""
        seq = event["seq"]
        if seq <= self.last_seq or seq in self.pending:
            return []
        self.pending[seq] = event
        ready = []
        while self.last_seq + 1 in self.pending:
            self.last_seq += 1
            ready.append(self.pending.pop(self.last_seq))
        return ready

    @property
    def has_gap(self) -> bool:
        return bool(self.pending)


def missing(after: int, seqs: list[int]) -> list[int]:
    """Sequence numbers absent between ``after`` and the highest seen."""
    have = set(seqs)
    top = max(have, default=after)
    return [s for s in range(after + 1, top + 1) if s not in have]


def hand_queue(raises: list[tuple[int, int]]) -> list[int]:
    """Order of speakers: ``raises`` is ``[(seq_raised, member_id)]`` of hands still up;
    first raised, first called; a member is in the queue once."""
    seen, order = set(), []
    for _seq, member in sorted(raises):
        if member not in seen:
            seen.add(member)
            order.append(member)
    return order
