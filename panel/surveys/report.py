"""Staff reading of results and publication.  Results exist only for a closed survey (so
nobody can watch answers arrive); a published survey shows the figures frozen when it was
published, which never change afterwards (members leaving included)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from kuulas.errors import Conflict
from kuulas.extensions import db

from . import lifecycle, results, rules
from .models import Survey, SurveyResponse
from .services import get_survey, require_move

_CACHE: dict[tuple, dict] = {}
_CACHE_SIZE = 16


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


def compute(survey: Survey) -> dict:
    """The results of a closed survey.  Its submitted responses no longer change, so the
    figures are cached by survey, population shares and number of responses."""
    rows = db.session.execute(select(SurveyResponse.cells, SurveyResponse.answers).where(
        SurveyResponse.survey_id == survey.id, SurveyResponse.submitted.is_(True))
        .order_by(SurveyResponse.key)).all()
    pop = population(survey)
    cache_key = (survey.id, survey.state, repr(sorted((k, sorted(v.items())) for k, v in pop.items())),
                 len(rows), tuple((q.id, q.kind, len(q.options or [])) for q in survey.questions))
    if survey.state == lifecycle.CLOSED and cache_key in _CACHE:
        return _CACHE[cache_key]
    out = results.compute(specs(survey), [(r.cells or {}, r.answers or {}) for r in rows], pop,
                          survey.recipient_count)
    if survey.state == lifecycle.CLOSED:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[cache_key] = out
    return out


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


def publish(survey_id: int, *, actor, now, locale: str = "fi"):
    """Freeze the figures and hand them to the outcomes area as a draft outcome, where the
    preparer writes the summary, publishes and records decisions.  Returns the outcome."""
    from deliberation.outcomes import services as outcomes

    survey = get_survey(survey_id, actor=actor, now=now, permission=rules.PUBLISH)
    require_move(survey, lifecycle.PUBLISH)
    frozen = compute(survey)
    if not frozen.get("respondents"):
        raise Conflict(_l("Fewer than 5 members answered, so there are no results to publish."))
    survey.published_results = frozen
    survey.published_at = now
    survey.state = lifecycle.PUBLISHED
    db.session.flush()
    outcome = outcomes.create_draft("surveys", survey.id, actor=actor, now=now, locale=locale)
    survey.outcome_id = outcome.id
    return outcome
