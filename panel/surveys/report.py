"""Staff reading of results and publication.  Results exist only for a closed survey (so
nobody can watch answers arrive); a published survey shows the figures frozen when it was
published, which never change afterwards (members leaving included)."""
from __future__ import annotations

import hashlib
import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from kuulas.errors import Conflict
from kuulas.extensions import db

from . import lifecycle, results, rules
from .models import Survey, SurveyResponse
from .services import get_survey, require_move

def population(survey: Survey) -> dict[str, dict[str, float]]:
    """feature key -> value -> population share in percent, for the weighting features."""
    from ..recruitment.models import Panel

    panel = db.session.get(Panel, survey.panel_id)
    chosen = set(survey.weighting or [])
    return {f.key: {c.value: float(c.population_share or 0.0) for c in f.categories}
            for f in panel.features if f.key in chosen}


def specs(survey: Survey) -> list[results.QuestionSpec]:
    return [results.QuestionSpec(q.id, q.kind, tuple(o["value"] for o in q.options or []))
            for q in survey.questions]


def figures_key(survey: Survey, pop: dict) -> str:
    """What the figures depend on besides the (then unchangeable) answers."""
    basis = json.dumps({"pop": pop, "questions": [[q.id, q.kind, q.options] for q in specs(survey)],
                        "recipients": survey.recipient_count}, sort_keys=True)
    return hashlib.sha256(basis.encode()).hexdigest()


def _compute(survey: Survey, pop: dict) -> dict:
    rows = db.session.execute(select(SurveyResponse.cells, SurveyResponse.answers).where(
        SurveyResponse.survey_id == survey.id, SurveyResponse.submitted.is_(True))
        .order_by(SurveyResponse.key)).all()
    return results.compute(specs(survey), [(r.cells or {}, r.answers or {}) for r in rows], pop,
                           survey.recipient_count)


_RECOMPUTED: dict[tuple, dict] = {}


def compute(survey: Survey) -> dict:
    """The results of a closed survey: the figures stored when it closed, unless the
    population shares or questions have changed since (then computed afresh, and kept in
    this process for the same shares: a page view never writes to the database)."""
    pop = population(survey)
    key = figures_key(survey, pop)
    if survey.figures is not None and survey.figures_key == key:
        return survey.figures
    if survey.state not in (lifecycle.CLOSED, lifecycle.PUBLISHED):
        return _compute(survey, pop)
    count = db.session.scalar(select(func.count()).select_from(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id, SurveyResponse.submitted.is_(True)))
    cache_key = (survey.id, key, count)
    if cache_key not in _RECOMPUTED:
        if len(_RECOMPUTED) >= 16:
            _RECOMPUTED.pop(next(iter(_RECOMPUTED)))
        _RECOMPUTED[cache_key] = _compute(survey, pop)
    return _RECOMPUTED[cache_key]


def store_figures(survey: Survey) -> dict:
    """Compute and keep the figures (at closing; the caller commits)."""
    pop = population(survey)
    survey.figures = _compute(survey, pop)
    survey.figures_key = figures_key(survey, pop)
    return survey.figures


def survey_results(survey_id: int, *, actor, now) -> tuple[Survey, dict]:
    survey = get_survey(survey_id, actor=actor, now=now, permission=rules.RESULTS)
    require_move(survey, lifecycle.RESULTS)
    if survey.state == lifecycle.PUBLISHED and survey.published_results:
        return survey, survey.published_results
    return survey, compute(survey)


def free_texts(survey_id: int, question_id: int, *, actor, now) -> list[str]:
    """The (masked) free-text answers of one question, in a fixed order that says nothing
    about who wrote them or when (sorted by text), only when at least 5 answered."""
    survey, res = survey_results(survey_id, actor=actor, now=now)
    q = next((q for q in res["questions"] if q["id"] == question_id and q["kind"] == "text"), None)
    if q is None or not q.get("texts"):
        return []
    key = str(question_id)
    texts = db.session.scalars(select(SurveyResponse.answers).where(
        SurveyResponse.survey_id == survey.id, SurveyResponse.submitted.is_(True))).all()
    return sorted(str(a[key]) for a in texts if a and a.get(key))


def freeze(survey: Survey, *, now) -> dict:
    """Closed -> published: keep the figures as they are now, for good."""
    require_move(survey, lifecycle.PUBLISH)
    frozen = compute(survey)
    if not frozen.get("respondents"):
        raise Conflict(_l("Fewer than 5 members answered, so there are no results to publish."))
    survey.published_results = frozen
    survey.published_at = now
    survey.state = lifecycle.PUBLISHED
    db.session.flush()
    return frozen


def publish(survey_id: int, *, actor, now, locale: str = "fi"):
    """Freeze the figures and hand them to the outcomes area as a draft outcome, where the
    preparer writes the summary, publishes and records decisions.  Returns the outcome."""
    from deliberation.outcomes import services as outcomes

    survey = get_survey(survey_id, actor=actor, now=now, permission=rules.PUBLISH)
    freeze(survey, now=now)
    outcome = outcomes.create_draft("surveys", survey.id, actor=actor, now=now, locale=locale)
    survey.outcome_id = outcome.id
    return outcome


def outcome_of(survey: Survey):
    from deliberation.outcomes.models import Outcome

    return db.session.scalar(select(Outcome).where(Outcome.source_kind == "surveys",
                                                   Outcome.source_id == survey.id))
