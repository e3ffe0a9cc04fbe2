"""What other areas may ask of service feedback (the outcomes area publishes decided
development items as outcomes).  Plain functions over the database; stable, change only by
adding keys.  Never returns anything that identifies a feedback's writer."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, time

from sqlalchemy import select

from kuulas.extensions import db

from . import lifecycle as lc
from .models import DevelopmentItem, Feedback


def finished_items() -> list[dict]:
    """``[{id, title}]`` of decided development items, newest first (title in Finnish)."""
    rows = db.session.scalars(select(DevelopmentItem).where(DevelopmentItem.state == lc.ITEM_DECIDED)
                              .order_by(DevelopmentItem.id.desc()))
    return [{"id": i.id, "title": i.text("title", "fi")} for i in rows]


def item_outcome_data(item_id: int, locale: str = "fi") -> dict | None:
    item = db.session.get(DevelopmentItem, item_id)
    if item is None:
        return None
    feedback = list(db.session.scalars(select(Feedback).where(Feedback.item_id == item.id)))
    ratings = [f.rating for f in feedback if f.rating]
    received = [f.received_at for f in feedback]
    unit_name = item.unit.text("name", locale) if item.unit else ""
    kinds = Counter(f.kind for f in feedback if f.kind)
    decided = datetime.combine(item.decided_on, time(12)) if item.decided_on else None
    changed = datetime.combine(item.changed_on, time(12)) if item.changed_on else None
    summary = "\n\n".join(p for p in (item.text("decision", locale), item.text("change", locale)) if p)
    return {
        "title": item.text("title", locale),
        "question": item.text("description", locale),
        "background": unit_name,
        "unit": unit_name,
        "feedback_count": len(feedback),
        "mean_rating": round(sum(ratings) / len(ratings), 1) if len(ratings) >= 5 else None,
        "kinds": dict(kinds) if len(feedback) >= 5 else {},
        "first_received": min(received) if received else None,
        "last_received": max(received) if received else None,
        "decided_at": decided,
        "changed_at": changed,
        "decision": item.text("decision", locale),
        "change": item.text("change", locale),
        "summary_markdown": summary,
    }
