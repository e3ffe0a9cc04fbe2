"""Closing a panel and deleting personal data after the retention period.

The consent text promises that volunteers who were not selected have their data
deleted ``retention_days`` after the panel closes; accepted members stay (they take part
in the panel's work).  Aggregate counts are frozen on the panel first, so the pool view
and reports keep working without any personal data.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from kuulas import access, retention
from kuulas.extensions import db

from . import lifecycle, rules
from .lifecycle_reasons import require_panel
from .invitations.models import ACCEPTED, Invitation
from .recruitment.models import CLOSED, CONFIRMED, Panel, Volunteer
from .recruitment.setup import get_panel
from .recruitment.volunteers import pool_counts, pool_total


def close_panel(panel_id: int, *, actor, now: datetime) -> Panel:
    panel = get_panel(panel_id)
    access.require(actor, rules.MANAGE, panel, now=now)
    require_panel(panel.phase(now), lifecycle.CLOSE)     # the clock, not the job
    panel.state = lifecycle.panel_target(panel.phase(now), lifecycle.CLOSE)
    panel.closed_at = now
    return panel


def purge_due(now: datetime, max_days: int | None = None) -> int:
    """Delete non-members' data of panels past retention.  Idempotent: each panel is
    claimed with one guarded UPDATE.  ``max_days`` (the county's ``panel_volunteers``
    period, ``kuulas.retention``) shortens a panel's own period, never lengthens it."""
    purged = 0
    candidates = db.session.scalars(select(Panel).where(
        Panel.state == CLOSED, Panel.purged_at.is_(None), Panel.closed_at.is_not(None))).all()
    for panel in candidates:
        days = panel.retention_days if max_days is None else min(panel.retention_days, max_days)
        if panel.closed_at + timedelta(days=days) > now:
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


# --- the retention table (kuulas.retention) -----------------------------------------------

@retention.purger("panel_volunteers")
def _purge_volunteers(now: datetime, cutoff: datetime) -> int:
    return purge_due(now, max_days=(now - cutoff).days)


def _delete_volunteers(volunteer_ids) -> int:
    """Delete volunteers and every row that hangs on them (SQLite does not cascade)."""
    from .clients.models import ServiceUse
    from .recruitment.models import Answer
    from .standing.models import PoolMailingRecipient
    from .surveys.models import Recipient

    ids = list(volunteer_ids)
    if not ids:
        return 0
    db.session.execute(update(Invitation).where(Invitation.volunteer_id.in_(ids))
                       .values(volunteer_id=None).execution_options(synchronize_session=False))
    db.session.execute(update(Volunteer).where(Volunteer.source_volunteer_id.in_(ids))
                       .values(source_volunteer_id=None).execution_options(synchronize_session=False))
    for model in (Answer, ServiceUse, PoolMailingRecipient, Recipient):
        db.session.execute(delete(model).where(model.volunteer_id.in_(ids))
                           .execution_options(synchronize_session=False))
    return db.session.execute(delete(Volunteer).where(Volunteer.id.in_(ids))
                              .execution_options(synchronize_session=False)).rowcount or 0


@retention.purger("panel_members")
def _purge_members(now: datetime, cutoff: datetime) -> int:
    """Members of a panel closed before ``cutoff``: their data goes too (the panel's
    aggregate and the draw record with pseudonyms stay)."""
    closed = select(Panel.id).where(Panel.state == CLOSED, Panel.closed_at < cutoff,
                                    Panel.purged_at.is_not(None))
    ids = db.session.scalars(select(Volunteer.id).where(Volunteer.panel_id.in_(closed))).all()
    n = _delete_volunteers(ids)
    db.session.expire_all()
    return n


@retention.purger("invitations")
def _purge_invitation_links(now: datetime, cutoff: datetime) -> int:
    """An invitation declined, expired or never answered before ``cutoff`` no longer
    points at the person (the pseudonym stays in the draw record)."""
    from sqlalchemy import func

    n = db.session.execute(
        update(Invitation).where(Invitation.state != ACCEPTED, Invitation.volunteer_id.is_not(None),
                                 func.coalesce(Invitation.answered_at, Invitation.deadline) < cutoff)
        .values(volunteer_id=None).execution_options(synchronize_session=False)).rowcount or 0
    db.session.expire_all()
    return n


@retention.purger("survey_participation")
def _purge_survey_recipients(now: datetime, cutoff: datetime) -> int:
    """Who a survey was sent to and whether they answered, for surveys closed before
    ``cutoff`` (the survey keeps its frozen recipient count; answers were never linked)."""
    from .surveys.models import Recipient, Survey

    closed = select(Survey.id).where(Survey.closed_at.is_not(None), Survey.closed_at < cutoff)
    return db.session.execute(delete(Recipient).where(Recipient.survey_id.in_(closed))
                              .execution_options(synchronize_session=False)).rowcount or 0
