"""What can be followed, seen from outside: whether a thing is public, its title in a
language and its public address.  Reads the other areas only through their public
functions; a thing that is not public (a draft, a withdrawn outcome) cannot be followed
and is left out of digests."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from kuulas.extensions import db

from .models import IDEAS, OUTCOME, RAATI


@dataclass(frozen=True)
class Target:
    kind: str
    id: int
    title: str
    title_lang: str
    path: str

    @property
    def url(self) -> str:
        return current_app.config["SITE_URL"].rstrip("/") + self.path


def resolve(kind: str, target_id: int, locale: str, *, now: datetime) -> Target | None:
    """The public thing, or None when it does not exist or is not public."""
    if not isinstance(target_id, int) or not 0 < target_id <= 2**31 - 1:
        return None
    if kind == OUTCOME:
        from deliberation.outcomes.models import Outcome
        from deliberation.outcomes.present import texts
        from deliberation.outcomes.services import visible_outcomes

        outcome = db.session.scalar(visible_outcomes().where(Outcome.id == target_id))
        if outcome is None:
            return None
        t = texts(outcome, locale)
        return Target(kind, outcome.id, t.title, t.title_lang, f"/tulokset/{outcome.id}")
    if kind == IDEAS:
        from kuulas import access
        from deliberation.ideas import rules
        from deliberation.ideas.models import IdeaRound

        round_ = db.session.get(IdeaRound, target_id)
        if round_ is None or not access.can(None, rules.VIEW, round_, now):
            return None
        return Target(kind, round_.id, round_.text("title", locale), round_.text_lang("title", locale),
                      f"/ideariihi/{round_.id}")
    if kind == RAATI:
        from deliberation.raati.models import DRAFT, Raati

        raati = db.session.get(Raati, target_id)
        if raati is None or raati.state == DRAFT:
            return None
        return Target(kind, raati.id, raati.text("title", locale), raati.text_lang("title", locale),
                      f"/raati/{raati.id}")
    return None


def outcome_of(kind: str, target_id: int) -> int | None:
    """The published outcome of a followed process, if there is one: following a process
    means hearing about its outcome too."""
    if kind not in (IDEAS, RAATI):
        return None
    from deliberation.outcomes.models import Outcome
    from deliberation.outcomes.services import visible_outcomes

    return db.session.scalar(visible_outcomes().with_only_columns(Outcome.id)
                             .where(Outcome.source_kind == kind, Outcome.source_id == target_id))


def outcome_source(outcome_id: int) -> tuple[str, int] | None:
    from deliberation.outcomes.models import Outcome

    row = db.session.execute(select(Outcome.source_kind, Outcome.source_id)
                             .where(Outcome.id == outcome_id)).one_or_none()
    return (row[0], row[1]) if row else None
