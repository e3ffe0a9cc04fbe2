"""Search over what the public may see (published processes and outcomes), in the
reader's language.

Query building only: this module imports SQLAlchemy but never Flask and does no I/O.
Each area registers a provider (``register``) that applies :func:`match` and :func:`rank`
to the texts a reader in that language is shown, on a query that already admits only
public rows; the kernel knows nothing about the areas.

* PostgreSQL: full-text search, ``to_tsvector(config, text) @@ websearch_to_tsquery(config, q)``
  with the reader's language's configuration ('finnish', 'swedish', 'english'), computed at
  query time and ranked with ``ts_rank``.
* Anything else (SQLite in development and tests): every word of the query must occur in
  one of the texts, case-insensitively (``lower(text) LIKE %word%``; SQLite lowercases
  ASCII only, so capital Ä/Ö/Å match only as typed).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from sqlalchemy import and_, func, literal_column, or_
from sqlalchemy.sql.elements import ColumnElement

MIN_LENGTH = 2
MAX_LENGTH = 200
MAX_TERMS = 8
CONFIGS = {"fi": "finnish", "sv": "swedish", "en": "english"}
EMPTY, TOO_SHORT, TOO_LONG = "empty", "too_short", "too_long"

_WORD = re.compile(r"\w+", re.UNICODE)


class QueryError(ValueError):
    """A query that cannot be searched: ``code`` is EMPTY, TOO_SHORT or TOO_LONG."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Query:
    text: str                 # as typed, normalised (NFC, single spaces)
    terms: tuple[str, ...]    # lowercased words of at least MIN_LENGTH characters
    locale: str

    @property
    def config(self) -> str:
        return CONFIGS.get(self.locale, "simple")


def parse(raw: str | None, locale: str) -> Query:
    """Normalise a query or raise :class:`QueryError` saying why it cannot be searched."""
    text = " ".join(unicodedata.normalize("NFC", raw or "").split())
    if not text:
        raise QueryError(EMPTY)
    if len(text) > MAX_LENGTH:
        raise QueryError(TOO_LONG)
    words = []
    for w in _WORD.findall(text.casefold()):
        if len(w) >= MIN_LENGTH and w not in words:
            words.append(w)
    if not words:
        raise QueryError(TOO_SHORT)
    return Query(text=text, terms=tuple(words[:MAX_TERMS]), locale=locale)


def shown(*exprs: ColumnElement) -> ColumnElement:
    """The first non-empty of several texts (a translation, then the original), as SQL."""
    return func.coalesce(*[func.nullif(e, "") for e in exprs], "")


def document(columns: list[ColumnElement]) -> ColumnElement:
    out = func.coalesce(columns[0], "")
    for c in columns[1:]:
        out = out + " " + func.coalesce(c, "")
    return out


def _regconfig(query: Query):
    # The configuration name comes from the fixed CONFIGS table, never from the request.
    return literal_column(f"'{query.config}'::regconfig")


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def match(query: Query, columns: list[ColumnElement], dialect: str) -> ColumnElement:
    """A WHERE clause: the texts in ``columns`` match the query."""
    if dialect == "postgresql":
        cfg = _regconfig(query)
        return func.to_tsvector(cfg, document(columns)).op("@@")(
            func.websearch_to_tsquery(cfg, " ".join(query.terms)))
    return and_(*[or_(*[func.lower(func.coalesce(c, "")).like(_like(t), escape="\\") for c in columns])
                  for t in query.terms])


def rank(query: Query, columns: list[ColumnElement], dialect: str) -> ColumnElement | None:
    """How well the texts match (PostgreSQL only; elsewhere None and callers sort by date)."""
    if dialect != "postgresql":
        return None
    cfg = _regconfig(query)
    return func.ts_rank(func.to_tsvector(cfg, document(columns)),
                        func.websearch_to_tsquery(cfg, " ".join(query.terms)))


def snippet(text: str, terms: tuple[str, ...], width: int = 160) -> list[tuple[str, bool]]:
    """A short context around the first matching word: ``[(segment, is_match)]``.  A word
    matches when it starts with a term or with the term's stem-like prefix (so "palvelut"
    is marked for "palvelu"); the template wraps matches in ``<mark>``."""
    plain = " ".join((text or "").split())
    if not plain:
        return []
    prefixes = sorted({t if len(t) < 5 else t[:max(4, len(t) - 2)] for t in terms}, key=len, reverse=True)
    words = list(re.finditer(r"\w+", plain))
    hits = [m for m in words if any(m.group().casefold().startswith(p) for p in prefixes)]
    start = 0
    if hits:
        start = max(0, hits[0].start() - width // 3)
        while start > 0 and not plain[start - 1].isspace():
            start -= 1
    end = min(len(plain), start + width)
    while end < len(plain) and not plain[end].isspace():
        end += 1
    segment_text = plain[start:end]
    out: list[tuple[str, bool]] = []
    if start > 0:
        out.append(("… ", False))
    pos = 0
    for m in hits:
        a, b = m.start() - start, m.end() - start
        if a < 0 or b > len(segment_text):
            continue
        if a > pos:
            out.append((segment_text[pos:a], False))
        out.append((segment_text[a:b], True))
        pos = b
    if pos < len(segment_text):
        out.append((segment_text[pos:], False))
    if end < len(plain):
        out.append((" …", False))
    return out


def best_field(obj, fields: tuple[str, ...], terms: tuple[str, ...]) -> str:
    """The first of ``fields`` (attributes of ``obj``) whose text holds a match, else the first."""
    for f in fields:
        if any(is_match for _seg, is_match in snippet(getattr(obj, f) or "", terms)):
            return f
    return fields[0]


@dataclass(frozen=True)
class Hit:
    kind: str                  # translated label ("Outcome", "Idea round", "Digiraati")
    title: str
    url: str
    context: list = field(default_factory=list)    # snippet() segments
    title_lang: str | None = None
    context_lang: str | None = None
    decision: dict | None = None                   # what was decided, for outcomes
    score: float = 0.0
    when: datetime | None = None
    key: tuple | None = None          # ("raati", 2): the process this hit is
    outcome_of: tuple | None = None   # an outcome names its process; the process is then not listed again


def ranked(query: Query, stmt, columns: list[ColumnElement], dialect: str, order_by, limit: int):
    """Run a provider's query: ``stmt`` (public rows only) narrowed to the matches, ranked where
    the database can rank; yields ``(row object, score)``."""
    from .extensions import db

    stmt = stmt.where(match(query, columns, dialect))
    score = rank(query, columns, dialect)
    if score is not None:
        stmt = stmt.add_columns(score)
    for row in db.session.execute(stmt.order_by(order_by).limit(limit)):
        yield row[0], (float(row[1] or 0) if score is not None else 0.0)


def text_hit(item, query: Query, fields: tuple[str, ...], context_fields: tuple[str, ...], *,
             kind: str, url: str, score: float, when, key) -> Hit:
    """The hit of a process whose model answers ``text(field, locale)`` and ``text_lang``: its
    title, and a snippet of the first of ``context_fields`` that matched."""
    from types import SimpleNamespace

    texts = SimpleNamespace(**{f: item.text(f, query.locale) for f in fields})
    chosen = best_field(texts, context_fields, query.terms)
    return Hit(kind=kind, title=item.text("title", query.locale),
               title_lang=item.text_lang("title", query.locale), url=url,
               context=snippet(getattr(texts, chosen), query.terms),
               context_lang=item.text_lang(chosen, query.locale), score=score, when=when, key=key)


_PROVIDERS: list[Callable[[Query, str, int], list[Hit]]] = []


def register(provider: Callable[[Query, str, int], list[Hit]]) -> None:
    """``provider(query, dialect_name, limit) -> [Hit]``, public rows only."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def run(query: Query, dialect: str, limit: int = 50) -> list[Hit]:
    hits = [h for provider in _PROVIDERS for h in provider(query, dialect, limit)]
    # A process is listed once: where its outcome matched too, the outcome stands for both.
    with_outcome = {h.outcome_of for h in hits if h.outcome_of is not None}
    hits = [h for h in hits if h.key is None or h.key not in with_outcome]
    hits.sort(key=lambda h: (-h.score, -(h.when.timestamp() if h.when else 0), h.title))
    return hits[:limit]
