"""Search provider of idea rounds: every round that is not a draft (the rounds the front
page lists), over the texts a reader in the query's language is shown (``IdeaRound.text``)."""
from __future__ import annotations


from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from kuulas import search

from .models import DRAFT, IdeaRound

FIELDS = ("title", "question", "background")


def _shown(field: str, locale: str):
    column = getattr(IdeaRound, field)
    order = [locale] + [c for c in ("fi", "sv", "en") if c != locale]
    return search.shown(*[column[code].as_string() for code in order])


def provider(query: search.Query, dialect: str, limit: int) -> list[search.Hit]:
    columns = [_shown(f, query.locale) for f in FIELDS]
    stmt = select(IdeaRound).where(IdeaRound.state != DRAFT)
    return [search.text_hit(r, query, FIELDS, ("question", "background"), kind=_("Idea round"),
                            url=url_for("ideas.round_page", round_id=r.id), score=score,
                            when=r.opens_at, key=("ideas", r.id))
            for r, score in search.ranked(query, stmt, columns, dialect, IdeaRound.opens_at.desc(), limit)]
