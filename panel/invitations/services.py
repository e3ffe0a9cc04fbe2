"""Invitations: one-time accept/decline links with a deadline, expiry, the roster.

Each link's token is shown once (in the e-mail) and stored only as its digest
(``kuulas.tokens``).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from kuulas import access, tokens
from kuulas.errors import Conflict, KuulasError, NotFound
from kuulas.extensions import db

from .. import lifecycle, mailing, rules
from ..lifecycle_reasons import require_invitation
from ..recruitment.models import Panel, Volunteer
from ..recruitment.setup import get_panel
from .models import (ACCEPTED, DECLINED, EXPIRED, OPEN_STATES, PENDING, WITHDRAWN,
                     Invitation)


class LinkExpired(KuulasError):
    status = 410
    code = "invitation_expired"




def invite(panel: Panel, draw, pseudonyms, *, now: datetime) -> list[Invitation]:
    """Create invitations for ``pseudonyms`` of ``draw`` and queue their e-mails."""
    deadline = now + timedelta(days=panel.invitation_days)
    volunteers = {v.pseudonym: v for v in db.session.scalars(
        select(Volunteer).where(Volunteer.panel_id == panel.id,
                                Volunteer.pseudonym.in_(list(pseudonyms))))}
    created = []
    base = current_app.config.get("SITE_URL", "").rstrip("/")
    for pseudonym in pseudonyms:
        volunteer = volunteers.get(pseudonym)
        token = tokens.new()
        invitation = Invitation(panel_id=panel.id, draw_id=draw.id, pseudonym=pseudonym,
                                volunteer_id=volunteer.id if volunteer else None,
                                token_hash=tokens.digest(token), deadline=deadline, created_at=now,
                                state=PENDING if volunteer else WITHDRAWN)
        db.session.add(invitation)
        created.append(invitation)
        if volunteer is None:
            continue
        mailing.queue(volunteer.email, "invitation", locale=volunteer.locale,
                            category="panel_invitation", now=now,
                            panel_name=panel.name(volunteer.locale), deadline=deadline,
                            link=f"{base}/paneelit/kutsu/{token}",
                            display_name=volunteer.display_name)
    db.session.flush()
    return created


def peek(token: str, *, now: datetime) -> Invitation:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == tokens.digest(token)))
    if invitation is None or invitation.volunteer_id is None:
        raise NotFound(_l("This invitation link is not valid. Check that you copied the whole "
                          "link."))
    if invitation.state == EXPIRED or (invitation.state == PENDING and invitation.deadline <= now):
        raise LinkExpired(_l("The deadline for answering this invitation has passed, and the "
                             "seat has been offered to someone else. Thank you for your interest."))
    return invitation


def answer(token: str, *, accept: bool, display_name: str | None = None,
           now: datetime) -> Invitation:
    invitation = peek(token, now=now)
    require_invitation(invitation.state, lifecycle.ANSWER)
    # One guarded UPDATE decides a double click or a race with the expiry job.
    changed = db.session.execute(
        update(Invitation).where(Invitation.id == invitation.id, Invitation.state == PENDING,
                                 Invitation.deadline > now)
        .values(state=ACCEPTED if accept else DECLINED, answered_at=now)
        .execution_options(synchronize_session="fetch")).rowcount
    if changed != 1:
        raise Conflict(_l("You have already answered this invitation."))
    if accept and display_name is not None and display_name.strip():
        volunteer = db.session.get(Volunteer, invitation.volunteer_id)
        volunteer.display_name = display_name.strip()[:80]
    db.session.refresh(invitation)
    return invitation


# A decline can be taken back for this long, and until a replacement draw fills the seat;
# the scheduled job waits this long before it draws a replacement for a decline.
DECLINE_UNDO_WINDOW = timedelta(hours=24)


def can_undo_decline(invitation: Invitation, now: datetime) -> bool:
    return (lifecycle.invitation_allows(invitation.state, lifecycle.UNDO_DECLINE)
            and invitation.replaced_by_draw_id is None
            and invitation.deadline > now)


def undo_decline(token: str, *, now: datetime) -> Invitation:
    """Take a decline back while the seat is still open (no replacement drawn yet) and the
    answer deadline has not passed: the invitation is pending again."""
    invitation = peek(token, now=now)
    if not can_undo_decline(invitation, now):
        raise Conflict(_l("The decline can no longer be taken back: the seat has already been "
                          "offered to someone else or the deadline has passed."))
    changed = db.session.execute(
        update(Invitation).where(Invitation.id == invitation.id, Invitation.state == DECLINED,
                                 Invitation.replaced_by_draw_id.is_(None),
                                 Invitation.deadline > now)
        .values(state=PENDING, answered_at=None)
        .execution_options(synchronize_session="fetch")).rowcount
    if changed != 1:
        raise Conflict(_l("The decline can no longer be taken back: the seat has already been "
                          "offered to someone else or the deadline has passed."))
    db.session.refresh(invitation)
    return invitation


def expire_due(now: datetime) -> int:
    return db.session.execute(
        update(Invitation).where(Invitation.state == PENDING, Invitation.deadline <= now)
        .values(state=EXPIRED, answered_at=now)
        .execution_options(synchronize_session="fetch")).rowcount or 0


def release_withdrawn(volunteer: Volunteer, *, now: datetime) -> None:
    """A withdrawing volunteer leaves their seat (if any) open for a replacement."""
    db.session.execute(
        update(Invitation).where(Invitation.volunteer_id == volunteer.id,
                                 Invitation.state.in_(OPEN_STATES))
        .values(state=WITHDRAWN, answered_at=now)
        .execution_options(synchronize_session="fetch"))
    db.session.execute(update(Invitation).where(Invitation.volunteer_id == volunteer.id)
                       .values(volunteer_id=None).execution_options(synchronize_session="fetch"))


def invitation_list(panel_id: int, *, actor, now: datetime) -> list[Invitation]:
    panel = get_panel(panel_id)
    access.require(actor, rules.DRAW_RUN, panel, now=now)
    return list(db.session.scalars(select(Invitation).where(Invitation.panel_id == panel.id)
                                   .order_by(Invitation.draw_id, Invitation.pseudonym)))


def accepted(panel_id: int) -> list[tuple[Invitation, Volunteer]]:
    return list(db.session.execute(
        select(Invitation, Volunteer).join(Volunteer, Volunteer.id == Invitation.volunteer_id)
        .where(Invitation.panel_id == panel_id, Invitation.state == ACCEPTED)
        .order_by(Volunteer.display_name, Volunteer.id)).all())


def roster(panel_id: int, *, actor, now: datetime) -> list[str]:
    """Display names of accepted members: what digiraati moderators see (no demographics)."""
    panel = get_panel(panel_id)
    access.require(actor, rules.ROSTER_VIEW, panel, now=now)
    return [v.display_name or v.pseudonym for _i, v in accepted(panel.id)]
