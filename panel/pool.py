"""The standing pool: the API other areas (surveys, idea-round invitations, draw groups)
use to ask a standing panel's members again and again.

Plain service functions over the database; they never touch ``request``, ``g`` or
``current_user``.  Nothing here returns a member's service use to a caller: ``members``
only filters by it (targeting), and ``member_cells`` turns it into weighting cells.

Leaving deletes the member's personal data at once.  Other areas keep per-member rows of
their own (a survey's link between a member and their answers, "was asked" records); they
register an ``on_leave`` callback that unlinks or deletes those rows first, so that what
stays is only unlinkable, aggregate data.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, or_, select

from kuulas import access
from kuulas.errors import NotFound
from kuulas.extensions import db

from . import rules
from .recruitment.models import CONFIRMED, UNDISCLOSED, Panel, Volunteer

SERVICE_CELL_PREFIX = "service:"
USES, DOES_NOT_USE = "yes", "no"

_LEAVE_CALLBACKS: list[Callable] = []
_ASKED_PROVIDERS: list[Callable] = []


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus whole calendar months (the day clamped to the month's length)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def consent_until(panel: Panel, now: datetime) -> datetime | None:
    """When a membership confirmed or renewed ``now`` ends (None for ordinary panels)."""
    return add_months(now, panel.consent_months) if panel.standing else None


def _current(query, now: datetime):
    return query.where(Volunteer.state == CONFIRMED,
                       or_(Volunteer.consent_expires_at.is_(None),
                           Volunteer.consent_expires_at > now))


def members(panel_id: int, *, now: datetime,
            service_keys: Sequence[str] | None = None) -> list[Volunteer]:
    """Confirmed volunteers of the panel whose consent has not expired, by id.  With
    ``service_keys``, only those who gave the separate consent for service use and said
    they use at least one of those services."""
    from .clients.models import Service, ServiceUse

    query = _current(select(Volunteer).where(Volunteer.panel_id == panel_id), now)
    if service_keys is not None:
        keys = [k for k in service_keys if k]
        if not keys:
            return []
        query = query.where(
            Volunteer.sensitive_consent_at.is_not(None),
            exists(select(ServiceUse.volunteer_id)
                   .join(Service, Service.id == ServiceUse.service_id)
                   .where(ServiceUse.volunteer_id == Volunteer.id, Service.key.in_(keys))))
    return list(db.session.scalars(query.order_by(Volunteer.id)))


def member_count(panel_id: int, *, now: datetime) -> int:
    return db.session.scalar(_current(select(func.count()).select_from(Volunteer)
                                      .where(Volunteer.panel_id == panel_id), now)) or 0


def member_cells(volunteer: Volunteer, feature_keys: Sequence[str]) -> dict[str, str]:
    """The member's weighting cell: feature key -> category value (``UNDISCLOSED`` when
    not answered).  A key ``service:<service key>`` gives ``yes``/``no`` for service use,
    or ``UNDISCLOSED`` without the separate consent."""
    values = volunteer.values()
    out = {}
    service_keys = [k[len(SERVICE_CELL_PREFIX):] for k in feature_keys
                    if k.startswith(SERVICE_CELL_PREFIX)]
    used = _services_used(volunteer) if service_keys else set()
    for key in feature_keys:
        if key.startswith(SERVICE_CELL_PREFIX):
            if volunteer.sensitive_consent_at is None:
                out[key] = UNDISCLOSED
            else:
                out[key] = USES if key[len(SERVICE_CELL_PREFIX):] in used else DOES_NOT_USE
        else:
            out[key] = values.get(key, UNDISCLOSED)
    return out


def _services_used(volunteer: Volunteer) -> set[str]:
    from .clients.models import Service, ServiceUse

    return set(db.session.scalars(select(Service.key).join(
        ServiceUse, ServiceUse.service_id == Service.id).where(
        ServiceUse.volunteer_id == volunteer.id)))


def member_for_account(account_id: int | None, panel_id: int, *,
                       now: datetime | None = None) -> Volunteer | None:
    """The account's confirmed membership of the panel (None if there is none).  With
    ``now``, an expired membership counts as none."""
    if account_id is None:
        return None
    query = select(Volunteer).where(Volunteer.panel_id == panel_id,
                                    Volunteer.account_id == account_id,
                                    Volunteer.state == CONFIRMED)
    if now is not None:
        query = _current(query, now)
    return db.session.scalar(query)


# --- leaving ----------------------------------------------------------------------------

def on_leave(callback: Callable) -> None:
    """Register ``callback(volunteer, now)``: runs inside :func:`leave`, before the member's
    rows are deleted.  It must delete or unlink the area's own per-member rows."""
    if callback not in _LEAVE_CALLBACKS:
        _LEAVE_CALLBACKS.append(callback)


def registration_of(panel_id: int, actor) -> Volunteer:
    volunteer = None
    if actor is not None and getattr(actor, "is_authenticated", False):
        volunteer = db.session.scalar(select(Volunteer).where(Volunteer.panel_id == panel_id,
                                                              Volunteer.account_id == actor.id))
    if volunteer is None:
        raise NotFound(_l("You have no registration for this panel."))
    return volunteer


def withdraw(panel_id: int, *, actor, now: datetime) -> None:
    """Withdraw one's own registration from any panel: the data is deleted at once and an
    open invitation becomes a gap to fill.  A standing panel's member leaves (``leave``)."""
    from .invitations import services as invitations

    volunteer = registration_of(panel_id, actor)
    access.require(actor, rules.OWN_REGISTRATION, volunteer, now=now)
    if db.session.get(Panel, panel_id).standing:   # service use, draw-group copies, account
        leave(volunteer.id, actor=actor, now=now)
        return
    invitations.release_withdrawn(volunteer, now=now)
    db.session.delete(volunteer)


def leave(volunteer_id: int, *, actor, now: datetime) -> None:
    """Delete the member's personal data at once: the registration with its answers and
    service use, its snapshots in draw groups (their seats become gaps), what other areas
    linked to it (through ``on_leave``), the panel's queued mail to them, and the account
    itself when nothing else uses it.  ``actor=None`` is the scheduled job (consent
    expired)."""
    from .clients.models import ServiceUse
    from .invitations import services as invitations
    from .standing.models import PoolMailingRecipient

    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None:
        raise NotFound(_l("This membership no longer exists."))
    if actor is not None:
        access.require(actor, rules.MEMBERSHIP_LEAVE, volunteer, now=now)
    for callback in list(_LEAVE_CALLBACKS):
        callback(volunteer, now)
    email, account_id = volunteer.email, volunteer.account_id
    doomed = [volunteer] + list(db.session.scalars(
        select(Volunteer).where(Volunteer.source_volunteer_id == volunteer.id)))
    for row in doomed:
        invitations.release_withdrawn(row, now=now)
        db.session.execute(delete(ServiceUse).where(ServiceUse.volunteer_id == row.id))
        db.session.execute(delete(PoolMailingRecipient)
                           .where(PoolMailingRecipient.volunteer_id == row.id))
    for row in doomed[1:]:
        db.session.delete(row)
    db.session.flush()      # the snapshots first: PostgreSQL would cascade them otherwise
    db.session.delete(volunteer)
    db.session.flush()
    _forget_mail(email, account_id)


def _forget_mail(email: str, account_id: int | None) -> None:
    """Delete the panel's mail to the address, and the account when nothing else uses it
    (then every mail to the address goes too)."""
    from kuulas.accounts.models import Account
    from kuulas.mail.models import OutboxMail

    account = db.session.get(Account, account_id) if account_id else None
    remove_account = account is not None and _account_unused(account)
    query = delete(OutboxMail).where(OutboxMail.recipient == email)
    if not remove_account:
        query = query.where(OutboxMail.category.like("panel%"))
    db.session.execute(query.execution_options(synchronize_session=False))
    if remove_account:
        from kuulas.accounts.models import LoginToken

        db.session.execute(delete(LoginToken).where(LoginToken.account_id == account.id))
        db.session.delete(account)
        db.session.flush()


# Tables whose rows belong to the account itself and go with it.
_ACCOUNT_OWNED = {"account_role", "login_token"}


def _account_unused(account) -> bool:
    """True for a resident account that no staff role, panel registration, digiraati
    membership or any other row refers to."""
    if account.roles:
        return False
    for table in db.metadata.sorted_tables:
        if table.name in _ACCOUNT_OWNED:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name != "account" or fk.column.name != "id":
                continue
            if db.session.scalar(select(func.count()).select_from(table)
                                 .where(fk.parent == account.id)):
                return False
    return True


# --- what a member has been asked ---------------------------------------------------------

@dataclass
class AskedItem:
    """One thing a member was asked, for their own page."""
    kind: str                      # e.g. "Survey", "Idea round", "Draw" (translated)
    title: str
    at: datetime
    status: str = ""               # e.g. "Answered", "Not answered" (translated)
    url: str | None = None
    outcome: str = ""              # what came of it, if known
    outcome_url: str | None = None
    extra: dict = field(default_factory=dict)


def register_asked(provider: Callable) -> None:
    """Register ``provider(volunteer, locale) -> list[AskedItem]`` (surveys plugs in here)."""
    if provider not in _ASKED_PROVIDERS:
        _ASKED_PROVIDERS.append(provider)


def asked(volunteer: Volunteer, locale: str | None = None) -> list[AskedItem]:
    """Everything the member has been asked, newest first."""
    items: list[AskedItem] = []
    for provider in list(_ASKED_PROVIDERS):
        items.extend(provider(volunteer, locale))
    return sorted(items, key=lambda item: item.at, reverse=True)
