"""What the outcomes area may know about surveys (``deliberation.outcomes.sources``):
finished surveys and their published, aggregate, suppressed figures.  Nothing here
returns an identity, a token or a single response."""
from __future__ import annotations

from sqlalchemy import select

from kuulas.extensions import db

from . import lifecycle


def finished_surveys() -> list[dict]:
    """Surveys whose results have been published (frozen)."""
    from .models import Survey

    rows = db.session.scalars(select(Survey).where(Survey.state == lifecycle.PUBLISHED)
                              .order_by(Survey.id)).all()
    return [{"id": s.id, "title": s.title()} for s in rows]


def survey_outcome_data(survey_id: int, locale: str) -> dict | None:
    from ..recruitment.models import Panel
    from .models import Survey
    from .present import labelled, summary_markdown

    survey = db.session.get(Survey, survey_id)
    if survey is None or survey.state != lifecycle.PUBLISHED or not survey.published_results:
        return None
    panel = db.session.get(Panel, survey.panel_id)
    res = survey.published_results
    data = labelled(survey, res, panel, locale)
    return {
        "title": survey.title(locale),
        "question": survey.intro(locale),
        "background": panel.name(locale) if panel else "",
        "opens_at": survey.sent_at or survey.opens_at,
        "closes_at": survey.closed_at or survey.closes_at,
        "respondents": int(res.get("respondents") or 0),
        "recipients": int(res.get("recipients") or 0),
        "points": [{"key": f"question-{q['number']}", "text": f"{q['number']}. {q['text']}"[:300]}
                   for q in data["questions"]],
        "results": {"survey": {"id": survey.id, "respondents": res.get("respondents"),
                               "recipients": res.get("recipients"), "rate": res.get("rate")}},
        "summary_markdown": summary_markdown(survey, res, panel, locale),
        # Who answered against the population, already suppressed (counts under 5 hidden).
        "composition": [{"feature": f["feature"], "label": str(f["label"]),
                         "categories": [{"value": r["value"], "label": str(r["label"]), "count": r.get("count"),
                                         "share": r.get("share"), "population_share": r.get("population_share"),
                                         "suppressed": bool(r.get("suppressed"))} for r in f["rows"]]}
                        for f in data.get("composition") or []],
    }


def member_survey_outcome(survey_id: int):
    """(outcome id, title) of the survey's outcome when it is published, else None."""
    from deliberation.outcomes.models import PUBLISHED, Outcome

    row = db.session.scalar(select(Outcome).where(Outcome.source_kind == "surveys",
                                                  Outcome.source_id == survey_id,
                                                  Outcome.state == PUBLISHED))
    return row


def member_recipients(survey_id: int) -> list[tuple[str, str]]:
    """(e-mail, locale) of the members the survey was sent to who are still members: they
    are told when its outcome is published.  Says nothing about who answered."""
    from ..recruitment.models import Volunteer
    from .models import Recipient

    rows = db.session.execute(select(Volunteer.email, Volunteer.locale).join(
        Recipient, Recipient.volunteer_id == Volunteer.id).where(Recipient.survey_id == survey_id)).all()
    return [(email, locale or "fi") for email, locale in rows]
