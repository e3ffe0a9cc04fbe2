"""What the public and management read: a unit's public page, monthly summaries and their
exports.  Services (no commit); counts shown to the public are suppressed below 5."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

from sqlalchemy import select

from kuulas import access
from kuulas.extensions import db

from . import lifecycle as lc
from . import summary
from .models import DevelopmentItem, Feedback, Unit
from .rules import SUMMARY, handles
from .services import units


def _rows(unit_ids=None) -> list[summary.FeedbackRow]:
    query = select(Feedback.unit_id, Feedback.received_at, Feedback.rating, Feedback.kind, Feedback.tags,
                   Feedback.due_on, Feedback.answered_on, Feedback.closed_on)
    if unit_ids is not None:
        query = query.where(Feedback.unit_id.in_(list(unit_ids)))
    by_id = {u.id: u for u in units()}
    out = []
    for unit_id, received, rating, kind, tags, due, answered, closed in db.session.execute(query):
        unit = by_id.get(unit_id)
        out.append(summary.FeedbackRow(unit=str(unit_id), area=unit.area if unit else "", received=received.date(),
                                       rating=rating, kind=kind, tags=tuple(tags or ()), due=due,
                                       done=answered or closed))
    return out


def last_months(today: date, n: int) -> list[str]:
    months, year, month = [], today.year, today.month
    for _ in range(n):
        months.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return months


def public_unit(unit: Unit, *, now: datetime, locale: str) -> dict:
    """The unit's public page: monthly ratings (suppressed below 5), answered feedback the
    handler chose to show, and what changed because of feedback."""
    rows = _rows([unit.id])
    answered = list(db.session.scalars(
        select(Feedback).where(Feedback.unit_id == unit.id, Feedback.reply_public.is_(True),
                               Feedback.public_text.is_not(None))
        .order_by(Feedback.answered_on.desc(), Feedback.public_id).limit(20)))
    changes = list(db.session.scalars(
        select(DevelopmentItem).where(DevelopmentItem.unit_id == unit.id, DevelopmentItem.state == lc.ITEM_DECIDED)
        .order_by(DevelopmentItem.decided_on.desc())))
    outcomes = outcome_links([i.id for i in changes])
    return {"unit": unit, "months": summary.monthly_ratings(rows, last_months(now.date(), 6)),
            "answered": answered, "changes": changes, "outcomes": outcomes, "min_public": summary.MIN_PUBLIC}


def outcome_links(item_ids: list[int]) -> dict[int, int]:
    """item id -> published outcome id, when the outcomes area has published one."""
    if not item_ids:
        return {}
    try:
        from deliberation.outcomes.models import Outcome
        from deliberation.outcomes.services import visible_outcomes
    except ImportError:   # the outcomes area is not installed
        return {}
    query = visible_outcomes().where(Outcome.source_kind == "feedback", Outcome.source_id.in_(item_ids))
    return {o.source_id: o.id for o in db.session.scalars(query)}


def monthly(month: str, *, by: str, actor, now: datetime) -> list[summary.MonthFigures]:
    """Management figures for the month, for the units the actor may see."""
    access.require(actor, SUMMARY, now=now)
    visible = [u for u in units() if handles(actor, u)]
    figures = summary.figures(_rows([u.id for u in visible]), month, by=by, today=now.date())
    return figures


def valid_month(value: str | None, today: date) -> str:
    try:
        year, month = (int(p) for p in (value or "").split("-"))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return f"{year:04d}-{month:02d}"
    except ValueError:
        pass
    return f"{today.year:04d}-{today.month:02d}"


COLUMNS = ("key", "month", "volume", "rated", "mean_rating", "r1", "r2", "r3", "r4", "r5",
           "praise", "idea", "complaint", "due", "on_time", "on_time_share", "themes")


def table(figures, labels: dict[str, str]) -> list[list]:
    out = [list(COLUMNS)]
    for f in figures:
        out.append([labels.get(f.key, f.key), f.month, f.volume, f.rated,
                    "" if f.mean_rating is None else f.mean_rating,
                    *[f.ratings[r] for r in (1, 2, 3, 4, 5)],
                    *[f.kinds.get(k, 0) for k in lc.KINDS], f.due_in_month, f.on_time,
                    "" if f.on_time_share is None else round(f.on_time_share, 3),
                    "; ".join(f"{t} ({n})" for t, n in f.themes.items())])
    return out


def to_csv(rows: list[list]) -> bytes:
    from kuulas.spreadsheet import neutralise

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for row in rows:
        writer.writerow([neutralise(v) if isinstance(v, str) else v for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: list[list], title: str) -> bytes:
    from openpyxl import Workbook

    from kuulas.spreadsheet import neutralise

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for row in rows:
        sheet.append([neutralise(v) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
