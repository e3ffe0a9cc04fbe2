"""The request record itself is personal data too (declared here, like any area's)."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from . import registry
from .models import DataRequest
from .requests import history


def export(subject):
    return [{"kind": r.kind, "channel": r.channel, "at": r.created_at}
            for r in history(subject.email, current_app.secret_key)]


def register_all() -> None:
    registry.register(registry.PersonalData(
        area="personal", model=DataRequest, columns=("subject_hash", "handled_by_id", "basis"),
        title=_l("Data requests"),
        about=_l("People who ask for their data or its erasure, and the staff who handle it"),
        purpose=_l("Showing that each request was handled, when and by whom; the person is stored "
                   "only as a keyed hash of the address."),
        basis=_l("GDPR art. 6(1)(c): arts. 5(2), 12 and 15-17."),
        retention="data_requests", export=export))


def _audit_export(subject):
    from sqlalchemy import select

    from ..audit import AuditEvent
    from ..extensions import db

    if subject.account_id is None:
        return []
    return [{"at": e.at, "action": e.action, "target": f"{e.target_type or ''} {e.target_id or ''}".strip(),
             "ip": e.ip} for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == subject.account_id).order_by(AuditEvent.at))]


def register_kernel() -> None:
    """The access log and the retention settings (kernel tables that name a person)."""
    from ..audit import AuditEvent
    from ..retention import RetentionSetting
    from .trail import staff_trail

    registry.register(registry.PersonalData(
        area="kuulas", model=AuditEvent, columns=("actor_id", "ip"),
        title=_l("Access log"),
        about=_l("Staff, and residents when they sign in or make a data request"),
        purpose=_l("Knowing who handled personal data, when and from where: sign-ins, views of member "
                   "lists, exports, data requests and changes. Nothing from anonymous participation."),
        basis=_l("GDPR art. 6(1)(c) and art. 32: Information Management Act 906/2019 § 17."),
        retention="access_log", export=_audit_export))
    staff_trail("kuulas", RetentionSetting, ("updated_by_id",))
