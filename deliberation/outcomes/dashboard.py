"""The records behind the participation metrics dashboard: one per finished process, with
its outcome's figures (``metrics.indicators`` turns them into the IOOI indicators).
Reading only; aggregate figures, nothing that identifies a participant."""
from __future__ import annotations

from sqlalchemy import select

from kuulas import access
from kuulas.extensions import db

from . import history, lifecycle, sources
from .decisions import impact_state
from .figures import feature_tvd
from .models import Outcome
from .rules import METRICS


def metrics_records(*, actor, now) -> list[dict]:
    access.require(actor, METRICS, now=now)
    outcomes = {(o.source_kind, o.source_id): o for o in db.session.scalars(select(Outcome))}
    records = []
    seen = set()
    for kind in sources.KINDS:
        for row in sources.finished(kind):
            seen.add((kind, row["id"]))
            records.append(_record(kind, row["title"], outcomes.get((kind, row["id"]))))
    for key, o in outcomes.items():
        if key not in seen:
            records.append(_record(o.source_kind, o.title, o))
    return records


def _record(kind: str, title: str, o: Outcome | None) -> dict:
    rec = {"kind": kind, "title": title, "has_outcome": o is not None, "published": False,
           "participants": None, "ideas": None, "tvd": None, "impact_recorded": False,
           "closed_at": None, "published_at": None, "points_assessed": 0, "points_adopted": 0,
           "outcome_id": o.id if o else None, "state": o.state if o else None}
    if o is None:
        return rec
    figs = o.figures or {}
    tvds = [t for t in (feature_tvd(f.get("categories") or []) for f in o.composition or []) if t is not None]
    state = impact_state(o)
    rec.update(published=lifecycle.is_public(o.state), participants=figs.get("participants", figs.get("members")),
               ideas=figs.get("ideas"), tvd=max(tvds) if tvds else None,
               impact_recorded=bool(o.decisions) and bool(state), closed_at=o.closed_at,
               published_at=o.published_at,
               points_assessed=sum(1 for c in state.values() if c.status != history.PENDING),
               points_adopted=sum(1 for c in state.values() if c.status in (history.ADOPTED, history.PARTLY)))
    return rec
