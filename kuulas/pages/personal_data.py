"""Personal data of the site pages area (see ``kuulas.personal``): accessibility feedback."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..extensions import db
from ..personal import registry
from .models import AccessibilityFeedback


def export(subject):
    return [{"name": f.name, "contact_email": f.contact_email, "page": f.page,
             "description": f.description, "created_at": f.created_at, "reply": f.reply,
             "replied_at": f.replied_at}
            for f in db.session.scalars(select(AccessibilityFeedback).where(
                AccessibilityFeedback.contact_email == subject.email))]


def erase(subject, now) -> int:
    # The feedback itself stays (the county must answer and report it); who sent it goes.
    result = db.session.execute(update(AccessibilityFeedback)
                                .where(AccessibilityFeedback.contact_email == subject.email)
                                .values(name="", contact_email=None)
                                .execution_options(synchronize_session=False))
    return result.rowcount or 0


def register_all() -> None:
    registry.register(registry.PersonalData(
        area="pages", model=AccessibilityFeedback, columns=("name", "contact_email", "description"),
        title=_l("Accessibility feedback"),
        about=_l("People who send feedback on accessibility"),
        purpose=_l("Answering accessibility feedback within 14 days."),
        basis=_l("GDPR art. 6(1)(c): Act on the Provision of Digital Services 306/2019, § 18."),
        retention="feedback_contact", export=export, erase=erase))
    from ..personal.trail import staff_trail
    from .models import SitePage

    staff_trail("pages", SitePage, ("updated_by_id",))
