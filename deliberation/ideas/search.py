"""Search provider of idea rounds: every round that is not a draft (the rounds the front
page lists), over the texts a reader in the query's language is shown (``IdeaRound.text``)."""
from __future__ import annotations

from types import SimpleNamespace

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from kuulas import search
from kuulas.extensions import db

from .models import DRAFT, IdeaRound

FIELDS = ("title", "question", "background")


def _shown(field: str, locale: str):
    column = getattr(IdeaRound, field)
    order = [locale] + [c for c in ("fi", "sv", "en") if c != locale]
    return search.shown(*[column[code].as_string() for code in order])


def provider(query: search.Query, dialect: str, limit: int) -> list[search.Hit]:
    columns = [_shown(f, query.locale) for f in FIELDS]
    stmt = select(IdeaRound).where(IdeaRound.state != DRAFT, search.match(query, columns, dialect))
    score = search.rank(query, columns, dialect)
    if score is not None:
        stmt = stmt.add_columns(score)
    hits = []
    for row in db.session.execute(stmt.order_by(IdeaRound.opens_at.desc()).limit(limit)):
        r = row[0]
        texts = SimpleNamespace(**{f: r.text(f, query.locale) for f in FIELDS})
        field = search.best_field(texts, ("question", "background"), query.terms)
        hits.append(search.Hit(
            kind=_("Idea round"), title=r.text("title", query.locale),
            title_lang=r.text_lang("title", query.locale),
            url=url_for("ideas.round_page", round_id=r.id),
            context=search.snippet(getattr(texts, field), query.terms),
            context_lang=r.text_lang(field, query.locale),
            score=float(row[1] or 0) if score is not None else 0.0, when=r.opens_at, key=("ideas", r.id)))
    return hits
