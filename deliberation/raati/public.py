"""What the public may see of a digiraati, without signing in: the question, the members'
composition against the population (suppressed below ``MIN_CELL``), the agenda, the expert
material, and the statement with its approval record once it is locked.

A raati is public once it is announced, the same rule as its front-page card: live,
finished, or a draft with sessions scheduled.  Nothing from the room is ever read here
(chat, hands, questions, polls, reviews, comments, drafts of the statement), nor anything
that names a member: only experts' display names, as they appear to the room.

No Flask request is needed (an app context is); the caller passes the locale.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import exists, or_, select

from kuulas.disclosure import MIN_CELL, public_composition
from kuulas.errors import NotFound
from kuulas.extensions import db

from . import lifecycle
from .core import active_members, membership
from .drafting import sections
from .models import DRAFT, EXPERT, FINISHED, LIVE, Phase, Raati, RaatiSession

JURORS = lifecycle.JURORS


def public_raatis():
    """The one query of public raatis (page, search)."""
    announced = exists().where(RaatiSession.raati_id == Raati.id)
    return select(Raati).where(or_(Raati.state.in_((LIVE, FINISHED)),
                                   (Raati.state == DRAFT) & announced))


def get_public(raati_id: int) -> Raati:
    raati = db.session.scalar(public_raatis().where(Raati.id == raati_id))
    if raati is None:
        raise NotFound()
    return raati


@dataclass
class PublicView:
    raati: Raati
    members: int
    composition: list = field(default_factory=list)     # disclosure.public_composition shape
    charts: list = field(default_factory=list)          # [{"feature", "chart"}] as on outcome pages
    sessions: list = field(default_factory=list)        # RaatiSession rows
    phases: list = field(default_factory=list)          # Phase rows, in agenda order
    experts: list = field(default_factory=list)         # display names
    statement: dict | None = None                       # sections, sha256, locked_at, approval
    outcome_url: str | None = None
    min_cell: int = MIN_CELL


def composition(raati: Raati, juror_ids: list[int], locale: str) -> list[dict]:
    """The members against the population, exactly as the outcome page shows it: the
    outcomes area's snapshot of public features, suppressed by ``kuulas.disclosure``."""
    if not raati.panel_id or not juror_ids:
        return []
    try:
        from deliberation.outcomes.sources import _api, composition_snapshot
    except ModuleNotFoundError:
        return []
    panel_api = _api("panel")
    if panel_api is None:
        return []
    return public_composition(composition_snapshot(panel_api, raati.panel_id, juror_ids, locale))


def _charts(shown: list) -> list:
    """The same participation charts as an outcome page draws (kuulas.charts via glance)."""
    if not shown:
        return []
    try:
        from deliberation.outcomes.glance import participation
    except ModuleNotFoundError:
        return [{"feature": f, "chart": None} for f in shown]
    return participation(shown, prefix="members")


def _outcome_url(raati_id: int) -> str | None:
    try:
        from deliberation.outcomes.models import Outcome
        from deliberation.outcomes.services import visible_outcomes
    except ModuleNotFoundError:
        return None
    found = db.session.scalar(visible_outcomes().where(Outcome.source_kind == "raati",
                                                       Outcome.source_id == raati_id))
    return f"/tulokset/{found.id}" if found is not None else None


def view(raati_id: int, locale: str) -> PublicView:
    raati = get_public(raati_id)
    members = active_members(raati.id)
    jurors = [m for m in members if m.role in JURORS]
    experts = [m.display_name for m in members if m.role == EXPERT and m.display_name]
    phases = list(db.session.scalars(select(Phase).where(Phase.raati_id == raati.id)
                                     .order_by(Phase.position)))
    statement = None
    if raati.statement_sha256 and raati.drafting_closed_at:
        statement = {
            "sections": [{"title": s.title, "text": s.versions[-1].text if s.versions else ""}
                         for s in sections(raati.id)],
            "sha256": raati.statement_sha256, "locked_at": raati.drafting_closed_at,
            "approval": raati.lock_record}
    shown = composition(raati, [m.account_id for m in jurors], locale)
    return PublicView(raati=raati, members=len(jurors), composition=shown, charts=_charts(shown),
                      sessions=list(raati.sessions), phases=phases, experts=experts,
                      statement=statement, outcome_url=_outcome_url(raati.id))


def is_member(raati_id: int, account) -> bool:
    """Whether the reader may enter the room (the page then links to it)."""
    member = membership(raati_id, account)
    return member is not None and member.removed_at is None
