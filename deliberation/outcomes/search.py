"""Search provider of the outcomes area: published outcomes only (``visible_outcomes``),
over the texts a reader in the query's language is shown (``present.texts``)."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_, case, func

from kuulas import search

from . import present, visibility
from .cards import decision_view
from .models import Outcome


def _shown(field: str, locale: str):
    """SQL for what ``present.texts`` shows: the translation when the preparer made one (it
    has a title) and this field is filled, else the original."""
    translated = Outcome.translations[(locale, field)].as_string()
    has_version = func.coalesce(Outcome.translations[(locale, "title")].as_string(), "") != ""
    return case((and_(Outcome.language != locale, has_version, func.coalesce(translated, "") != ""),
                 translated), else_=getattr(Outcome, field))


def provider(query: search.Query, dialect: str, limit: int) -> list[search.Hit]:
    columns = [_shown(f, query.locale) for f in present.TEXT_FIELDS]
    hits = []
    for o, score in search.ranked(query, visibility.visible_outcomes(), columns, dialect,
                                  Outcome.published_at.desc(), limit):
        t = present.texts(o, query.locale)
        context_field = search.best_field(t, ("question", "summary", "background"), query.terms)
        hits.append(search.Hit(
            kind=_("Outcome") + " · " + str(present.KIND_LABELS.get(o.source_kind, o.source_kind)),
            title=t.title, title_lang=t.title_lang, url=f"/tulokset/{o.id}",
            context=search.snippet(getattr(t, context_field), query.terms),
            context_lang=getattr(t, f"{context_field}_lang"),
            decision=decision_view(o, query.locale), score=score, when=o.published_at,
            outcome_of=(o.source_kind, o.source_id)))
    return hits
