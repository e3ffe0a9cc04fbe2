"""The standing panel's section on the resident's own page."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from kuulas.i18n import format_datetime


def membership_section(volunteer, panel) -> dict:
    from ..recruitment.models import CONFIRMED

    if volunteer.state != CONFIRMED:
        text = str(_l("Your membership waits for e-mail confirmation."))
    elif volunteer.consent_expires_at is not None:
        text = str(_l("You are a member of this standing panel until %(date)s.")
                   % {"date": format_datetime(volunteer.consent_expires_at, "short")})
    else:
        text = str(_l("You are a member of this standing panel."))
    return {"title": panel.name(volunteer.locale), "text": text,
            "links": [(str(_l("My membership: what I have been asked, my services, renewal "
                              "and leaving")), url_for("panel.membership", panel_id=panel.id))]}
