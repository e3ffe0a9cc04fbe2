"""What the public may see: decided in exactly one place, :func:`visible_outcomes`, which
the HTML pages, the Atom feed, the JSON API, the exports, the search and the front-page
cards all start from.  Reading only: nothing here writes."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, extract, func, select

from kuulas.errors import NotFound
from kuulas.extensions import db

from . import sources
from .lifecycle import PUBLISHED
from .models import Outcome, OutcomeAttachment, OutcomeDecision

STATUS_FILTERS = ("decided", "awaiting")


def visible_outcomes() -> Select:
    """Outcomes the public may see.  Every public reader (page, feed, API, export,
    attachment, front-page card) starts from this query."""
    return select(Outcome).where(Outcome.state == PUBLISHED, Outcome.published_at.is_not(None))


def get_public(outcome_id: int) -> Outcome:
    outcome = db.session.scalar(visible_outcomes().where(Outcome.id == outcome_id))
    if outcome is None:
        raise NotFound(_l("No published outcome was found at this address."))
    return outcome


def list_public(*, year: int | None = None, kind: str | None = None, status: str | None = None,
                limit: int | None = None, offset: int = 0) -> list[Outcome]:
    query = _filtered(visible_outcomes(), year=year, kind=kind, status=status)
    query = query.order_by(Outcome.published_at.desc(), Outcome.id.desc()).offset(offset)
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def count_public(*, year=None, kind=None, status=None) -> int:
    query = _filtered(visible_outcomes(), year=year, kind=kind, status=status)
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def _filtered(query, *, year, kind, status):
    if year:
        query = query.where(extract("year", Outcome.published_at) == int(year))
    if kind in sources.KINDS:
        query = query.where(Outcome.source_kind == kind)
    has_decision = exists().where(OutcomeDecision.outcome_id == Outcome.id)
    if status == "decided":
        query = query.where(has_decision)
    elif status == "awaiting":
        query = query.where(~has_decision)
    return query


def public_years() -> list[int]:
    sub = visible_outcomes().subquery()
    years = db.session.scalars(select(extract("year", sub.c.published_at)).distinct())
    return sorted({int(y) for y in years if y is not None}, reverse=True)


def public_stamp() -> str:
    """Changes whenever anything public changes: count and revisions of visible outcomes."""
    sub = visible_outcomes().subquery()
    count, revs, last = db.session.execute(
        select(func.count(), func.coalesce(func.sum(sub.c.revision), 0), func.max(sub.c.updated_at))
        .select_from(sub)).one()
    return f"{count}-{revs}-{last.isoformat() if last else ''}"


def public_revision(outcome_id: int) -> int | None:
    sub = visible_outcomes().where(Outcome.id == outcome_id).subquery()
    return db.session.scalar(select(sub.c.revision))


def public_attachment(outcome_id: int, attachment_id: int) -> OutcomeAttachment:
    outcome = get_public(outcome_id)
    att = db.session.get(OutcomeAttachment, attachment_id)
    if att is None or att.outcome_id != outcome.id:
        raise NotFound()
    return att
