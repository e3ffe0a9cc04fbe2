"""Scheduled jobs of the panel area.  Each is idempotent: state changes are guarded
UPDATEs, and a replacement draw runs only while an unfilled gap exists.  The jobs never
commit: ``kuulas.scheduler.run_job`` commits the run (or rolls it back)."""
from __future__ import annotations

import logging

from sqlalchemy import select

from kuulas import scheduler
from kuulas.extensions import db

from . import lifecycle

log = logging.getLogger("panel.jobs")


@scheduler.job("panel.recruitment", seconds=60)
def recruitment(now):
    from .recruitment import services

    opened = services.open_due_recruitments(now)
    closed = services.close_due_recruitments(now)
    unconfirmed = services.delete_unconfirmed(now)
    return {"opened": opened, "closed": closed, "unconfirmed_deleted": unconfirmed}


@scheduler.job("panel.invitations", seconds=60)
def invitations(now):
    """Expire unanswered invitations past their deadline, then fill every gap with a
    replacement draw (one panel's failure does not stop the others)."""
    from .invitations import services as inv
    from .recruitment.models import DRAWN, Panel
    from .selection import services as selection

    expired = inv.expire_due(now)
    replaced = failed = blocked = 0
    for panel_id in db.session.scalars(select(Panel.id).where(Panel.state == DRAWN)).all():
        panel = db.session.get(Panel, panel_id)
        from .invitations.services import DECLINE_UNDO_WINDOW

        if not selection.gaps(panel, settled_before=now - DECLINE_UNDO_WINDOW):
            continue   # nothing open, or declines still inside their undo window
        try:
            with db.session.begin_nested():     # a failed draw undoes only its own writes
                draw = selection.replacement_draw(panel_id, now=now)
            if draw is not None and draw.state == lifecycle.D_BLOCKED:
                # Staff choose: the engine's relaxed quotas, or their own (staff page).
                blocked += 1
                log.warning("replacement draw for panel %s waits for staff: the quotas "
                            "cannot all be kept", panel_id)
            elif draw is not None:
                replaced += 1
        except Exception as exc:  # e.g. the pool can no longer meet the quotas
            failed += 1
            log.warning("replacement draw for panel %s failed: %s", panel_id, exc)
    return {"expired": expired, "replacement_draws": replaced, "blocked": blocked,
            "failed": failed}


# Panel data past its retention period is deleted by the one retention job
# (``kuulas.retention``); the purges are registered in ``panel.retention``.
from . import retention as _retention  # noqa: E402,F401
