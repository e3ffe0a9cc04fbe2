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
