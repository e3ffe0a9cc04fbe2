"""The service catalogue and members' service use.

Service use (GDPR art. 9) is written only with the member's separate consent and read
back only by the member themself, by :mod:`panel.pool` for targeting and weighting, and
by :func:`service_aggregates`, which staff see suppressed (no cell of 1-4 people).  Never
return it per person to anyone else.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from kuulas import access
from kuulas.errors import Conflict, NotFound, ValidationFailed
from kuulas.extensions import db

from .. import rules
from ..recruitment.models import CONFIRMED, Volunteer
from .models import AREAS, Service, ServiceUse

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
SERVICE_FIELDS = ("key", "name_fi", "name_sv", "name_en", "description_fi", "description_sv",
                  "description_en", "area", "position")


def catalogue(*, active_only: bool = True) -> list[Service]:
    query = select(Service).order_by(Service.position, Service.id)
    if active_only:
        query = query.where(Service.active.is_(True))
    return list(db.session.scalars(query))


def get_service(service_id: int) -> Service:
    service = db.session.get(Service, service_id)
    if service is None:
        raise NotFound(_l("No such service."))
    return service


def _check(data: dict, service_id: int | None) -> dict:
    data = {k: data.get(k) for k in SERVICE_FIELDS if k in data}
    key = (data.get("key") or "").strip().lower()
    if not KEY_RE.match(key):
        raise ValidationFailed(_l("The service code may hold lower-case letters, digits, - and _ "
                                  "(at most 40 characters)."))
    data["key"] = key
    for name in ("name_fi", "name_sv", "name_en", "description_fi", "description_sv",
                 "description_en"):
        data[name] = (data.get(name) or "").strip()
    if not data["name_fi"] or not data["name_sv"]:
        raise ValidationFailed(_l("Give the service a name in Finnish and in Swedish."))
    if (data.get("area") or "") not in AREAS + ("",):
        raise ValidationFailed(_l("Choose the service area from the list."))
    clash = db.session.scalar(select(Service.id).where(Service.key == key))
    if clash is not None and clash != service_id:
        raise Conflict(_l("Another service already has the code “%(key)s”."), key=key)
    data["position"] = int(data.get("position") or 0)
    return data


def create_service(data: dict, *, actor, now: datetime) -> Service:
    access.require(actor, rules.SERVICES_MANAGE, now=now)
    service = Service(**_check(data, None), created_at=now)
    db.session.add(service)
    db.session.flush()
    return service


def update_service(service_id: int, data: dict, *, actor, now: datetime) -> Service:
    service = get_service(service_id)
    access.require(actor, rules.SERVICES_MANAGE, service, now=now)
    for key, value in _check(data, service.id).items():
        setattr(service, key, value)
    return service


def set_active(service_id: int, active: bool, *, actor, now: datetime) -> Service:
    """Deactivating hides the service from sign-up and own pages; declared use stays
    (it is deleted with the member) so targeting by it still works."""
    service = get_service(service_id)
    access.require(actor, rules.SERVICES_MANAGE, service, now=now)
    service.active = active
    return service


# --- a member's service use ---------------------------------------------------------------

def check_keys(keys: Sequence[str]) -> list[Service]:
    """The active services named by ``keys`` (raises on an unknown one)."""
    wanted = sorted({k for k in keys if k})
    if not wanted:
        return []
    found = {s.key: s for s in db.session.scalars(
        select(Service).where(Service.key.in_(wanted), Service.active.is_(True)))}
    unknown = [k for k in wanted if k not in found]
    if unknown:
        raise ValidationFailed(_l("“%(key)s” is not a service in the catalogue."), key=unknown[0])
    return [found[k] for k in wanted]


def write_service_use(volunteer: Volunteer, keys: Sequence[str], *, consent: bool,
                      now: datetime) -> None:
    """Replace the member's declared service use.  Without consent nothing is kept."""
    services = check_keys(keys) if consent else []
    db.session.execute(delete(ServiceUse).where(ServiceUse.volunteer_id == volunteer.id))
    for service in services:
        db.session.add(ServiceUse(volunteer_id=volunteer.id, service_id=service.id,
                                  created_at=now))
    db.session.flush()


def own_service_keys(volunteer: Volunteer) -> list[str]:
    """The member's own declared services (for their own page only)."""
    return list(db.session.scalars(
        select(Service.key).join(ServiceUse, ServiceUse.service_id == Service.id)
        .where(ServiceUse.volunteer_id == volunteer.id).order_by(Service.position)))


def update_own_services(panel_id: int, *, keys: Sequence[str], consent: bool, actor,
                        now: datetime) -> Volunteer:
    """The member changes their declared services, or withdraws the separate consent
    (which deletes every declared service at once)."""
    from ..pool import registration_of

    volunteer = registration_of(panel_id, actor)
    access.require(actor, rules.OWN_REGISTRATION, volunteer, now=now)
    if not consent and [k for k in keys if k]:
        raise ValidationFailed(_l("To tell which services you use, give the separate consent "
                                  "for service-use data first."))
    write_service_use(volunteer, keys, consent=consent, now=now)
    volunteer.sensitive_consent_at = (volunteer.sensitive_consent_at or now) if consent else None
    if not consent:
        # The consent also covers the panel's sensitive background questions.
        from ..recruitment.models import UNDISCLOSED

        sensitive = {f.key for f in volunteer_panel(volunteer).features if f.sensitive}
        for answer in volunteer.answers:
            if answer.feature_key in sensitive:
                answer.value = UNDISCLOSED
    return volunteer


def volunteer_panel(volunteer: Volunteer):
    from ..recruitment.models import Panel

    return db.session.get(Panel, volunteer.panel_id)


# --- what staff see: suppressed aggregates ------------------------------------------------

def service_aggregates(panel_id: int, *, actor, now: datetime, locale: str | None = None) -> dict:
    """Members per service, suppressed for display: ``{"consented": n or None, "rows":
    [{"service", "label", "row"}]}`` where ``row`` is a suppression row (count None when
    hidden).  Counts only members with the separate consent."""
    from kuulas.disclosure import suppress

    from ..recruitment.setup import get_panel

    panel = get_panel(panel_id)
    access.require(actor, rules.POOL_VIEW, panel, now=now)
    from .. import pool

    base = pool._current(select(Volunteer.id).where(Volunteer.panel_id == panel.id,
                                                    Volunteer.sensitive_consent_at.is_not(None)),
                         now)
    consented = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    counts = dict(db.session.execute(
        select(ServiceUse.service_id, func.count()).where(ServiceUse.volunteer_id.in_(base))
        .group_by(ServiceUse.service_id)).all())
    rows = []
    for service in catalogue(active_only=False):
        n = int(counts.get(service.id, 0))
        cells = suppress([{"value": "yes", "label": "yes", "count": n},
                          {"value": "no", "label": "no", "count": consented - n}])
        rows.append({"service": service.key, "label": service.name(locale), "row": cells[0]})
    hidden_total = suppress([{"value": "all", "count": consented}])[0]
    return {"consented": hidden_total.count, "rows": rows}


def confirmed_volunteer(volunteer_id: int) -> Volunteer | None:
    return db.session.scalar(select(Volunteer).where(Volunteer.id == volunteer_id,
                                                     Volunteer.state == CONFIRMED))
