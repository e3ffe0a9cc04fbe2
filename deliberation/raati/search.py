"""Search provider of the digiraati: public raatis only (``public.public_raatis``), over the
texts a reader in the query's language is shown (``Raati.text``: the translation, else Finnish)."""
from __future__ import annotations


from flask import url_for
from flask_babel import gettext as _

from kuulas import search

from .models import Raati
from .public import public_raatis

FIELDS = ("title", "question", "background")


def _shown(field: str, locale: str):
    own = getattr(Raati, f"{field}_{locale}", None)
    fallback = getattr(Raati, f"{field}_fi")
    return search.shown(own, fallback) if own is not None and locale != "fi" else search.shown(fallback)


def provider(query: search.Query, dialect: str, limit: int) -> list[search.Hit]:
    columns = [_shown(f, query.locale) for f in FIELDS]
    return [search.text_hit(r, query, FIELDS, ("question", "background"), kind=_("Digiraati"),
                            url=url_for("raati.public_page", raati_id=r.id), score=score,
                            when=r.sessions[0].starts_at if r.sessions else r.created_at,
                            key=("raati", r.id))
            for r, score in search.ranked(query, public_raatis(), columns, dialect, Raati.id.desc(), limit)]
