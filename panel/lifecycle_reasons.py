"""The translated reasons behind ``panel.lifecycle``'s refusals, and the checks services
call before they change a panel, a draw or an invitation.  (The lifecycle itself stays
pure; this module adds the translations.)"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from kuulas.errors import Conflict

from . import lifecycle

REASONS = {
    "already_scheduled": _l("Recruitment has already been scheduled."),
    "recruitment_not_open": _l("Recruitment is not open."),
    "close_recruitment_first": _l("Close recruitment before preparing the draw."),
    "replacement_after_draw": _l("Replacement draws are made only after the draw, while the "
                                 "panel is being formed."),
    "close_after_recruitment": _l("Only a panel whose recruitment has ended can be closed."),
    "draw_already_run": _l("The draw has already been run."),
    "already_answered": _l("You have already answered this invitation."),
    "decline_not_undoable": _l("The decline can no longer be taken back: the seat has already "
                               "been offered to someone else or the deadline has passed."),
}


def reason(key: str | None):
    """The translated text for a reason key (None: no reason)."""
    if key is None:
        return None
    return REASONS.get(key) or Conflict().reason


def _refuse(key: str | None) -> None:
    if key is not None:
        raise Conflict(reason(key))


def require_panel(phase_or_state: str, action: str) -> None:
    """Raise ``Conflict`` with the translated reason unless the panel's phase allows it."""
    _refuse(lifecycle.panel_why_not(phase_or_state, action))


def require_draw(state: str, action: str) -> None:
    _refuse(lifecycle.draw_why_not(state, action))


def require_invitation(state: str, action: str) -> None:
    _refuse(lifecycle.invitation_why_not(state, action))
