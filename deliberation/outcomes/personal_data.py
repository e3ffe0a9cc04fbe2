"""Personal data of outcomes (see ``kuulas.personal``): only which staff member did what."""
from __future__ import annotations

from kuulas.personal.trail import staff_trail

from .models import ImpactRevision, Outcome, OutcomeChange


def register_all() -> None:
    staff_trail("outcomes", Outcome, ("created_by_id",), linked=(OutcomeChange, ImpactRevision))
