"""Setting up idea rounds, and opening and closing them (by hand and by the clock).

The states and transitions come from ``lifecycle``.  Never commits: the caller owns the
transaction.  A close declares the ``closed`` broadcast (``events.round_closed``), sent
when the caller commits.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from kuulas import access
from kuulas.errors import ValidationFailed
from kuulas.sanitize import plain_text
from kuulas.extensions import db

from . import events, lifecycle, rules
from .common import _log, get_round, require_state
from .models import CLOSED, DRAFT, LOCALES, OPEN, POST, PRE, IdeaRound

def _clean_texts(values: dict | None, limit: int) -> dict:
    return {loc: plain_text((values or {}).get(loc), limit) for loc in LOCALES
            if plain_text((values or {}).get(loc), limit)}


def _validate_round(data: dict, now: datetime, *, existing: IdeaRound | None = None) -> dict:
    errors = []
    title = _clean_texts(data.get("title"), 200)
    question = _clean_texts(data.get("question"), 1000)
    background = _clean_texts(data.get("background"), 10000)
    for loc, label in (("fi", _l("Finnish")), ("sv", _l("Swedish"))):
        if loc not in title or loc not in question:
            errors.append(str(_l("The title and the question are needed in %(lang)s.", lang=label)))
    opens_at, closes_at = data.get("opens_at"), data.get("closes_at")
    if not isinstance(opens_at, datetime) or not isinstance(closes_at, datetime):
        errors.append(str(_l("Give both the opening and the closing time.")))
    elif closes_at <= opens_at:
        errors.append(str(_l("The closing time must be after the opening time.")))
    elif closes_at <= now and (existing is None or existing.state != CLOSED):
        errors.append(str(_l("The closing time must be in the future.")))
    moderation = data.get("moderation", POST)
    if moderation not in (PRE, POST):
        errors.append(str(_l("Choose pre- or post-moderation.")))
    try:
        max_length = int(data.get("max_length") or 500)
    except (TypeError, ValueError):
        max_length = -1
    if not 50 <= max_length <= 5000:
        errors.append(str(_l("The maximum idea length must be between 50 and 5000 characters.")))
    subthemes = []
    for item in data.get("subthemes") or []:
        cleaned = _clean_texts(item, 120)
        if cleaned:
            subthemes.append(cleaned)
    if len(subthemes) > 12:
        errors.append(str(_l("At most 12 sub-themes.")))
    if errors:
        raise ValidationFailed(" ".join(errors))
    return dict(title=title, question=question, background=background, subthemes=subthemes,
                plain_summary=plain_text(data.get("plain_summary"), 10000),
                opens_at=opens_at, closes_at=closes_at, moderation=moderation,
                comments_enabled=bool(data.get("comments_enabled", True)), max_length=max_length)


def create_round(data: dict, *, actor, now: datetime, publish: bool = False) -> IdeaRound:
    access.require(actor, rules.MANAGE, None, now)
    values = _validate_round(data, now)
    state = lifecycle.after(DRAFT, lifecycle.PUBLISH) if publish else DRAFT
    round_ = IdeaRound(state=state, created_at=now, **values)
    db.session.add(round_)
    db.session.flush()
    _log(round_.id, actor, "create", now=now)
    advance_rounds(now)
    db.session.flush()
    return round_


def update_round(round_id: int, data: dict, *, actor, now: datetime, publish: bool | None = None) -> IdeaRound:
    access.require(actor, rules.MANAGE, None, now)
    round_ = get_round(round_id)
    require_state(round_, lifecycle.EDIT_ROUND)
    values = _validate_round(data, now, existing=round_)
    for key, value in values.items():
        setattr(round_, key, value)
    event = {True: lifecycle.PUBLISH, False: lifecycle.UNPUBLISH}.get(publish)
    if event is not None and lifecycle.after(round_.state, event) is not None:
        round_.state = lifecycle.after(round_.state, event)
    _log(round_.id, actor, "edit", now=now)
    db.session.flush()
    advance_rounds(now)
    db.session.flush()   # the caller commits (form_page: with the submission key)
    return round_


def close_now(round_id: int, *, actor, now: datetime) -> IdeaRound:
    access.require(actor, rules.MANAGE, None, now)
    round_ = get_round(round_id)
    if (round_.state, lifecycle.CLOSE) in lifecycle.ALREADY_DONE:
        return round_
    require_state(round_, lifecycle.CLOSE)
    round_.closes_at = min(round_.closes_at, now)
    if round_.opens_at > now:
        round_.opens_at = now
    _log(round_.id, actor, "close", now=now)
    db.session.flush()
    advance_rounds(now)
    db.session.flush()
    return round_


def advance_rounds(now: datetime) -> dict:
    """Open and close rounds whose time has come.  Guarded UPDATEs: running twice, or in two
    processes at once, changes nothing the second time.  Returns the ids that changed."""
    to_open = list(db.session.scalars(select(IdeaRound.id).where(
        IdeaRound.state.in_(lifecycle.OPENS_BY_CLOCK), IdeaRound.opens_at <= now, IdeaRound.closes_at > now)))
    opened = []
    for rid in to_open:
        if db.session.execute(update(IdeaRound).where(IdeaRound.id == rid, IdeaRound.state.in_(lifecycle.OPENS_BY_CLOCK))
                              .values(state=OPEN, opened_at=now)).rowcount:
            opened.append(rid)
    to_close = list(db.session.scalars(select(IdeaRound.id).where(
        IdeaRound.state.in_(lifecycle.CLOSES_BY_CLOCK), IdeaRound.closes_at <= now)))
    closed = []
    for rid in to_close:
        if db.session.execute(update(IdeaRound).where(IdeaRound.id == rid, IdeaRound.state.in_(lifecycle.CLOSES_BY_CLOCK))
                              .values(state=CLOSED, closed_at=now)).rowcount:
            closed.append(rid)
    from deliberation.follow import changes   # followers hear of it in their weekly digest

    for rid in opened:
        changes.record("ideas", rid, "opened", now=now)
    for rid in closed:
        changes.record("ideas", rid, "closed", now=now)
        events.round_closed(rid)   # open pages hear of it once the caller commits
    db.session.expire_all()
    return {"opened": opened, "closed": closed}


def rounds(states=None) -> list[IdeaRound]:
    query = select(IdeaRound).order_by(IdeaRound.opens_at.desc(), IdeaRound.id.desc())
    if states:
        query = query.where(IdeaRound.state.in_(states))
    return list(db.session.scalars(query))
