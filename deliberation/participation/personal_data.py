"""Personal data of participation figures (see ``kuulas.personal``): the answers to the
experience questionnaire and the unique-participant keys are anonymous; only the staff
member who set a target is recorded."""
from __future__ import annotations

from kuulas.personal.trail import staff_trail

from .models import Target


def register_all() -> None:
    staff_trail("participation", Target, ("set_by",))
