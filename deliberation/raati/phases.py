"""Pure rules of the live room: the agenda's phase kinds, what each phase allows, and the
moderator's countdown.

This module imports neither Flask nor SQLAlchemy and does no I/O.  Times are naive UTC
datetimes passed in by the caller; the server is the only clock that counts, clients only
count down from the ``ends_at`` it publishes.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

ORIENTATION, HEARING, DISCUSSION, DRAFTING, CLOSING = (
    "orientation", "hearing", "discussion", "drafting", "closing")
KINDS = (ORIENTATION, HEARING, DISCUSSION, DRAFTING, CLOSING)

# What a member (not the moderator) may do in each phase.  Chat, hands and polls work in
# every phase; questions to experts belong to the hearing, statement work to drafting.
ALLOWS = {
    ORIENTATION: {"chat", "hand", "poll"},
    HEARING: {"chat", "hand", "poll", "question"},
    DISCUSSION: {"chat", "hand", "poll", "question"},
    DRAFTING: {"chat", "hand", "poll", "statement"},
    CLOSING: {"chat", "hand", "poll", "statement"},
}

MAX_TIMER_SECONDS = 4 * 3600


class TimerError(ValueError):
    """An impossible timer operation (start a running timer, pause a stopped one ...)."""


def allows(kind: str | None, action: str) -> bool:
    """Between sessions (no current phase) the room stays open for chat and questions."""
    if kind is None:
        return action in {"chat", "question", "hand", "poll", "statement"}
    return action in ALLOWS.get(kind, set())


def can_move(current_index: int | None, target_index: int, count: int) -> bool:
    """The moderator may move to any existing phase (back as well: agendas slip)."""
    return 0 <= target_index < count and target_index != current_index


@dataclass(frozen=True)
class Timer:
    """A countdown: running (``ends_at`` set) or paused/stopped (``remaining`` seconds)."""

    ends_at: datetime | None = None
    remaining: int = 0

    @property
    def running(self) -> bool:
        return self.ends_at is not None

    def seconds_left(self, now: datetime) -> int:
        if self.ends_at is None:
            return self.remaining
        return max(0, int((self.ends_at - now).total_seconds() + 0.999))

    def start(self, now: datetime, seconds: int | None = None) -> "Timer":
        """Start with ``seconds`` (a new countdown) or resume the paused remainder."""
        if seconds is None:
            if self.running:
                raise TimerError("already running")
            if self.remaining <= 0:
                raise TimerError("nothing to resume")
            seconds = self.remaining
        if not 0 < seconds <= MAX_TIMER_SECONDS:
            raise TimerError("bad duration")
        return Timer(ends_at=now + timedelta(seconds=seconds), remaining=0)

    def pause(self, now: datetime) -> "Timer":
        if not self.running:
            raise TimerError("not running")
        return Timer(ends_at=None, remaining=self.seconds_left(now))

    def extend(self, now: datetime, seconds: int) -> "Timer":
        if not 0 < seconds <= MAX_TIMER_SECONDS:
            raise TimerError("bad duration")
        if self.running:
            left = self.seconds_left(now)
            if left + seconds > MAX_TIMER_SECONDS:
                raise TimerError("too long")
            return replace(self, ends_at=max(self.ends_at, now) + timedelta(seconds=seconds))
        if self.remaining + seconds > MAX_TIMER_SECONDS:
            raise TimerError("too long")
        return replace(self, remaining=self.remaining + seconds)

    def stop(self) -> "Timer":
        return Timer()


def announcement_points(total_seconds: int) -> list[int]:
    """Seconds-left values at which a screen reader hears the time (never every second):
    each full 5 minutes, then 2 min, 1 min, 30 s and zero."""
    points = {0, 30, 60, 120}
    points |= set(range(300, total_seconds + 1, 300))
    return sorted((p for p in points if p <= total_seconds), reverse=True)
