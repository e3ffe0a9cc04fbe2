"""The panel area's front-page cards and its section on the resident's own page."""
from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from kuulas.extensions import db
from kuulas.processes import OPEN, PAST, UPCOMING, ProcessCard


def front_page_cards(now: datetime, locale: str) -> list[ProcessCard]:
    from .recruitment.models import CLIENT, DRAFT, SCHEDULED, Panel

    cards = []
    for panel in db.session.scalars(select(Panel).where(Panel.state != DRAFT,
                                                       Panel.parent_id.is_(None))):
        if panel.recruiting(now):
            state, label = OPEN, _l("Recruiting volunteers")
        elif panel.state == SCHEDULED and panel.recruitment_opens_at > now:
            state, label = UPCOMING, _l("Recruitment opens soon")
        else:
            state, label = PAST, _l("Recruitment has ended")
        summary = panel.description(locale).split("\n", 1)[0][:240]
        cards.append(ProcessCard(
            kind=str(_l("Client panel") if panel.kind == CLIENT else _l("Resident panel")),
            title=panel.name(locale), summary=summary,
            url=url_for("panel.recruit", panel_id=panel.id), state=state,
            state_label=str(label), starts_at=panel.recruitment_opens_at,
            ends_at=panel.recruitment_closes_at))
    return cards


STATUS_TEXTS = {
    "pending": _l("Your registration waits for e-mail confirmation."),
    "waiting": _l("You are registered as a volunteer. The draw has not been made yet."),
    "excluded": _l("Your registration is not in the pool: it seemed to repeat another "
                   "registration. Contact the panel's organisers if this is a mistake."),
    "not_in_pool": _l("Your registration was not confirmed before the pool was frozen, so it "
                      "was not in the draw."),
    "invited": _l("You were selected in the draw. Please answer your invitation."),
    "member": _l("You are a member of this panel."),
    "declined": _l("You declined your invitation."),
    "expired": _l("The deadline of your invitation passed."),
    "not_selected": _l("The draw has been made and you were not selected. You may still be "
                       "invited if a seat opens."),
}


def resident_sections(account) -> list[dict]:
    from kuulas.clock import utcnow

    from .recruitment.models import Panel, Volunteer
    from .selection.services import registration_status

    rows = db.session.execute(select(Volunteer, Panel).join(Panel, Panel.id == Volunteer.panel_id)
                              .where(Volunteer.account_id == account.id)
                              .order_by(Volunteer.created_at)).all()
    out = []
    for volunteer, panel in rows:
        if panel.parent_id is not None:     # a draw group: shown on the standing panel's page
            continue
        if panel.standing:
            from .standing.cards import membership_section

            out.append(membership_section(volunteer, panel))
            continue
        text = STATUS_TEXTS[registration_status(volunteer, panel, utcnow())["code"]]
        out.append({"title": panel.name(volunteer.locale), "text": str(text),
                    "links": [(str(_l("See, change or withdraw my registration")),
                               url_for("panel.own", panel_id=panel.id))]})
    return out
