"""Standing-panel services: membership renewal and expiry, draw groups drawn from the pool,
idea-round invitations to the pool, and what a member sees on their own page.

Plain functions (no ``request``/``current_user``); they check access first and write
nothing unless everything is valid.  Draw groups reuse the ordinary quota, draw, report
and invitation machinery: a draw group *is* a panel, whose volunteers are a frozen
snapshot of eligible pool members (see docs/panels.md).
"""
from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from kuulas import access
from kuulas.accounts import services as accounts
from kuulas.errors import Conflict, NotFound, ValidationFailed
from kuulas.extensions import db

from .. import mailing, pool, rules
from ..recruitment.models import (CLIENT, CONFIRMED, RECRUITMENT_CLOSED, Answer, Category,
                                  Feature, Panel, Volunteer)
from ..pool import registration_of
from ..recruitment.setup import get_panel
from ..recruitment.signup import new_pseudonym
from .models import IDEA_ROUND, PoolMailing, PoolMailingRecipient

PURPOSE_RENEW = "panel_renew"
RENEW_LIFETIME = timedelta(days=90)
DEFAULT_RENEWAL_DAYS = 30


def standing_panel(panel_id: int) -> Panel:
    panel = get_panel(panel_id)
    if not panel.standing:
        raise Conflict(_l("This is not a standing panel."))
    return panel


def _site() -> str:
    return current_app.config.get("SITE_URL", "").rstrip("/")


# --- renewal and expiry ----------------------------------------------------------------

def renewal_days() -> int:
    return int(current_app.config.get("PANEL_RENEWAL_DAYS", DEFAULT_RENEWAL_DAYS))


def send_renewals(now: datetime) -> int:
    """Queue a renewal mail to every member whose period ends within the renewal window.
    Idempotent: each member is claimed with one guarded UPDATE of ``renewal_sent_at``."""
    horizon = now + timedelta(days=renewal_days())
    due = db.session.execute(
        select(Volunteer.id, Panel.id).join(Panel, Panel.id == Volunteer.panel_id)
        .where(Panel.standing.is_(True), Volunteer.state == CONFIRMED,
               Volunteer.renewal_sent_at.is_(None), Volunteer.consent_expires_at.is_not(None),
               Volunteer.consent_expires_at > now, Volunteer.consent_expires_at <= horizon)
        .order_by(Volunteer.id)).all()
    sent = 0
    for volunteer_id, panel_id in due:
        claimed = db.session.execute(
            update(Volunteer).where(Volunteer.id == volunteer_id,
                                    Volunteer.renewal_sent_at.is_(None))
            .values(renewal_sent_at=now).execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            continue
        volunteer = db.session.get(Volunteer, volunteer_id)
        db.session.refresh(volunteer)
        account = db.session.get(accounts.Account, volunteer.account_id) if volunteer.account_id else None
        if account is None:
            continue
        panel = db.session.get(Panel, panel_id)
        token = accounts.issue_token(account, PURPOSE_RENEW, now=now,
                                     next_path=f"/paneelit/{panel_id}/jasenyys")
        mailing.queue(volunteer.email, "renewal", locale=volunteer.locale,
                      category="panel_renewal", now=now, panel_name=panel.name(volunteer.locale),
                      expires_at=volunteer.consent_expires_at, months=panel.consent_months,
                      link=f"{_site()}/paneelit/jatka/{token}")
        sent += 1
    return sent


def delete_expired(now: datetime) -> int:
    """Members whose consent period has ended are deleted (through ``pool.leave``)."""
    ids = db.session.scalars(
        select(Volunteer.id).join(Panel, Panel.id == Volunteer.panel_id)
        .where(Panel.standing.is_(True), Volunteer.consent_expires_at.is_not(None),
               Volunteer.consent_expires_at <= now).order_by(Volunteer.id)).all()
    for volunteer_id in ids:
        if db.session.get(Volunteer, volunteer_id) is not None:
            pool.leave(volunteer_id, actor=None, now=now)
    return len(ids)


def purge_orphans() -> int:
    """Service use and "was invited" rows whose volunteer is gone.  PostgreSQL cascades
    them; SQLite without foreign keys keeps them when another path (an unconfirmed sign-up
    expiring, a closed panel's purge) deletes volunteers in bulk."""
    from sqlalchemy import delete, exists

    from ..clients.models import ServiceUse

    gone = 0
    for model in (ServiceUse, PoolMailingRecipient):
        gone += db.session.execute(
            delete(model).where(~exists(select(Volunteer.id)
                                        .where(Volunteer.id == model.volunteer_id)))
            .execution_options(synchronize_session=False)).rowcount or 0
    return gone


def _extend(volunteer: Volunteer, now: datetime) -> Volunteer:
    db.session.refresh(volunteer)      # the renewal job may have changed the row meanwhile
    panel = get_panel(volunteer.panel_id)
    if volunteer.consent_expires_at is not None and volunteer.consent_expires_at <= now:
        raise Conflict(_l("Your membership has already ended. You are welcome to join again."))
    volunteer.consent_at = now
    volunteer.consent_expires_at = pool.consent_until(panel, now)
    volunteer.renewal_sent_at = None
    return volunteer


def renew(token: str, *, now: datetime) -> Volunteer:
    """The renewal link: the membership continues for another full period from now."""
    account, row = accounts.consume_token(token, PURPOSE_RENEW, now=now)
    match = re.match(r"^/paneelit/(\d+)/", row.next_path or "")
    volunteer = pool.member_for_account(account.id, int(match.group(1)) if match else 0)
    if volunteer is None:
        raise NotFound(_l("This membership no longer exists."))
    return _extend(volunteer, now)


def renew_own(panel_id: int, *, actor, now: datetime) -> Volunteer:
    volunteer = registration_of(panel_id, actor)
    access.require(actor, rules.OWN_REGISTRATION, volunteer, now=now)
    standing_panel(panel_id)
    if volunteer.state != CONFIRMED:
        raise Conflict(_l("Confirm your registration first."))
    return _extend(volunteer, now)


# --- draw groups ----------------------------------------------------------------------

def create_draw_group(panel_id: int, *, name_fi: str, name_sv: str, name_en: str = "",
                      target_size: int, client_group: str = "", invitation_days: int = 7,
                      actor, now: datetime) -> Panel:
    """A digiraati or client jury drawn from the pool: a child panel with a copy of the
    pool's features and a frozen snapshot of its eligible members (optionally only one
    client group).  Its quotas, draw, public report and invitations are the ordinary ones."""
    from ..clients.services import check_keys

    parent = standing_panel(panel_id)
    access.require(actor, rules.POOL_INVITE, parent, now=now)
    name_fi, name_sv = (name_fi or "").strip(), (name_sv or "").strip()
    if not name_fi or not name_sv:
        raise ValidationFailed(_l("Give the group a name in Finnish and in Swedish."))
    if not 2 <= int(target_size or 0) <= 1000:
        raise ValidationFailed(_l("The panel size must be between 2 and 1,000."))
    client_group = (client_group or "").strip()
    if client_group:
        check_keys([client_group])
    eligible = pool.members(parent.id, now=now,
                            service_keys=[client_group] if client_group else None)
    from kuulas.disclosure import MIN_CELL

    if client_group and len(eligible) < MIN_CELL:
        # The group's public pool file would tell how many use the service.
        raise ValidationFailed(_l("Fewer than %(n)s members use this service: no group can be "
                                  "drawn from it."), n=MIN_CELL)
    if len(eligible) < target_size:
        raise ValidationFailed(_l("Only %(n)s members are eligible, fewer than the group size "
                                  "%(k)s."), n=len(eligible), k=target_size)
    child = Panel(name_fi=name_fi[:200], name_sv=name_sv[:200], name_en=(name_en or "").strip()[:200],
                  description_fi=parent.description_fi, description_sv=parent.description_sv,
                  description_en=parent.description_en,
                  kind=CLIENT if client_group else parent.kind, target_size=int(target_size),
                  recruitment_opens_at=now, recruitment_closes_at=now, state=RECRUITMENT_CLOSED,
                  controller=parent.controller, retention_days=parent.retention_days,
                  invitation_days=int(invitation_days or 7), created_at=now,
                  parent_id=parent.id, client_group=client_group)
    db.session.add(child)
    db.session.flush()
    for feature in parent.features:
        copy = Feature(panel_id=child.id, key=feature.key, label_fi=feature.label_fi,
                       label_sv=feature.label_sv, label_en=feature.label_en,
                       sensitive=feature.sensitive, allow_undisclosed=feature.allow_undisclosed,
                       position=feature.position)
        copy.categories = [Category(value=c.value, label_fi=c.label_fi, label_sv=c.label_sv,
                                    label_en=c.label_en, population_share=c.population_share,
                                    position=c.position) for c in feature.categories]
        db.session.add(copy)
    for member in eligible:
        snapshot = Volunteer(panel_id=child.id, account_id=member.account_id, email=member.email,
                             display_name=member.display_name, locale=member.locale,
                             pseudonym=new_pseudonym(), channel=member.channel, state=CONFIRMED,
                             consent_at=member.consent_at,
                             sensitive_consent_at=member.sensitive_consent_at, created_at=now,
                             confirmed_at=now, source_volunteer_id=member.id)
        snapshot.answers = [Answer(feature_key=a.feature_key, value=a.value) for a in member.answers]
        db.session.add(snapshot)
    db.session.flush()
    db.session.refresh(child)
    return child


def draw_groups(panel_id: int) -> list[Panel]:
    return list(db.session.scalars(select(Panel).where(Panel.parent_id == panel_id)
                                   .order_by(Panel.created_at.desc(), Panel.id.desc())))


# --- idea-round invitations -------------------------------------------------------------

def open_idea_rounds(now: datetime) -> list[dict]:
    from deliberation.ideas import api

    return api.open_rounds(now)


def invite_to_idea_round(panel_id: int, round_id: int, *, client_group: str = "",
                         sample_size: int | None = None, actor, now: datetime,
                         rng: random.Random | None = None) -> PoolMailing:
    """Invite the pool (or a random sample, optionally of one client group) to an open
    idea round.  The mails join this transaction; members already invited to the round
    are not invited again."""
    from ..clients.services import check_keys

    panel = standing_panel(panel_id)
    access.require(actor, rules.POOL_INVITE, panel, now=now)
    round_ = next((r for r in open_idea_rounds(now) if r["id"] == round_id), None)
    if round_ is None:
        raise ValidationFailed(_l("Choose an idea round that is open or about to open."))
    client_group = (client_group or "").strip()
    if client_group:
        check_keys([client_group])
    if sample_size is not None and sample_size < 1:
        raise ValidationFailed(_l("The sample size must be at least 1."))
    already = select(PoolMailingRecipient.volunteer_id).join(
        PoolMailing, PoolMailing.id == PoolMailingRecipient.mailing_id).where(
        PoolMailing.panel_id == panel.id, PoolMailing.kind == IDEA_ROUND,
        PoolMailing.target_id == round_id)
    invited_before = set(db.session.scalars(already))
    eligible = [v for v in pool.members(panel.id, now=now,
                                        service_keys=[client_group] if client_group else None)
                if v.id not in invited_before]
    if not eligible:
        raise ValidationFailed(_l("No member is left to invite: everyone eligible has already "
                                  "been invited to this round."))
    chosen = eligible
    if sample_size is not None and sample_size < len(eligible):
        chosen = sorted((rng or random.SystemRandom()).sample(eligible, sample_size),
                        key=lambda v: v.id)
    record = PoolMailing(panel_id=panel.id, kind=IDEA_ROUND, target_id=round_id,
                         title=(round_["titles"].get("fi") or "")[:300], client_group=client_group,
                         sample_size=sample_size, eligible=len(eligible), recipients=len(chosen),
                         created_at=now, created_by_id=getattr(actor, "id", None))
    db.session.add(record)
    db.session.flush()
    for volunteer in chosen:
        db.session.add(PoolMailingRecipient(mailing_id=record.id, volunteer_id=volunteer.id))
        title = round_["titles"].get(volunteer.locale) or round_["titles"].get("fi") or ""
        mailing.queue(volunteer.email, "idea_round", locale=volunteer.locale,
                      category="panel_pool_invite", now=now,
                      panel_name=panel.name(volunteer.locale), round_title=title,
                      closes_at=round_["closes_at"], link=f"{_site()}/ideariihi/{round_id}",
                      own_link=f"{_site()}/paneelit/{panel.id}/jasenyys")
    db.session.flush()
    return record


def mailings(panel_id: int) -> list[PoolMailing]:
    return list(db.session.scalars(select(PoolMailing).where(PoolMailing.panel_id == panel_id)
                                   .order_by(PoolMailing.created_at.desc(), PoolMailing.id.desc())))


# --- staff overview ---------------------------------------------------------------------

def pool_overview(panel_id: int, *, actor, now: datetime, locale: str | None = None) -> dict:
    from ..clients.services import service_aggregates

    panel = standing_panel(panel_id)
    access.require(actor, rules.POOL_VIEW, panel, now=now)
    horizon = now + timedelta(days=renewal_days())
    renewing = db.session.scalar(select(func.count()).select_from(Volunteer).where(
        Volunteer.panel_id == panel.id, Volunteer.state == CONFIRMED,
        Volunteer.consent_expires_at > now, Volunteer.consent_expires_at <= horizon)) or 0
    return {"panel": panel, "members": pool.member_count(panel.id, now=now),
            "renewing": renewing, "services": service_aggregates(panel.id, actor=actor, now=now,
                                                                 locale=locale),
            "groups": draw_groups(panel.id), "mailings": mailings(panel.id)}


# --- the member's own page --------------------------------------------------------------

def membership(panel_id: int, *, actor, now: datetime, locale: str | None = None) -> dict:
    from ..clients.services import catalogue, own_service_keys

    panel = standing_panel(panel_id)
    volunteer = registration_of(panel.id, actor)
    access.require(actor, rules.OWN_REGISTRATION, volunteer, now=now)
    expires = volunteer.consent_expires_at
    return {"panel": panel, "volunteer": volunteer, "catalogue": catalogue(),
            "services": own_service_keys(volunteer),
            "can_renew": bool(expires and now < expires <= now + timedelta(days=renewal_days())),
            "asked": pool.asked(volunteer, locale)}


def _asked_in_draws(volunteer: Volunteer, locale: str | None) -> list[pool.AskedItem]:
    from flask import url_for

    from ..invitations.models import ACCEPTED, DECLINED, EXPIRED, PENDING, Invitation

    labels = {PENDING: _l("Invited: waiting for your answer"), ACCEPTED: _l("You accepted"),
              DECLINED: _l("You declined"), EXPIRED: _l("The deadline passed")}
    rows = db.session.execute(
        select(Invitation, Panel).join(Volunteer, Volunteer.id == Invitation.volunteer_id)
        .join(Panel, Panel.id == Invitation.panel_id)
        .where(Volunteer.source_volunteer_id == volunteer.id)).all()
    items = []
    for invitation, group in rows:
        items.append(pool.AskedItem(
            kind=str(_l("Draw for a group")), title=group.name(locale), at=invitation.created_at,
            status=str(labels.get(invitation.state, "")),
            outcome=str(_l("How the group was drawn")),
            outcome_url=url_for("panel.public_report", panel_id=group.id)))
    return items


def _asked_to_idea_rounds(volunteer: Volunteer, locale: str | None) -> list[pool.AskedItem]:
    from deliberation.ideas.models import CLOSED, IdeaRound

    rows = db.session.execute(
        select(PoolMailing).join(PoolMailingRecipient,
                                 PoolMailingRecipient.mailing_id == PoolMailing.id)
        .where(PoolMailingRecipient.volunteer_id == volunteer.id)).scalars().all()
    items = []
    for record in rows:
        round_ = db.session.get(IdeaRound, record.target_id)
        title = round_.text("title", locale or "fi") if round_ is not None else record.title
        closed = round_ is None or round_.state == CLOSED
        items.append(pool.AskedItem(
            kind=str(_l("Idea round")), title=title, at=record.created_at,
            status=str(_l("The round has closed") if closed else _l("Open: you can still take part")),
            url=None if round_ is None else f"/ideariihi/{round_.id}",
            outcome=str(_l("See the results")) if closed and round_ is not None else "",
            outcome_url=f"/ideariihi/{round_.id}" if closed and round_ is not None else None))
    return items


pool.register_asked(_asked_in_draws)
pool.register_asked(_asked_to_idea_rounds)
