"""IOOI participation indicators (input, output, outcome, impact) over plain data.

Pure: no Flask, no SQLAlchemy, no I/O.  The service layer hands in a ``YearData``; nothing in
it identifies a participant (unique participants arrive as one count: see ``unique``).  Each
indicator is a small function, so each can be checked by hand; a value that cannot be computed
(no processes, nobody invited, no answers) is None, never a division by zero.

A process belongs to the year it closed in (a round open from December to January counts in
January's year); a process still running belongs to the year it opened.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median
from typing import Callable

from kuulas.disclosure import public_counts

INPUT, OUTPUT, OUTCOME, IMPACT = "input", "output", "outcome", "impact"
LEVELS = (INPUT, OUTPUT, OUTCOME, IMPACT)
MIN_ANSWERS = 5          # experience results with fewer answers are not shown
EXPERIENCE_QUESTIONS = ("say", "heard", "use", "again")


@dataclass
class ProcessRecord:
    kind: str                        # ideas, raati, surveys, feedback, panel (the outcome source kinds)
    id: int
    title: str
    opened: date | None
    closed: date | None
    area: str = ""                   # service area, "" when not set
    participants: int | None = None
    invited: int | None = None
    ideas: int = 0
    votes: int = 0
    comments: int = 0
    tvd: float | None = None         # largest distance of participants from the population
    published: bool = False          # has a published outcome
    published_on: date | None = None
    points: int = 0                  # points an impact can be recorded on
    points_assessed: int = 0
    adopted: int = 0
    partly: int = 0
    not_adopted: int = 0
    follow_ups: int = 0
    staff_hours: float | None = None
    costs_eur: float | None = None
    channels: tuple[str, ...] = ()
    reached: int | None = None

    @property
    def year(self) -> int | None:
        day = self.closed or self.opened
        return day.year if day else None


@dataclass
class YearData:
    year: int
    processes: list[ProcessRecord] = field(default_factory=list)
    # Experience answers: (kind, {question: 1..5 or None}) — no process id needed here.
    experience: list[tuple[str, dict]] = field(default_factory=list)
    feedback_received: int = 0
    feedback_due: int = 0
    feedback_on_time: int = 0
    service_changes: int = 0          # development items decided with a recorded change
    unique_participants: int | None = None


def _sum(values):
    values = [v for v in values if v is not None]
    return sum(values) if values else None


def _share(part, whole):
    return (part / whole) if whole else None


def _median(values):
    values = [v for v in values if v is not None]
    return median(values) if values else None


def _days(a: date | None, b: date | None):
    if a is None or b is None:
        return None
    return max(0, (b - a).days)


def in_year(data: YearData, area: str | None = None) -> list[ProcessRecord]:
    return [p for p in data.processes if p.year == data.year and (not area or p.area == area)]


@dataclass(frozen=True)
class Indicator:
    key: str
    level: str
    unit: str                         # count, share, days, score, hours, eur
    lo: float
    hi: float | None
    public: bool                      # carries no personal data: may be on the public page
    higher_is_better: bool
    compute: Callable[[YearData, list[ProcessRecord]], float | None]


def _experience_mean(data: YearData, _p):
    values = [v for _k, answers in data.experience for v in answers.values() if v]
    return round(sum(values) / len(values), 2) if len(data.experience) >= MIN_ANSWERS and values else None


INDICATORS: tuple[Indicator, ...] = (
    # Input
    Indicator("invitations_sent", INPUT, "count", 0, None, True, True, lambda d, p: _sum(x.invited for x in p)),
    Indicator("people_reached", INPUT, "count", 0, None, True, True, lambda d, p: _sum(x.reached for x in p)),
    Indicator("staff_hours", INPUT, "hours", 0, None, False, False, lambda d, p: _sum(x.staff_hours for x in p)),
    Indicator("costs_eur", INPUT, "eur", 0, None, False, False, lambda d, p: _sum(x.costs_eur for x in p)),
    Indicator("channels_used", INPUT, "count", 0, None, True, True,
              lambda d, p: len({c for x in p for c in x.channels}) if p else None),
    # Output
    Indicator("processes_run", OUTPUT, "count", 0, None, True, True, lambda d, p: len(p)),
    Indicator("participants_total", OUTPUT, "count", 0, None, True, True,
              lambda d, p: _sum(x.participants for x in p)),
    Indicator("unique_participants", OUTPUT, "count", 0, None, True, True, lambda d, p: d.unique_participants),
    Indicator("response_rate", OUTPUT, "share", 0, 1, True, True,
              lambda d, p: _share(sum(x.participants or 0 for x in p if x.invited),
                                  sum(x.invited for x in p if x.invited))),
    Indicator("representativeness_tvd", OUTPUT, "share", 0, 1, True, False,
              lambda d, p: _median(x.tvd for x in p)),
    Indicator("ideas_total", OUTPUT, "count", 0, None, True, True, lambda d, p: sum(x.ideas for x in p)),
    Indicator("votes_total", OUTPUT, "count", 0, None, True, True, lambda d, p: sum(x.votes for x in p)),
    Indicator("feedback_received", OUTPUT, "count", 0, None, True, True, lambda d, p: d.feedback_received),
    # Outcome
    Indicator("experience_score", OUTCOME, "score", 1, 5, True, True, _experience_mean),
    Indicator("experience_answers", OUTCOME, "count", 0, None, True, True, lambda d, p: len(d.experience)),
    Indicator("share_with_outcome", OUTCOME, "share", 0, 1, True, True,
              lambda d, p: _share(sum(1 for x in p if x.published), len(p))),
    Indicator("days_to_publication", OUTCOME, "days", 0, None, True, False,
              lambda d, p: _median(_days(x.closed, x.published_on) for x in p if x.published)),
    Indicator("feedback_on_time", OUTCOME, "share", 0, 1, True, True,
              lambda d, p: _share(d.feedback_on_time, d.feedback_due)),
    # Impact
    Indicator("share_points_with_impact", IMPACT, "share", 0, 1, True, True,
              lambda d, p: _share(sum(x.points_assessed for x in p), sum(x.points for x in p))),
    Indicator("share_adopted", IMPACT, "share", 0, 1, True, True,
              lambda d, p: _share(sum(x.adopted + x.partly for x in p), sum(x.points_assessed for x in p))),
    Indicator("points_adopted", IMPACT, "count", 0, None, True, True, lambda d, p: sum(x.adopted for x in p)),
    Indicator("points_partly", IMPACT, "count", 0, None, True, True, lambda d, p: sum(x.partly for x in p)),
    Indicator("points_not_adopted", IMPACT, "count", 0, None, True, True,
              lambda d, p: sum(x.not_adopted for x in p)),
    Indicator("follow_ups", IMPACT, "count", 0, None, True, True, lambda d, p: sum(x.follow_ups for x in p)),
    Indicator("service_changes", IMPACT, "count", 0, None, True, True, lambda d, p: d.service_changes),
)
BY_KEY = {i.key: i for i in INDICATORS}


def compute(data: YearData, area: str | None = None) -> dict[str, float | None]:
    processes = in_year(data, area)
    return {i.key: i.compute(data, processes) for i in INDICATORS}


class OutOfRange(ValueError):
    def __init__(self, key, lo, hi):
        super().__init__(key)
        self.key, self.lo, self.hi = key, lo, hi


def check_target(key: str, value: float) -> float:
    """A target must lie in the indicator's range (shares 0..1, scores 1..5, counts >= 0)."""
    ind = BY_KEY[key]
    if value < ind.lo or (ind.hi is not None and value > ind.hi):
        raise OutOfRange(key, ind.lo, ind.hi)
    return float(value)


def met(key: str, value: float | None, target: float | None) -> bool | None:
    if value is None or target is None:
        return None
    return value >= target if BY_KEY[key].higher_is_better else value <= target


def experience_results(answers: list[tuple[str, dict]], *, min_answers: int = MIN_ANSWERS) -> list[dict]:
    """Per question: the number of answers and, from ``min_answers`` on, the mean and the
    distribution of 1..5; below that only "fewer than 5"."""
    out = []
    for q in EXPERIENCE_QUESTIONS:
        values = [a.get(q) for _k, a in answers if a.get(q)]
        shown = len(values) >= min_answers
        out.append({"question": q, "n": len(values) if shown else None, "suppressed": bool(values) and not shown,
                    "mean": round(sum(values) / len(values), 2) if shown else None,
                    "distribution": dict(zip(range(1, 6), public_counts([values.count(v) for v in range(1, 6)])))
                    if shown else None})
    return out


def year_of(moment: datetime | date | None) -> int | None:
    return moment.year if moment else None
