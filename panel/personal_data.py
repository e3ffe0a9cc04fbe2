"""Personal data of the panel area (see ``kuulas.personal``): registrations and their
answers, declared service use, invitations and survey participation flags."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select

from kuulas.extensions import db
from kuulas.personal import registry

from .clients.models import Service, ServiceUse
from .invitations.models import Invitation
from .recruitment.models import Answer, Panel, Volunteer
from .standing.models import PoolMailingRecipient
from .surveys.models import Recipient, Survey


def _volunteers(subject) -> list[Volunteer]:
    cond = Volunteer.email == subject.email
    if subject.account_id is not None:
        cond = or_(cond, Volunteer.account_id == subject.account_id)
    return list(db.session.scalars(select(Volunteer).where(cond).order_by(Volunteer.id)))


def _panel_name(panel_id: int) -> str:
    panel = db.session.get(Panel, panel_id)
    return panel.name_fi if panel else ""


def export_volunteers(subject):
    out = []
    for v in _volunteers(subject):
        uses = db.session.scalars(select(Service.key).join(ServiceUse, ServiceUse.service_id == Service.id)
                                  .where(ServiceUse.volunteer_id == v.id))
        out.append({"panel": _panel_name(v.panel_id), "email": v.email, "display_name": v.display_name,
                    "language": v.locale, "postal_code": v.postal_code, "address": v.address,
                    "state": v.state, "channel": v.channel, "registered_at": v.created_at,
                    "consent_at": v.consent_at, "sensitive_consent_at": v.sensitive_consent_at,
                    "confirmed_at": v.confirmed_at, "consent_expires_at": v.consent_expires_at,
                    "answers": v.values(),
                    "service_use": sorted(uses)})
    return out


def export_invitations(subject):
    ids = [v.id for v in _volunteers(subject)]
    if not ids:
        return []
    return [{"panel": _panel_name(i.panel_id), "state": i.state, "invited_at": i.created_at,
             "deadline": i.deadline, "answered_at": i.answered_at}
            for i in db.session.scalars(select(Invitation).where(Invitation.volunteer_id.in_(ids))
                                        .order_by(Invitation.created_at))]


def export_surveys(subject):
    ids = [v.id for v in _volunteers(subject)]
    if not ids:
        return []
    rows = db.session.execute(select(Recipient, Survey.title_fi).join(Survey, Survey.id == Recipient.survey_id)
                              .where(Recipient.volunteer_id.in_(ids)).order_by(Recipient.id)).all()
    return [{"survey": title, "sent_at": r.sent_at, "reminded_at": r.reminded_at, "answered": r.answered}
            for r, title in rows]


def erase(subject, now) -> int:
    """Each registration goes as if the person withdrew: an open invitation becomes a gap,
    the standing panel's copies, survey links and mail go with it (``pool.leave``)."""
    from . import pool
    from .invitations import services as invitations

    changed = 0
    # Originals first: leaving a standing panel also removes the draw-group copies.
    for volunteer in sorted(_volunteers(subject), key=lambda v: v.source_volunteer_id is not None):
        if db.session.get(Volunteer, volunteer.id) is None:
            continue
        panel = db.session.get(Panel, volunteer.panel_id)
        if panel is not None and panel.standing and volunteer.source_volunteer_id is None:
            pool.leave(volunteer.id, actor=None, now=now)
        else:
            invitations.release_withdrawn(volunteer, now=now)
            for model in (ServiceUse, PoolMailingRecipient, Recipient):
                db.session.execute(delete(model).where(model.volunteer_id == volunteer.id))
            db.session.delete(volunteer)
        db.session.flush()
        changed += 1
    return changed


def register_all() -> None:
    consent = _l("GDPR art. 6(1)(a) consent, given when registering and withdrawable at any time; "
                 "service use and other special-category answers: explicit consent, art. 9(2)(a). "
                 "Purpose: resident participation (Wellbeing Services Counties Act 611/2021, § 29).")
    registry.register(registry.PersonalData(
        area="panel", model=Volunteer, linked=(Answer, ServiceUse, PoolMailingRecipient),
        columns=("email", "display_name", "postal_code", "address", "household_key"),
        title=_l("Panel registration"),
        about=_l("People who register for a resident or client panel"),
        purpose=_l("Drawing a representative panel by lot, inviting the people drawn and keeping "
                   "the standing panel's members in touch."),
        basis=consent, retention="panel_volunteers", export=export_volunteers, erase=erase))
    registry.register(registry.PersonalData(
        area="panel", model=Invitation, columns=("volunteer_id", "state", "answered_at"),
        title=_l("Panel invitations"),
        about=_l("People drawn for a panel"),
        purpose=_l("Inviting the people drawn and filling the seats of those who decline."),
        basis=consent, retention="invitations", export=export_invitations))
    registry.register(registry.PersonalData(
        area="panel", model=Recipient, columns=("volunteer_id", "sent_at", "answered"),
        title=_l("Panel surveys sent"),
        about=_l("Members of a standing panel"),
        purpose=_l("Sending a survey and its reminder only to those who have not answered; the "
                   "answers themselves are stored apart and cannot be linked to the person."),
        basis=consent, retention="survey_participation", export=export_surveys))
    register_trail()


def register_trail() -> None:
    from kuulas.personal.trail import staff_trail

    from .standing.models import PoolMailing

    staff_trail("panel", PoolMailing, ("created_by_id",), linked=(Survey,))
