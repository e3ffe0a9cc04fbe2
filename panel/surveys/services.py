"""Building and running surveys (staff side).  Services never commit: the view, job or CLI
that calls them does.  Every move asks ``lifecycle`` first."""
from __future__ import annotations

import re
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from kuulas import access
from kuulas.errors import Conflict, NotFound, ValidationFailed
from kuulas.extensions import db
from kuulas.sanitize import plain_text

from . import lifecycle, messages, rules
from .models import (CLIENT_GROUP, KINDS, MULTIPLE, NUMBER, SAMPLE, SINGLE, WHOLE_PANEL, Survey,
                     SurveyQuestion)

LANGS = ("fi", "sv", "en")
MAX_QUESTIONS = 60
MAX_OPTIONS = 20


def _panel(panel_id: int):
    from ..recruitment.models import Panel

    panel = db.session.get(Panel, panel_id)
    if panel is None:
        raise NotFound(_l("No such panel."))
    return panel


def get_survey(survey_id: int, *, actor, now, permission: str = rules.MANAGE) -> Survey:
    access.require(actor, permission, now=now)
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        raise NotFound(_l("No such survey."))
    return survey


def require_move(survey: Survey, action: str) -> None:
    why = lifecycle.why_not(survey.state, action)
    if why:
        raise Conflict(messages.REASONS.get(why, messages.REASONS["not_allowed"]))


def list_surveys(*, actor, now, panel_id: int | None = None) -> list[Survey]:
    access.require(actor, rules.MANAGE, now=now)
    query = select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())
    if panel_id is not None:
        query = query.where(Survey.panel_id == panel_id)
    return list(db.session.scalars(query))


def standing_panels() -> list:
    from ..recruitment.models import Panel

    return list(db.session.scalars(select(Panel).where(Panel.standing.is_(True)).order_by(Panel.id)))


def weighting_choices(panel) -> list[tuple[str, str]]:
    return [(f.key, f.label()) for f in panel.features if not f.sensitive]


def _texts(prefix: str, texts: dict, limit: int | None, required_fi: bool, label) -> dict:
    out = {}
    for lang in LANGS:
        value = plain_text(texts.get(lang) or "", limit) if limit else plain_text(texts.get(lang) or "")
        out[f"{prefix}_{lang}"] = value
    if required_fi and not out[f"{prefix}_fi"]:
        raise ValidationFailed(_l("%(label)s in Finnish is required.", label=label))
    return out


def draw_groups(panel) -> list:
    """Draw groups of the standing panel whose draw has been made (samples to survey)."""
    from ..recruitment.models import DRAWN, Panel

    return list(db.session.scalars(select(Panel).where(Panel.parent_id == panel.id, Panel.state == DRAWN)
                                   .order_by(Panel.id)))


def _recipients_settings(panel, audience: str, service_keys, weighting, sample_panel_id=None) -> dict:
    if audience not in (WHOLE_PANEL, CLIENT_GROUP, SAMPLE):
        raise ValidationFailed(_l("Choose who receives the survey."))
    keys = [k for k in (service_keys or []) if k]
    sample = None
    if audience == CLIENT_GROUP:
        from ..clients.models import Service

        known = set(db.session.scalars(select(Service.key).where(Service.active.is_(True))))
        if not keys:
            raise ValidationFailed(_l("Choose at least one service for a client group."))
        unknown = [k for k in keys if k not in known]
        if unknown:
            raise ValidationFailed(_l("Unknown service: %(key)s", key=unknown[0]))
    else:
        keys = []
    if audience == SAMPLE:
        groups = {g.id for g in draw_groups(panel)}
        if not sample_panel_id or int(sample_panel_id) not in groups:
            raise ValidationFailed(_l("Choose a draw group of this panel whose draw has been made."))
        sample = int(sample_panel_id)
    allowed = {k for k, _label in weighting_choices(panel)}
    chosen = [k for k in (weighting or []) if k]
    bad = [k for k in chosen if k not in allowed]
    if bad:
        raise ValidationFailed(_l("Unknown weighting feature: %(key)s", key=bad[0]))
    return {"audience": audience, "service_keys": keys, "weighting": chosen, "sample_panel_id": sample}


def create_survey(panel_id: int, *, titles: dict, intros: dict, audience: str = WHOLE_PANEL,
                  service_keys=(), weighting=(), reminder_days: int = 3, sample_panel_id=None,
                  actor, now) -> Survey:
    access.require(actor, rules.MANAGE, now=now)
    panel = _panel(panel_id)
    if not panel.standing:
        raise ValidationFailed(_l("Surveys are sent to a standing panel."))
    values = _texts("title", titles, 200, True, _l("Title"))
    values.update(_texts("intro", intros, None, False, _l("Introduction")))
    values.update(_recipients_settings(panel, audience, service_keys, weighting, sample_panel_id))
    _check_reminder(reminder_days)
    survey = Survey(panel_id=panel.id, created_at=now, created_by_id=getattr(actor, "id", None),
                    reminder_days=reminder_days, **values)
    db.session.add(survey)
    db.session.flush()
    return survey


def _check_reminder(days) -> None:
    if days is None or not 0 <= int(days) <= 30:
        raise ValidationFailed(_l("Send the reminder 0-30 days after the survey (0: no reminder)."))


def update_survey(survey_id: int, *, titles: dict, intros: dict, audience: str, service_keys=(),
                  weighting=(), reminder_days: int = 3, sample_panel_id=None, actor, now) -> Survey:
    survey = get_survey(survey_id, actor=actor, now=now)
    require_move(survey, lifecycle.EDIT)
    values = _texts("title", titles, 200, True, _l("Title"))
    values.update(_texts("intro", intros, None, False, _l("Introduction")))
    values.update(_recipients_settings(_panel(survey.panel_id), audience, service_keys, weighting,
                                       sample_panel_id))
    _check_reminder(reminder_days)
    for name, value in values.items():
        setattr(survey, name, value)
    survey.reminder_days = int(reminder_days)
    return survey


_OPTION_LINE = re.compile(r"\s*\|\s*")


def parse_options(fi: str, sv: str = "", en: str = "") -> list[dict]:
    """One option per line; the three languages line by line."""
    rows = [[plain_text(x, 200) for x in (t or "").splitlines() if x.strip()] for t in (fi, sv, en)]
    options = []
    for n, text in enumerate(rows[0], 1):
        options.append({"value": str(n), "fi": text,
                        "sv": rows[1][n - 1] if n <= len(rows[1]) else "",
                        "en": rows[2][n - 1] if n <= len(rows[2]) else ""})
    return options


def _question_values(kind: str, texts: dict, options, required, min_value, max_value) -> dict:
    """The checked fields of a question (adding and editing use the same rules)."""
    if kind not in KINDS:
        raise ValidationFailed(_l("Choose the kind of question."))
    values = _texts("text", texts, 500, True, _l("Question"))
    options = list(options or [])
    if kind in (SINGLE, MULTIPLE):
        if len(options) < 2:
            raise ValidationFailed(_l("A choice question needs at least two options, one per line."))
        if len(options) > MAX_OPTIONS:
            raise ValidationFailed(_l("A question can have at most %(n)s options.", n=MAX_OPTIONS))
    else:
        options = []
    if kind == NUMBER:
        if min_value is None or max_value is None or min_value >= max_value:
            raise ValidationFailed(_l("Give the smallest and the largest accepted number (the smallest below the largest)."))
    else:
        min_value = max_value = None
    return dict(values, kind=kind, options=options, required=bool(required), min_value=min_value,
                max_value=max_value)


def add_question(survey_id: int, *, kind: str, texts: dict, options: list[dict] | None = None,
                 required: bool = False, min_value: int | None = None, max_value: int | None = None,
                 actor, now) -> SurveyQuestion:
    survey = get_survey(survey_id, actor=actor, now=now)
    require_move(survey, lifecycle.EDIT)
    if len(survey.questions) >= MAX_QUESTIONS:
        raise ValidationFailed(_l("A survey can have at most %(n)s questions.", n=MAX_QUESTIONS))
    values = _question_values(kind, texts, options, required, min_value, max_value)
    position = (max((q.position for q in survey.questions), default=0) + 1)
    question = SurveyQuestion(position=position, **values)
    survey.questions.append(question)
    db.session.flush()
    return question


def _question(survey: Survey, question_id: int) -> SurveyQuestion:
    question = next((q for q in survey.questions if q.id == question_id), None)
    if question is None:
        raise NotFound(_l("No such question."))
    return question


def update_question(survey_id: int, question_id: int, *, kind: str, texts: dict,
                    options: list[dict] | None = None, required: bool = False, min_value: int | None = None,
                    max_value: int | None = None, actor, now) -> SurveyQuestion:
    """Change a question of a survey that has not been sent (its answers would no longer
    match); the question keeps its place."""
    survey = get_survey(survey_id, actor=actor, now=now)
    require_move(survey, lifecycle.EDIT)
    question = _question(survey, question_id)
    for name, value in _question_values(kind, texts, options, required, min_value, max_value).items():
        setattr(question, name, value)
    db.session.flush()
    return question


def move_question(survey_id: int, question_id: int, offset: int, *, actor, now) -> SurveyQuestion:
    """Move a question one place up (-1) or down (+1); the positions are renumbered 1..n."""
    if offset not in (-1, 1):
        raise ValidationFailed(_l("A question moves one place up or down."))
    survey = get_survey(survey_id, actor=actor, now=now)
    require_move(survey, lifecycle.EDIT)
    question = _question(survey, question_id)
    order = sorted(survey.questions, key=lambda q: (q.position, q.id))
    here = order.index(question)
    there = here + offset
    if not 0 <= there < len(order):
        raise ValidationFailed(_l("The question is already first.") if offset < 0
                               else _l("The question is already last."))
    order[here], order[there] = order[there], order[here]
    for n, q in enumerate(order, 1):
        q.position = n
    db.session.flush()
    db.session.expire(survey, ["questions"])
    return question


def remove_question(survey_id: int, question_id: int, *, actor, now) -> None:
    survey = get_survey(survey_id, actor=actor, now=now)
    require_move(survey, lifecycle.EDIT)
    survey.questions.remove(_question(survey, question_id))
    db.session.flush()


def delete_survey(survey_id: int, *, actor, now) -> None:
    survey = get_survey(survey_id, actor=actor, now=now)
    require_move(survey, lifecycle.DELETE)
    db.session.delete(survey)
    db.session.flush()


def audience_members(survey: Survey, now: datetime) -> list:
    """Current members the survey goes to: the whole panel, a client group, or those a
    draw group's draw selected (invitations still open), if still members."""
    from .. import pool

    if survey.audience == SAMPLE:
        from ..invitations.models import OPEN_STATES, Invitation
        from ..recruitment.models import Volunteer

        if survey.sample_panel_id is None:
            return []
        chosen = set(db.session.scalars(select(Volunteer.source_volunteer_id).join(
            Invitation, Invitation.volunteer_id == Volunteer.id).where(
            Invitation.panel_id == survey.sample_panel_id, Invitation.state.in_(OPEN_STATES))))
        return [v for v in pool.members(survey.panel_id, now=now) if v.id in chosen]
    keys = survey.service_keys if survey.audience == CLIENT_GROUP else None
    return pool.members(survey.panel_id, now=now, service_keys=keys)


def audience_size(survey: Survey, now: datetime) -> int:
    return len(audience_members(survey, now))


def schedule(survey_id: int, *, opens_at: datetime | None, closes_at: datetime, actor, now) -> Survey:
    """Schedule the survey to open at ``opens_at`` (None or past: send now)."""
    from . import sending

    survey = get_survey(survey_id, actor=actor, now=now)
    require_move(survey, lifecycle.SCHEDULE)
    if not survey.questions:
        raise ValidationFailed(_l("Add at least one question before sending the survey."))
    start = opens_at if opens_at and opens_at > now else now
    if closes_at is None or closes_at <= start:
        raise ValidationFailed(_l("The survey must close after it opens."))
    if not audience_members(survey, now):
        raise ValidationFailed(_l("Nobody is in the chosen group, so the survey would reach no one. Choose another group."))
    survey.opens_at, survey.closes_at = start, closes_at
    survey.state = lifecycle.SCHEDULED
    db.session.flush()
    if start <= now:
        sending.open_survey(survey, now=now)
    return survey


def unschedule(survey_id: int, *, actor, now) -> Survey:
    survey = get_survey(survey_id, actor=actor, now=now)
    require_move(survey, lifecycle.UNSCHEDULE)
    survey.state = lifecycle.DRAFT
    return survey


def close(survey_id: int, *, actor, now) -> Survey:
    from . import sending

    survey = get_survey(survey_id, actor=actor, now=now)
    require_move(survey, lifecycle.CLOSE)
    sending.close_survey(survey, now=now)
    return survey


def counts(survey: Survey) -> dict:
    """Aggregate progress for staff: how many were sent and answered (no identities)."""
    from .models import Recipient, SurveyResponse

    answered = db.session.scalar(select(func.count()).select_from(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id, SurveyResponse.submitted.is_(True))) or 0
    current = db.session.scalar(select(func.count()).select_from(Recipient).where(
        Recipient.survey_id == survey.id)) or 0
    return {"recipients": survey.recipient_count or current, "answered": answered}


def forget_member(volunteer, now) -> None:
    """``pool.on_leave`` callback: the member's responses get a random key (unlinkable even
    with the secret key; unsubmitted ones are deleted), then their recipient rows go."""
    from flask import current_app

    from . import tokens
    from .models import Recipient, SurveyResponse

    survey_ids = list(db.session.scalars(select(Recipient.survey_id).where(
        Recipient.volunteer_id == volunteer.id)))
    for survey_id in survey_ids:
        key = tokens.survey_key(current_app.secret_key, survey_id)
        response = db.session.get(SurveyResponse, tokens.response_key(key, tokens.member_token(key, volunteer.id)))
        if response is None:
            continue
        if response.submitted:
            response.key = tokens.random_key()
        else:
            db.session.delete(response)
    db.session.execute(delete(Recipient).where(Recipient.volunteer_id == volunteer.id))
    db.session.flush()
