"""The member's own page: which surveys they were sent, whether they answered, and the
outcome once published (``panel.pool.register_asked``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from kuulas.extensions import db

from . import lifecycle
from .models import Recipient, Survey


def asked_items(volunteer, locale) -> list:
    from ..pool import AskedItem
    from .api import member_survey_outcome
    from .sending import link_path

    rows = db.session.execute(select(Survey, Recipient).join(Recipient, Recipient.survey_id == Survey.id)
                              .where(Recipient.volunteer_id == volunteer.id)).all()
    items = []
    for survey, recipient in rows:
        open_ = survey.state == lifecycle.OPEN
        status = _l("Answered") if recipient.answered else (
            _l("Not answered yet") if open_ else _l("Not answered"))
        outcome = member_survey_outcome(survey.id)
        items.append(AskedItem(
            kind=str(_l("Survey")), title=survey.title(locale), at=recipient.sent_at or survey.created_at,
            status=str(status), url=link_path(survey.id, volunteer.id) if open_ else None,
            outcome=str(_l("Results published")) if outcome else "",
            outcome_url=f"/tulokset/{outcome.id}" if outcome else None,
            extra={"survey_id": survey.id, "resend": open_}))
    return items
