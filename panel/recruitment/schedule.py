"""When recruitment runs: publishing a panel, opening and closing recruitment (by the
clock, through the scheduled job, or by hand), and deleting registrations never confirmed."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update

from kuulas import access
from kuulas.extensions import db

from .. import lifecycle, rules
from ..lifecycle import RECRUITMENT_STATES, SCHEDULED
from ..lifecycle_reasons import require_panel
from ..errors import DetailedValidation
from .models import PENDING, RECRUITING, RECRUITMENT_CLOSED, Answer, Panel, Volunteer

from .setup import check_ready, get_panel
from .signup import CONFIRM_LIFETIME


def publish(panel_id: int, *, actor, now: datetime) -> Panel:
    """Make a draft panel ready: recruitment then opens by itself at its start time."""
    panel = get_panel(panel_id)
    access.require(actor, rules.MANAGE, panel, now=now)
    problems = check_ready(panel)
    if problems:
        raise DetailedValidation(_l("The panel is not ready for recruitment yet."), problems)
    require_panel(panel.state, lifecycle.PUBLISH)
    panel.state = lifecycle.panel_target(panel.state, lifecycle.PUBLISH)
    open_due_recruitments(now)
    return panel


def open_due_recruitments(now: datetime) -> int:
    opened = db.session.execute(
        update(Panel).where(Panel.state == SCHEDULED, Panel.recruitment_opens_at <= now,
                            or_(Panel.recruitment_closes_at.is_(None),
                                Panel.recruitment_closes_at > now))
        .values(state=RECRUITING).execution_options(synchronize_session="fetch")).rowcount or 0
    return opened


def close_due_recruitments(now: datetime, panel_id: int | None = None) -> int:
    only = (Panel.id == panel_id,) if panel_id is not None else ()
    closed = db.session.execute(
        update(Panel).where(Panel.state.in_(RECRUITMENT_STATES),
                            Panel.recruitment_closes_at <= now, *only)
        .values(state=RECRUITMENT_CLOSED).execution_options(synchronize_session="fetch")).rowcount
    return closed or 0


def delete_unconfirmed(now: datetime) -> int:
    """Registrations never confirmed are deleted a day after their link expired."""
    cutoff = now - CONFIRM_LIFETIME - timedelta(days=1)
    doomed = select(Volunteer.id).where(Volunteer.state == PENDING, Volunteer.created_at < cutoff)
    db.session.execute(delete(Answer).where(Answer.volunteer_id.in_(doomed))
                       .execution_options(synchronize_session=False))
    return db.session.execute(delete(Volunteer).where(Volunteer.state == PENDING,
                                                      Volunteer.created_at < cutoff)
                              .execution_options(synchronize_session=False)).rowcount or 0


def close_recruitment_now(panel_id: int, *, actor, now: datetime) -> Panel:
    panel = get_panel(panel_id)
    access.require(actor, rules.MANAGE, panel, now=now)
    require_panel(panel.state, lifecycle.CLOSE_RECRUITMENT)
    panel.state = lifecycle.panel_target(panel.state, lifecycle.CLOSE_RECRUITMENT)
    panel.recruitment_closes_at = min(panel.recruitment_closes_at or now, now)
    return panel
