"""The invitations job: expire unanswered invitations past their deadline and fill the
gaps with replacement draws.  Idempotent: the expiry is a guarded UPDATE, and a replacement
draw runs only while an unfilled gap exists.  It never commits: ``kuulas.scheduler.run_job``
commits the run (or rolls it back); each panel's draw runs in a savepoint, so one panel's
failure undoes only its own writes."""
from __future__ import annotations

import logging

from sqlalchemy import select

from kuulas import scheduler
from kuulas.extensions import db

from .. import lifecycle
from . import services as inv

log = logging.getLogger("panel.jobs")


@scheduler.job("panel.invitations", seconds=60)
def invitations(now):
    """Expire unanswered invitations past their deadline, then fill every gap with a
    replacement draw (one panel's failure does not stop the others)."""
    from ..recruitment.models import DRAWN, Panel
    from ..selection import services as selection

    expired = inv.expire_due(now)
    replaced = failed = blocked = 0
    for panel_id in db.session.scalars(select(Panel.id).where(Panel.state == DRAWN)).all():
        panel = db.session.get(Panel, panel_id)
        if not selection.gaps(panel, settled_before=now - inv.DECLINE_UNDO_WINDOW):
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
