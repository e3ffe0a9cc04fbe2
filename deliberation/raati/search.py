"""Search provider of the digiraati: public raatis only (``public.public_raatis``), over the
texts a reader in the query's language is shown (``Raati.text``: the translation, else Finnish)."""
from __future__ import annotations

from types import SimpleNamespace

from flask import url_for
from flask_babel import gettext as _

from kuulas import search
from kuulas.extensions import db

from .models import Raati
from .public import public_raatis

FIELDS = ("title", "question", "background")


def _shown(field: str, locale: str):
    own = getattr(Raati, f"{field}_{locale}", None)
    fallback = getattr(Raati, f"{field}_fi")
    return search.shown(own, fallback) if own is not None and locale != "fi" else search.shown(fallback)


def provider(query: search.Query, dialect: str, limit: int) -> list[search.Hit]:
    columns = [_shown(f, query.locale) for f in FIELDS]
    stmt = public_raatis().where(search.match(query, columns, dialect))
    score = search.rank(query, columns, dialect)
    if score is not None:
        stmt = stmt.add_columns(score)
    hits = []
    for row in db.session.execute(stmt.order_by(Raati.id.desc()).limit(limit)):
        r = row[0]
        texts = SimpleNamespace(**{f: r.text(f, query.locale) for f in FIELDS})
        field = search.best_field(texts, ("question", "background"), query.terms)
        hits.append(search.Hit(
            kind=_("Digiraati"), title=r.text("title", query.locale),
            title_lang=r.text_lang("title", query.locale),
            url=url_for("raati.public_page", raati_id=r.id),
            context=search.snippet(getattr(texts, field), query.terms),
            context_lang=r.text_lang(field, query.locale),
            score=float(row[1] or 0) if score is not None else 0.0,
            when=r.sessions[0].starts_at if r.sessions else r.created_at,
            key=("raati", r.id)))
    return hits
