"""Monthly figures of service feedback, per unit and per service area.  Pure: no Flask,
no database; the service layer hands in plain rows.

A row is ``FeedbackRow(unit, area, received, rating, kind, tags, due, done)`` where ``done``
is the date it was answered or closed (None while open).  Public figures go through
``kuulas.disclosure`` (the monthly public ratings below use it directly).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from kuulas.disclosure import MIN_CELL as MIN_PUBLIC
from kuulas.disclosure import public_counts


@dataclass(frozen=True)
class FeedbackRow:
    unit: str
    area: str
    received: date
    rating: int | None
    kind: str | None
    tags: tuple[str, ...]
    due: date
    done: date | None


@dataclass
class MonthFigures:
    key: str                      # unit or area
    month: str                    # YYYY-MM
    volume: int = 0
    ratings: dict = field(default_factory=lambda: {r: 0 for r in (1, 2, 3, 4, 5)})
    rated: int = 0
    mean_rating: float | None = None
    kinds: dict = field(default_factory=dict)
    themes: dict = field(default_factory=dict)
    due_in_month: int = 0         # feedback whose due date falls in the month, or earlier and still open
    on_time: int = 0
    on_time_share: float | None = None


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_bounds(month: str) -> tuple[date, date]:
    year, mon = (int(p) for p in month.split("-"))
    start = date(year, mon, 1)
    end = date(year + (mon == 12), mon % 12 + 1, 1)
    return start, end


def figures(rows, month: str, *, by: str = "unit", today: date | None = None) -> list[MonthFigures]:
    """Figures for ``month`` grouped ``by`` "unit" or "area", sorted by key.

    Volume, ratings and themes count feedback *received* in the month.  Handling on time
    counts feedback *due* in the month: done on or before its due date counts as on time;
    still open after the due date counts as late (so an overdue item is never left out).
    """
    start, end = month_bounds(month)
    today = today or end
    groups: dict[str, MonthFigures] = {}

    def fig(key):
        return groups.setdefault(key, MonthFigures(key=key, month=month))

    for row in rows:
        key = row.unit if by == "unit" else row.area
        if start <= row.received < end:
            f = fig(key)
            f.volume += 1
            if row.rating in f.ratings:
                f.ratings[row.rating] += 1
                f.rated += 1
            if row.kind:
                f.kinds[row.kind] = f.kinds.get(row.kind, 0) + 1
            for tag in row.tags:
                f.themes[tag] = f.themes.get(tag, 0) + 1
        if start <= row.due < end and (row.done is not None or row.due < today):
            f = fig(key)
            f.due_in_month += 1
            if row.done is not None and row.done <= row.due:
                f.on_time += 1
    for f in groups.values():
        if f.rated:
            f.mean_rating = round(sum(r * n for r, n in f.ratings.items()) / f.rated, 2)
        if f.due_in_month:
            f.on_time_share = f.on_time / f.due_in_month
        f.themes = dict(Counter(f.themes).most_common())
    return [groups[k] for k in sorted(groups)]


def monthly_ratings(rows, months: list[str], *, min_count: int = MIN_PUBLIC) -> list[dict]:
    """Public monthly ratings of one unit: for each month the number of ratings and, only
    when there are at least ``min_count``, the mean and the distribution."""
    out = []
    for month in months:
        start, end = month_bounds(month)
        ratings = [r.rating for r in rows if r.rating and start <= r.received < end]
        shown = len(ratings) >= min_count
        out.append({
            "month": month,
            "count": len(ratings) if shown else None,
            "suppressed": not shown and bool(ratings),
            "mean": round(sum(ratings) / len(ratings), 1) if shown else None,
            "distribution": dict(zip((1, 2, 3, 4, 5), public_counts([ratings.count(r) for r in (1, 2, 3, 4, 5)])))
            if shown else None,
        })
    return out
