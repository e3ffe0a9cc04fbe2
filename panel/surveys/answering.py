"""A member answers through their link, without signing in.

The link token is recognised by recomputing the tokens of the survey's recipients; the
response row is found by ``tokens.response_key``.  Answers are validated in full before
anything is written; free text is masked (``kuulas.redact``) before it is stored.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from kuulas.errors import Conflict, KuulasError, NotFound
from kuulas.extensions import db
from kuulas.redact import mask
from kuulas.forms import CONTROL_CHARACTER
from kuulas.sanitize import plain_text
from kuulas.text import ControlCharacter, normalise

from . import lifecycle, tokens
from .messages import REASONS
from .models import MULTIPLE, NUMBER, SCALE, SINGLE, TEXT, Recipient, Survey, SurveyResponse

MAX_TEXT = 2000


class LinkClosed(KuulasError):
    status = 410


class AnswersInvalid(KuulasError):
    """Some answers are not acceptable; ``errors`` maps question id -> translated reason."""
    status = 400

    def __init__(self, errors: dict[int, str]):
        super().__init__(_l("Some answers need attention. Nothing was saved."))
        self.errors = errors


@dataclass
class Session:
    survey: Survey
    volunteer_id: int
    token: str
    response: SurveyResponse | None
    notices: list[dict] = field(default_factory=list)


def _key(survey_id: int) -> bytes:
    return tokens.survey_key(current_app.secret_key, survey_id)


def open_link(survey_id: int, token: str, *, now: datetime) -> Session:
    """The survey and respondent behind a link.  404 for an unknown link, 410 once closed."""
    survey = db.session.get(Survey, survey_id)
    if survey is None or not tokens.well_formed(token):
        raise NotFound(_l("This survey link is not valid. Ask for a new link from your own page."))
    key = _key(survey.id)
    volunteer_ids = db.session.scalars(select(Recipient.volunteer_id).where(Recipient.survey_id == survey.id))
    volunteer_id = tokens.find_member(key, token, volunteer_ids)
    if volunteer_id is None:
        raise NotFound(_l("This survey link is not valid. Ask for a new link from your own page."))
    why = lifecycle.why_not(survey.state, lifecycle.ANSWER)
    if why is None and survey.closes_at is not None and survey.closes_at <= now:
        why = "closed"
    if why:
        raise LinkClosed(REASONS[why])
    response = db.session.get(SurveyResponse, tokens.response_key(key, token))
    return Session(survey, volunteer_id, token, response)


def _int(value: str):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def clean_answers(survey: Survey, form: dict, *, final: bool) -> tuple[dict, list[dict]]:
    """Validate every answer: (answers by question id as str, notices about masked text).
    ``form`` maps ``q<id>`` to a string or (multiple choice) a list of strings.
    Raises :class:`AnswersInvalid` with every problem at once."""
    answers: dict[str, object] = {}
    notices: list[dict] = []
    errors: dict[int, str] = {}
    for q in survey.questions:
        raw = form.get(f"q{q.id}")
        values = [v for v in (raw if isinstance(raw, list) else [raw]) if v not in (None, "")]
        if not values:
            if q.required and final:
                errors[q.id] = str(_l("This question needs an answer."))
            continue
        if q.kind == SINGLE:
            allowed = {o["value"] for o in q.options}
            if len(values) != 1 or values[0] not in allowed:
                errors[q.id] = str(_l("Choose one of the options."))
                continue
            answers[str(q.id)] = values[0]
        elif q.kind == MULTIPLE:
            allowed = {o["value"] for o in q.options}
            if any(v not in allowed for v in values):
                errors[q.id] = str(_l("Choose from the options shown."))
                continue
            answers[str(q.id)] = sorted(set(values), key=lambda v: [o["value"] for o in q.options].index(v))
        elif q.kind == SCALE:
            n = _int(values[0])
            if n is None or not 1 <= n <= 5 or len(values) != 1:
                errors[q.id] = str(_l("Choose a point on the scale from 1 to 5."))
                continue
            answers[str(q.id)] = n
        elif q.kind == NUMBER:
            n = _int(values[0])
            if n is None:
                errors[q.id] = str(_l("Write a whole number."))
                continue
            if not q.min_value <= n <= q.max_value:
                errors[q.id] = str(_l("Write a number from %(low)s to %(high)s.", low=q.min_value, high=q.max_value))
                continue
            answers[str(q.id)] = n
        elif q.kind == TEXT:
            try:
                text = plain_text(normalise(str(values[0])))
            except ControlCharacter:
                errors[q.id] = str(CONTROL_CHARACTER)
                continue
            if len(text) > MAX_TEXT:
                errors[q.id] = str(_l("Write at most %(n)s characters.", n=MAX_TEXT))
                continue
            result = mask(text)
            if result.changed:
                notices.append({"question_id": q.id, "found": sorted(result.found)})
            if result.text.strip():
                answers[str(q.id)] = result.text
    if errors:
        raise AnswersInvalid(errors)
    return answers, notices


def save(survey_id: int, token: str, form: dict, *, submit: bool, now: datetime) -> Session:
    """Save the answers (``submit``: final, required ones checked).  Creates the response
    row with the member's weighting cells on the first save; later saves replace the
    answers.  The recipient's "answered" flag is set with a guarded UPDATE."""
    from ..recruitment.models import Volunteer
    from .. import pool

    session = open_link(survey_id, token, now=now)
    survey = session.survey
    answers, notices = clean_answers(survey, form, final=submit)
    response = session.response
    if response is None:
        volunteer = db.session.get(Volunteer, session.volunteer_id)
        if volunteer is None:
            raise Conflict(_l("Your membership has ended, so the survey can no longer be answered."))
        cells = pool.member_cells(volunteer, list(survey.weighting or []))
        response = SurveyResponse(key=tokens.response_key(_key(survey.id), token), survey_id=survey.id,
                                  cells=cells, answers=answers, submitted=False,
                                  started_on=tokens.day(now), updated_on=tokens.day(now))
        db.session.add(response)
    else:
        response.answers = answers
        response.updated_on = tokens.day(now)
    if submit:
        response.submitted = True
        db.session.execute(update(Recipient).where(
            Recipient.survey_id == survey.id, Recipient.volunteer_id == session.volunteer_id,
            Recipient.answered.is_(False)).values(answered=True)
            .execution_options(synchronize_session=False))
    db.session.flush()
    session.response = response
    session.notices = notices
    return session
