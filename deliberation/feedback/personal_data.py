"""Personal data of service feedback (see ``kuulas.personal``): the address a writer left for
an answer (stored apart from the feedback), units' managers, and who handled what."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from kuulas.extensions import db
from kuulas.personal import registry
from kuulas.personal.trail import staff_trail

from .models import DevelopmentItem, Feedback, FeedbackContact, Unit, UnitHandler


def export_contacts(subject):
    rows = db.session.execute(select(Feedback, FeedbackContact.email).join(
        FeedbackContact, FeedbackContact.feedback_id == Feedback.id)
        .where(FeedbackContact.email == subject.email).order_by(Feedback.received_at)).all()
    return [{"feedback": f.public_id, "received_at": f.received_at, "text": f.text, "email": email,
             "state": f.state, "reply": f.reply} for f, email in rows]


def erase_contacts(subject, now) -> int:
    result = db.session.execute(delete(FeedbackContact).where(FeedbackContact.email == subject.email)
                                .execution_options(synchronize_session=False))
    return result.rowcount or 0


def export_units(subject):
    return [{"unit": u.slug, "manager_email": u.manager_email}
            for u in db.session.scalars(select(Unit).where(Unit.manager_email == subject.email))]


def register_all() -> None:
    registry.register(registry.PersonalData(
        area="feedback", model=FeedbackContact, columns=("email",),
        title=_l("Contact address for an answer"),
        about=_l("People who give feedback and ask for an answer"),
        purpose=_l("Answering the feedback; the address is kept apart from the feedback and deleted "
                   "once it has been answered."),
        basis=_l("GDPR art. 6(1)(a): consent, given by leaving the address."),
        retention="feedback_contact", export=export_contacts, erase=erase_contacts))
    registry.register(registry.PersonalData(
        area="feedback", model=Unit, columns=("manager_email",),
        title=_l("Unit managers' addresses"),
        about=_l("Managers of the units that receive feedback"),
        purpose=_l("Sending the unit's monthly feedback summary and overdue reminders."),
        basis=_l("GDPR art. 6(1)(e): handling feedback on services (Act on the Status and Rights of "
                 "Social Welfare Clients 812/2000 and of Patients 785/1992)."),
        retention="accounts_inactive", export=export_units))
    staff_trail("feedback", Feedback, ("handler_id",), linked=(UnitHandler, DevelopmentItem))
