"""Personal data of the mail outbox (see ``kuulas.personal``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ..extensions import db
from ..personal import registry
from .models import OutboxAttachment, OutboxMail


def export(subject):
    # Not the body: a queued mail may hold a one-time sign-in link.
    return [{"subject": m.subject, "category": m.category, "status": m.status,
             "created_at": m.created_at, "sent_at": m.sent_at}
            for m in db.session.scalars(select(OutboxMail).where(OutboxMail.recipient == subject.email)
                                        .order_by(OutboxMail.created_at))]


def erase(subject, now) -> int:
    ids = list(db.session.scalars(select(OutboxMail.id).where(OutboxMail.recipient == subject.email)))
    if ids:
        db.session.execute(delete(OutboxAttachment).where(OutboxAttachment.mail_id.in_(ids)))
        db.session.execute(delete(OutboxMail).where(OutboxMail.id.in_(ids)))
    return len(ids)


def register_all() -> None:
    registry.register(registry.PersonalData(
        area="mail", model=OutboxMail, linked=(OutboxAttachment,),
        columns=("recipient", "subject", "body_text", "body_html"),
        title=_l("Mail sent by the service"),
        about=_l("Everyone the service sends mail to"),
        purpose=_l("Delivering the messages of each process (sign-in links, invitations, reminders, answers)."),
        basis=_l("The same basis as the process the message belongs to."),
        retention="mail_outbox", export=export, erase=erase, stage=80))
