"""Closing a panel and deleting personal data after the retention period.

The consent text promises that volunteers who were not selected have their data
deleted ``retention_days`` after the panel closes; accepted members stay (they take part
in the panel's work).  Aggregate counts are frozen on the panel first, so the pool view
and reports keep working without any personal data.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from kuulas import access
from kuulas.errors import Conflict
from kuulas.extensions import db

from . import rules
from .invitations.models import ACCEPTED, Invitation
from .recruitment.models import CLOSED, CONFIRMED, DRAWN, RECRUITMENT_CLOSED, Panel, Volunteer
from .recruitment.services import get_panel, pool_counts, pool_total


def close_panel(panel_id: int, *, actor, now: datetime) -> Panel:
    panel = get_panel(panel_id)
    access.require(actor, rules.MANAGE, panel, now=now)
    if panel.phase(now) not in (DRAWN, RECRUITMENT_CLOSED):   # the clock, not the job
        raise Conflict(_l("Only a panel whose recruitment has ended can be closed."))
    panel.state = CLOSED
    panel.closed_at = now
    return panel


def purge_due(now: datetime) -> int:
    """Delete non-members' data of panels past retention.  Idempotent: each panel is
    claimed with one guarded UPDATE."""
    purged = 0
    candidates = db.session.scalars(select(Panel).where(
        Panel.state == CLOSED, Panel.purged_at.is_(None), Panel.closed_at.is_not(None))).all()
    for panel in candidates:
        if panel.closed_at + timedelta(days=panel.retention_days) > now:
            continue
        aggregate = {"total": pool_total(panel.id), "features": pool_counts(panel.id)}
        claimed = db.session.execute(
            update(Panel).where(Panel.id == panel.id, Panel.purged_at.is_(None))
            .values(purged_at=now, aggregate=aggregate)
            .execution_options(synchronize_session="fetch")).rowcount
        if claimed != 1:
            continue
        members = select(Invitation.volunteer_id).where(
            Invitation.panel_id == panel.id, Invitation.state == ACCEPTED,
            Invitation.volunteer_id.is_not(None))
        doomed = select(Volunteer.id).where(Volunteer.panel_id == panel.id,
                                            Volunteer.id.not_in(members))
        db.session.execute(update(Invitation).where(Invitation.volunteer_id.in_(doomed))
                           .values(volunteer_id=None).execution_options(synchronize_session=False))
        from .recruitment.models import Answer

        db.session.execute(delete(Answer).where(Answer.volunteer_id.in_(doomed))
                           .execution_options(synchronize_session=False))
        db.session.execute(delete(Volunteer).where(Volunteer.panel_id == panel.id,
                                                   Volunteer.id.not_in(members))
                           .execution_options(synchronize_session=False))
        purged += 1
    db.session.expire_all()
    return purged
