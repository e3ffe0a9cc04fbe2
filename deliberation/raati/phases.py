"""Pure rules of the live room: the agenda's phase kinds and the moderator's countdown (what
each phase allows is the lifecycle's, ``lifecycle``).

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

MAX_TIMER_SECONDS = 4 * 3600
# A running countdown is read out to screen readers (never every second) at each full
# ANNOUNCE_EVERY seconds left and at ANNOUNCE_AT; the room's script gets both from ``sync``.
ANNOUNCE_EVERY = 300
ANNOUNCE_AT = (120, 60, 30, 0)


class TimerError(ValueError):
    """An impossible timer operation (start a running timer, pause a stopped one ...)."""


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


def announces(seconds_left: int) -> bool:
    """Whether a running countdown is read out at ``seconds_left``."""
    return seconds_left in ANNOUNCE_AT or (seconds_left > 0 and seconds_left % ANNOUNCE_EVERY == 0)
