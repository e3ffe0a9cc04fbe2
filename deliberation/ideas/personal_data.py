"""Personal data of idea rounds (see ``kuulas.personal``).  Ideas, comments, votes and flags
are anonymous by design (keyed hashes, never linked to a person) and so are not here; only
the addresses left for "tell me about the outcome" are."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from kuulas.extensions import db
from kuulas.personal import registry
from kuulas.personal.trail import staff_trail

from .models import IdeaModerationLog, IdeaNotifyRequest, IdeaRound


def export(subject):
    rows = db.session.execute(select(IdeaRound.title).join(IdeaNotifyRequest, IdeaNotifyRequest.round_id == IdeaRound.id)
                              .where(IdeaNotifyRequest.email == subject.email)).all()
    return [{"idea_round": title} for (title,) in rows]


def erase(subject, now) -> int:
    result = db.session.execute(delete(IdeaNotifyRequest).where(IdeaNotifyRequest.email == subject.email)
                                .execution_options(synchronize_session=False))
    return result.rowcount or 0


def register_all() -> None:
    registry.register(registry.PersonalData(
        area="ideas", model=IdeaNotifyRequest, columns=("email",),
        title=_l("Outcome notification requests"),
        about=_l("Participants who asked to be told about the outcome"),
        purpose=_l("Telling you once when the outcome of the idea round is published; the address "
                   "is deleted when the mail has gone."),
        basis=_l("GDPR art. 6(1)(a): consent."),
        retention="idea_content", export=export, erase=erase))
    staff_trail("ideas", IdeaModerationLog, ("actor_id",))
