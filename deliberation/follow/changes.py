"""The public change list: areas call ``record`` when something the public can see
changes (in the same transaction as the change).  Append-only; holds no personal data.

Events (``event``):
- outcome: ``published``, ``decision_recorded``, ``impact_recorded``, ``follow_up``,
  ``closed_without_decision``
- ideas (a round): ``opened``, ``closed``
- raati: ``statement_locked``, ``finished``
"""
from __future__ import annotations

from datetime import datetime

from kuulas.extensions import db

from .models import PublicChange

EVENTS = ("published", "decision_recorded", "impact_recorded", "follow_up", "closed_without_decision",
          "opened", "closed", "statement_locked", "finished")


def record(kind: str, target_id: int, event: str, *, now: datetime) -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown public change {event!r}")
    db.session.add(PublicChange(kind=kind, target_id=int(target_id), event=event, at=now))
