"""Idea-round services: one function per intent, for views, jobs, the CLI and the demo.

Plain Python: never touches ``request``, ``g``, ``current_user`` or ``emit``.  Participants
are ``Participant`` values (round id + keyed hash; the raw token never gets this far).
Every write checks the round's own clock (``closes_at``) through ``rules.PARTICIPATE``,
validates everything first and then writes in one transaction, and before that transaction
ends checks again, under a lock on the round row, that the round is still open
(``_still_open``): a vote, idea or comment in flight when the round closes is either in
before the close or refused.  Counts come from COUNT(*) over the vote table, whose primary
key is (idea, voter hash).

Creating services (``create_round``, ``post_idea``, ``post_comment``, ``flag``,
``request_notification``) flush but do not commit: the caller (a view through
``kuulas.web.attempt(..., once=True)``, a job, the demo) owns the transaction, so an
idempotency key recorded by the caller lands in the same transaction.

Ideas and comments are looked up by their random ``public_id`` (a string, from URLs,
forms and JSON) or, for internal callers, by their integer key.  "Not there" and "not
yours / not published" give the same ``NotFound``: no existence oracle.
"""
from __future__ import annotations

import random
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import lazyload

from kuulas import access
from kuulas.errors import Conflict, NotFound, ValidationFailed
from kuulas.extensions import db
from kuulas.sanitize import plain_text

from . import rules, tally
from .anonymity import round_down
from .models import (CLOSED, DRAFT, HIDDEN, LOCALES, OPEN, PENDING, POST, PRE, SCHEDULED,
                     VISIBLE, WITHDRAWN, Idea, IdeaComment, IdeaCountSnapshot, IdeaFlag,
                     IdeaModerationLog, IdeaNotifyRequest, IdeaRound, IdeaTag, IdeaVote)

MIN_IDEA = 3
MAX_COMMENT = 1000
MAX_REASON = 300
MAX_TAG = 60
FLAG_REASONS = {
    "offensive": _l("Offensive or discriminatory"),
    "personal": _l("Reveals personal details"),
    "spam": _l("Spam or advertising"),
    "off_topic": _l("Off topic"),
    "other": _l("Something else"),
}
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_PUBLIC_ID = re.compile(r"^[A-Za-z0-9]{12}$")
NO_IDEA = _l("No such idea.")
NO_COMMENT = _l("No such comment.")


@dataclass(frozen=True)
class Participant:
    round_id: int
    hash: str


# --- rounds -------------------------------------------------------------------------------

def valid_public_id(value) -> bool:
    return isinstance(value, str) and bool(_PUBLIC_ID.match(value))


def _find(model, ref):
    """An idea or comment by public id (str) or internal key (int), else None.  Anything
    else (floats, huge numbers, nested data) is simply "not there"."""
    if isinstance(ref, bool):
        return None
    if isinstance(ref, int):
        return db.session.get(model, ref) if 0 < ref <= 2**31 - 1 else None
    if valid_public_id(ref):
        # Relationships (an idea's tags) load when used, not with every vote's lookup.
        return db.session.scalar(select(model).where(model.public_id == ref).options(lazyload("*")))
    return None


def find_idea(ref) -> Idea | None:
    return _find(Idea, ref)


def find_comment(ref) -> IdeaComment | None:
    return _find(IdeaComment, ref)


def get_round(round_id: int) -> IdeaRound:
    ok = isinstance(round_id, int) and not isinstance(round_id, bool) and 0 < round_id <= 2**31 - 1
    round_ = db.session.get(IdeaRound, round_id) if ok else None
    if round_ is None:
        raise NotFound(_l("No such idea round."))
    return round_


def visible_round(round_id: int, *, actor, now) -> IdeaRound:
    ok = isinstance(round_id, int) and 0 < round_id <= 2**31 - 1
    round_ = db.session.get(IdeaRound, round_id) if ok else None
    decision = access.can(actor, rules.VIEW, round_, now)
    if not decision:
        raise NotFound(decision.reason)
    return round_


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
    round_ = IdeaRound(state=SCHEDULED if publish else DRAFT, created_at=now, **values)
    db.session.add(round_)
    db.session.flush()
    _log(round_.id, actor, "create", now=now)
    advance_rounds(now)
    db.session.flush()
    return round_


def update_round(round_id: int, data: dict, *, actor, now: datetime, publish: bool | None = None) -> IdeaRound:
    access.require(actor, rules.MANAGE, None, now)
    round_ = get_round(round_id)
    if round_.state == CLOSED:
        raise Conflict(_l("A closed round can no longer be changed."))
    values = _validate_round(data, now, existing=round_)
    for key, value in values.items():
        setattr(round_, key, value)
    if publish is True and round_.state == DRAFT:
        round_.state = SCHEDULED
    elif publish is False and round_.state == SCHEDULED:
        round_.state = DRAFT
    _log(round_.id, actor, "edit", now=now)
    db.session.flush()
    advance_rounds(now)
    db.session.flush()   # the caller commits (form_page: with the submission key)
    return round_


def close_now(round_id: int, *, actor, now: datetime) -> IdeaRound:
    access.require(actor, rules.MANAGE, None, now)
    round_ = get_round(round_id)
    if round_.state == CLOSED:
        return round_
    round_.closes_at = min(round_.closes_at, now)
    if round_.opens_at > now:
        round_.opens_at = now
    _log(round_.id, actor, "close", now=now)
    db.session.flush()
    advance_rounds(now)
    db.session.commit()
    return round_


def advance_rounds(now: datetime) -> dict:
    """Open and close rounds whose time has come.  Guarded UPDATEs: running twice, or in two
    processes at once, changes nothing the second time.  Returns the ids that changed."""
    to_open = list(db.session.scalars(select(IdeaRound.id).where(
        IdeaRound.state == SCHEDULED, IdeaRound.opens_at <= now, IdeaRound.closes_at > now)))
    opened = []
    for rid in to_open:
        if db.session.execute(update(IdeaRound).where(IdeaRound.id == rid, IdeaRound.state == SCHEDULED)
                              .values(state=OPEN, opened_at=now)).rowcount:
            opened.append(rid)
    to_close = list(db.session.scalars(select(IdeaRound.id).where(
        IdeaRound.state.in_((SCHEDULED, OPEN)), IdeaRound.closes_at <= now)))
    closed = []
    for rid in to_close:
        if db.session.execute(update(IdeaRound).where(IdeaRound.id == rid, IdeaRound.state.in_((SCHEDULED, OPEN)))
                              .values(state=CLOSED, closed_at=now)).rowcount:
            closed.append(rid)
    from deliberation.follow import changes   # followers hear of it in their weekly digest

    for rid in opened:
        changes.record("ideas", rid, "opened", now=now)
    for rid in closed:
        changes.record("ideas", rid, "closed", now=now)
    db.session.expire_all()
    return {"opened": opened, "closed": closed}


def rounds(states=None) -> list[IdeaRound]:
    query = select(IdeaRound).order_by(IdeaRound.opens_at.desc(), IdeaRound.id.desc())
    if states:
        query = query.where(IdeaRound.state.in_(states))
    return list(db.session.scalars(query))


def _log(round_id, actor, action, *, now, idea_id=None, comment_id=None, reason=""):
    db.session.add(IdeaModerationLog(round_id=round_id, actor_id=getattr(actor, "id", None), action=action,
                                     idea_id=idea_id, comment_id=comment_id, reason=reason[:500], at=now))


# --- taking part --------------------------------------------------------------------------

ROUND_CLOSED = _l("The round has closed, so nothing more can be added or changed. Thank you for taking part!")


def _open_round(participant: Participant | None, round_id: int, now: datetime) -> IdeaRound:
    round_ = get_round(round_id)
    access.require(participant, rules.PARTICIPATE, round_, now)
    if participant.round_id != round_.id:
        raise ValidationFailed(_l("Your participation key belongs to another round. Reload the page."))
    return round_


def _still_open(round_id: int, now: datetime) -> None:
    """Call after the write, before the transaction ends: is the round still open?

    The close (``close_now``, ``advance_rounds``) is an UPDATE of the round row.  On
    PostgreSQL this read takes a share lock on that row, so it waits for a close in
    progress and then sees it, and a close that comes later waits until this transaction
    has ended.  On SQLite the write before this read already holds the database's single
    write lock, so no close can commit in between.  Either way a write is in before the
    close or refused, never stored after it."""
    row = db.session.execute(select(IdeaRound.state, IdeaRound.opens_at, IdeaRound.closes_at)
                             .where(IdeaRound.id == round_id).with_for_update(read=True)).one_or_none()
    if row is None or row.state != OPEN or not (row.opens_at <= now < row.closes_at):
        raise Conflict(ROUND_CLOSED)


def _text(text: str | None, *, limit: int, what) -> str:
    raw = text or ""
    value = plain_text(raw)
    if len(value) < MIN_IDEA:
        raise ValidationFailed(_l("%(what)s is empty or too short.", what=what))
    if len(value) > limit:
        raise ValidationFailed(_l("%(what)s is too long: %(n)s characters, at most %(max)s.",
                                  what=what, n=len(value), max=limit))
    return value


def post_idea(round_id: int, participant: Participant | None, text: str | None, *, now: datetime,
              subtheme: int | None = None) -> Idea:
    """Flushes, does not commit (the caller owns the transaction)."""
    round_ = _open_round(participant, round_id, now)
    value = _text(text, limit=round_.max_length, what=_l("The idea"))
    if subtheme is not None and not (0 <= subtheme < len(round_.subthemes or [])):
        raise ValidationFailed(_l("Choose one of the sub-themes."))
    idea = Idea(round_id=round_.id, author_hash=participant.hash, text=value, subtheme=subtheme,
                status=PENDING if round_.moderation == PRE else VISIBLE,
                created_at=round_down(now))
    db.session.add(idea)
    db.session.flush()
    _still_open(round_.id, now)
    return idea


def _own_idea(idea_ref, participant: Participant | None, now: datetime) -> tuple[IdeaRound, Idea]:
    idea = find_idea(idea_ref)
    # Not there, withdrawn, another round's, or someone else's: the same answer.
    if idea is None or idea.status == WITHDRAWN or participant is None or idea.round_id != participant.round_id:
        raise NotFound(NO_IDEA)
    round_ = _open_round(participant, idea.round_id, now)
    if idea.author_hash != participant.hash:
        raise NotFound(NO_IDEA)
    return round_, idea


def edit_idea(idea_ref, participant: Participant | None, text: str | None, *, now: datetime) -> Idea:
    round_, idea = _own_idea(idea_ref, participant, now)
    if idea.status == HIDDEN:
        raise Conflict(_l("A moderator has removed this idea, so it cannot be edited."))
    value = _text(text, limit=round_.max_length, what=_l("The idea"))
    if value != idea.text:
        idea.text = value
        idea.edited = True
        if round_.moderation == PRE:
            idea.status = PENDING
    db.session.flush()
    _still_open(round_.id, now)
    db.session.commit()
    return idea


def withdraw_idea(idea_ref, participant: Participant | None, *, now: datetime) -> Idea:
    round_, idea = _own_idea(idea_ref, participant, now)
    idea.status = WITHDRAWN
    idea.text = ""
    db.session.execute(delete(IdeaFlag).where(IdeaFlag.idea_id == idea.id))
    db.session.flush()
    _still_open(round_.id, now)
    db.session.commit()
    return idea


def _votable_idea(idea_ref, participant, now) -> Idea:
    idea = find_idea(idea_ref)
    # Pending (unpublished) and withdrawn ideas are "not there" to everyone who votes.
    if idea is None or idea.status in (PENDING, WITHDRAWN) or (participant and idea.round_id != participant.round_id):
        raise NotFound(NO_IDEA)
    _open_round(participant, idea.round_id, now)
    if idea.status == HIDDEN:
        raise Conflict(_l("A moderator has removed this idea, so it cannot be voted on."))
    if idea.status != VISIBLE:
        raise NotFound(NO_IDEA)
    return idea


def vote(idea_ref, participant: Participant | None, value: int, *, now: datetime) -> str:
    """Agree (1), disagree (-1) or pass (0).  Voting again changes the vote; a second
    identical request (double click, parallel requests) leaves exactly one row.  Returns
    the idea's public id.  Commits (a vote is an idempotent upsert of its own)."""
    public_id, _dealt = vote_and_deal(idea_ref, participant, value, now=now, deal=False)
    return public_id


class Dealt(NamedTuple):
    """The next idea offered after a vote: only what the answer shows."""
    public_id: str
    text: str


def vote_and_deal(idea_ref, participant: Participant | None, value: int, *, now: datetime,
                  deal: bool = True, rng: random.Random | None = None) -> tuple[str, Dealt | None]:
    """``vote`` and, in the same transaction, deal the next idea (the vote just cast is
    already excluded): (public id of the voted idea, next idea or None).  Commits."""
    if isinstance(value, bool) or value not in (-1, 0, 1):
        raise ValidationFailed(_l("Choose agree, disagree or pass."))
    idea = _votable_idea(idea_ref, participant, now)
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy import text
        from sqlalchemy.dialects.postgresql import insert

        # A vote does not wait for its WAL flush (the disk sync was the whole of a vote's
        # time under load).  Only a crash of the database server itself can lose the last
        # fraction of a second of votes, never half of one; the participant can vote again.
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    else:
        from sqlalchemy.dialects.sqlite import insert
    round_id, public_id = idea.round_id, idea.public_id  # read before the commit expires them
    stmt = insert(IdeaVote).values(idea_id=idea.id, voter_hash=participant.hash, round_id=round_id,
                                   value=value)
    stmt = stmt.on_conflict_do_update(index_elements=["idea_id", "voter_hash"], set_={"value": value})
    db.session.execute(stmt)
    _still_open(round_id, now)
    dealt = None
    if deal:
        chosen = tally.deal(_candidates(round_id, participant), rng or random.Random())
        if chosen is not None:
            row = db.session.execute(select(Idea.public_id, Idea.text).where(Idea.id == chosen)).one()
            dealt = Dealt(row.public_id, row.text)
    db.session.commit()
    return public_id, dealt


def post_comment(idea_ref, participant: Participant | None, text: str | None, *, now: datetime) -> IdeaComment:
    """Flushes, does not commit (the caller owns the transaction)."""
    idea = find_idea(idea_ref)
    # Only a public idea takes comments; any other (pending, removed, withdrawn, missing,
    # another round's) is "not there", so the answer tells nothing about unpublished ideas.
    if idea is None or idea.status != VISIBLE or (participant and idea.round_id != participant.round_id):
        raise NotFound(NO_IDEA)
    round_ = _open_round(participant, idea.round_id, now)
    if not round_.comments_enabled:
        raise Conflict(_l("Comments are not in use in this round."))
    value = _text(text, limit=MAX_COMMENT, what=_l("The comment"))
    comment = IdeaComment(idea_id=idea.id, round_id=round_.id, author_hash=participant.hash, text=value,
                          status=PENDING if round_.moderation == PRE else VISIBLE, created_at=round_down(now))
    db.session.add(comment)
    db.session.flush()
    _still_open(round_.id, now)
    return comment


def _own_comment(comment_ref, participant, now) -> tuple[IdeaRound, IdeaComment]:
    comment = find_comment(comment_ref)
    if (comment is None or comment.status == WITHDRAWN or participant is None
            or comment.round_id != participant.round_id):
        raise NotFound(NO_COMMENT)
    round_ = _open_round(participant, comment.round_id, now)
    if comment.author_hash != participant.hash:
        raise NotFound(NO_COMMENT)
    return round_, comment


def edit_comment(comment_ref, participant, text, *, now: datetime) -> IdeaComment:
    round_, comment = _own_comment(comment_ref, participant, now)
    if comment.status == HIDDEN:
        raise Conflict(_l("A moderator has removed this comment, so it cannot be edited."))
    value = _text(text, limit=MAX_COMMENT, what=_l("The comment"))
    if value != comment.text:
        comment.text, comment.edited = value, True
        if round_.moderation == PRE:
            comment.status = PENDING
    db.session.flush()
    _still_open(round_.id, now)
    db.session.commit()
    return comment


def withdraw_comment(comment_ref, participant, *, now: datetime) -> IdeaComment:
    round_, comment = _own_comment(comment_ref, participant, now)
    comment.status, comment.text = WITHDRAWN, ""
    db.session.execute(delete(IdeaFlag).where(IdeaFlag.comment_id == comment.id))
    db.session.flush()
    _still_open(round_.id, now)
    db.session.commit()
    return comment


def _insert_ignoring_duplicate(model, values: dict, index_elements: list[str]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING: True if a row was added.  A parallel duplicate
    is met at the unique key and is simply "already there", never an error."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(model).values(**values).on_conflict_do_nothing(index_elements=index_elements)
    return bool(db.session.execute(stmt).rowcount)


def flag(idea_ref, participant, reason: str, detail: str | None, *, now: datetime,
         comment_ref=None) -> bool:
    """Returns False if this participant had already flagged the item (nothing added).
    Flushes, does not commit."""
    if reason not in FLAG_REASONS:
        raise ValidationFailed(_l("Choose a reason for the report."))
    idea = find_idea(idea_ref)
    if idea is None or idea.status != VISIBLE or (participant and idea.round_id != participant.round_id):
        raise NotFound(NO_IDEA)
    _open_round(participant, idea.round_id, now)
    comment_id = None
    if comment_ref is not None:
        comment = find_comment(comment_ref)
        if comment is None or comment.idea_id != idea.id or comment.status != VISIBLE:
            raise NotFound(NO_COMMENT)
        comment_id = comment.id
    detail = plain_text(detail, MAX_REASON)
    exists = db.session.scalar(select(IdeaFlag.id).where(
        IdeaFlag.flagger_hash == participant.hash, IdeaFlag.idea_id == idea.id,
        IdeaFlag.comment_id.is_(None) if comment_id is None else IdeaFlag.comment_id == comment_id))
    if exists:
        return False
    added = _insert_ignoring_duplicate(IdeaFlag, dict(
        round_id=idea.round_id, idea_id=idea.id, comment_id=comment_id, flagger_hash=participant.hash,
        reason=reason, detail=detail, created_at=round_down(now), resolved=False),
        ["flagger_hash", "idea_id", "comment_id"])
    if added:
        _still_open(idea.round_id, now)
    return added


def request_notification(round_id: int, email: str | None, locale: str, *, now: datetime) -> bool:
    """Remember an address to tell about the outcome: no link to anything else.  Returns
    False when the address was already on the list (in any letter case).  Flushes, does
    not commit."""
    round_ = get_round(round_id)
    if round_.state == DRAFT:
        raise NotFound(_l("No such idea round."))
    value = (email or "").strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValidationFailed(_l("Enter an e-mail address such as name@example.fi."))
    exists = db.session.scalar(select(IdeaNotifyRequest.id).where(
        IdeaNotifyRequest.round_id == round_.id, func.lower(IdeaNotifyRequest.email) == value.lower()))
    if exists:
        return False
    return _insert_ignoring_duplicate(IdeaNotifyRequest, dict(
        id=secrets.token_hex(16), round_id=round_.id, email=value,
        locale=locale if locale in LOCALES else "fi"), ["round_id", "email"])


# --- moderation -----------------------------------------------------------------------------

def _staff_item(kind: str, item_ref):
    model = Idea if kind == "idea" else IdeaComment
    item = _find(model, item_ref)
    if item is None or item.status == WITHDRAWN:
        raise NotFound(_l("No such idea.") if kind == "idea" else _l("No such comment."))
    return item


def moderate(kind: str, item_ref, action: str, *, actor, now: datetime, reason: str | None = None):
    """``action``: approve, hide (needs a public reason), restore, dismiss (flags only)."""
    access.require(actor, rules.MODERATE, None, now)
    if kind not in ("idea", "comment") or action not in ("approve", "hide", "restore", "dismiss"):
        raise ValidationFailed(_l("Unknown moderation action."))
    item = _staff_item(kind, item_ref)
    reason = plain_text(reason, MAX_REASON)
    if action == "hide":
        if len(reason) < 3:
            raise ValidationFailed(_l("Give a public reason for removing it."))
        item.status, item.hidden_reason = HIDDEN, reason
    elif action in ("approve", "restore"):
        if action == "approve" and item.status != PENDING:
            raise Conflict(_l("This has already been handled."))
        item.status, item.hidden_reason = VISIBLE, None
    flag_filter = (IdeaFlag.idea_id == item.id, IdeaFlag.comment_id.is_(None)) if kind == "idea" \
        else (IdeaFlag.comment_id == item.id,)
    db.session.execute(update(IdeaFlag).where(*flag_filter).values(resolved=True))
    _log(item.round_id, actor, f"{kind}:{action}", now=now, reason=reason,
         idea_id=item.id if kind == "idea" else item.idea_id,
         comment_id=item.id if kind == "comment" else None)
    db.session.commit()
    return item


def set_tags(idea_ref, names: list[str], *, actor, now: datetime) -> Idea:
    access.require(actor, rules.MODERATE, None, now)
    idea = _staff_item("idea", idea_ref)
    cleaned = []
    for name in names:
        value = plain_text(name, MAX_TAG)
        if value and value.lower() not in {c.lower() for c in cleaned}:
            cleaned.append(value)
    if len(cleaned) > 10:
        raise ValidationFailed(_l("At most 10 themes per idea."))
    idea.tags = [IdeaTag(name=n) for n in cleaned]
    _log(idea.round_id, actor, "idea:tags", now=now, idea_id=idea.id, reason=", ".join(cleaned))
    db.session.commit()
    return idea


def queue(round_id: int, *, actor, now: datetime) -> dict:
    """What needs a moderator: pending items and open flags.  No author data at all."""
    access.require(actor, rules.MODERATE, None, now)
    pending_ideas = list(db.session.scalars(select(Idea).where(
        Idea.round_id == round_id, Idea.status == PENDING).order_by(Idea.public_id)))
    pending_comments = list(db.session.scalars(select(IdeaComment).where(
        IdeaComment.round_id == round_id, IdeaComment.status == PENDING).order_by(IdeaComment.public_id)))
    flags = db.session.execute(select(IdeaFlag.idea_id, IdeaFlag.comment_id, IdeaFlag.reason, IdeaFlag.detail)
                               .where(IdeaFlag.round_id == round_id, IdeaFlag.resolved.is_(False))
                               .order_by(IdeaFlag.idea_id, IdeaFlag.comment_id)).all()
    flagged: dict[tuple, dict] = {}
    for idea_id, comment_id, reason, detail in flags:
        entry = flagged.setdefault((idea_id, comment_id), {"idea_id": idea_id, "comment_id": comment_id,
                                                            "reasons": [], "details": []})
        entry["reasons"].append(reason)
        if detail:
            entry["details"].append(detail)
    items = []
    for entry in flagged.values():
        idea = db.session.get(Idea, entry["idea_id"])
        comment = db.session.get(IdeaComment, entry["comment_id"]) if entry["comment_id"] else None
        if idea is None or idea.status == WITHDRAWN or (comment is not None and comment.status == WITHDRAWN):
            continue
        items.append({**entry, "idea": idea, "comment": comment})
    return {"pending_ideas": pending_ideas, "pending_comments": pending_comments, "flagged": items}


# --- reading ----------------------------------------------------------------------------------

def idea_counts(idea_id: int) -> tally.Counts:
    rows = db.session.execute(select(IdeaVote.value, func.count()).where(IdeaVote.idea_id == idea_id)
                              .group_by(IdeaVote.value)).all()
    got = {v: n for v, n in rows}
    return tally.Counts(got.get(1, 0), got.get(-1, 0), got.get(0, 0))


def round_counts(round_id: int) -> dict[int, tally.Counts]:
    rows = db.session.execute(select(IdeaVote.idea_id, IdeaVote.value, func.count())
                              .where(IdeaVote.round_id == round_id)
                              .group_by(IdeaVote.idea_id, IdeaVote.value)).all()
    acc: dict[int, list[int]] = {}
    for idea_id, value, n in rows:
        slot = acc.setdefault(idea_id, [0, 0, 0])
        slot[0 if value == 1 else 1 if value == -1 else 2] += n
    return {i: tally.Counts(*v) for i, v in acc.items()}


def comment_counts(round_id: int) -> dict[int, int]:
    rows = db.session.execute(select(IdeaComment.idea_id, func.count()).where(
        IdeaComment.round_id == round_id, IdeaComment.status == VISIBLE).group_by(IdeaComment.idea_id)).all()
    return dict(rows)


def public_ideas(round_id: int, participant: Participant | None) -> list[Idea]:
    """Visible ideas, hidden ones (shown as removed, with the reason), and the participant's
    own pending ones."""
    cond = Idea.status.in_((VISIBLE, HIDDEN))
    if participant is not None:
        cond = or_(cond, and_(Idea.status == PENDING, Idea.author_hash == participant.hash))
    return list(db.session.scalars(select(Idea).where(Idea.round_id == round_id, cond).order_by(Idea.public_id)))


def idea_index(round_id: int, participant: Participant | None) -> list[tuple[int, str, bool, str]]:
    """Light rows (id, status, mine, public id) of the ideas this participant may see, in
    public-id order (random, not posting order): the round page orders and pages these and
    loads full rows only for the page shown."""
    cond = Idea.status.in_((VISIBLE, HIDDEN))
    if participant is not None:
        cond = or_(cond, and_(Idea.status == PENDING, Idea.author_hash == participant.hash))
    own = participant.hash if participant else None
    return [(i, st, a == own, pid) for i, st, a, pid in db.session.execute(
        select(Idea.id, Idea.status, Idea.author_hash, Idea.public_id)
        .where(Idea.round_id == round_id, cond).order_by(Idea.public_id))]


def ideas_by_id(ids: list[int]) -> list[Idea]:
    found = {i.id: i for i in db.session.scalars(select(Idea).where(Idea.id.in_(ids)))} if ids else {}
    return [found[i] for i in ids if i in found]


def my_votes(participant: Participant | None) -> dict[int, int]:
    if participant is None:
        return {}
    return dict(db.session.execute(select(IdeaVote.idea_id, IdeaVote.value).where(
        IdeaVote.round_id == participant.round_id, IdeaVote.voter_hash == participant.hash)).all())


def next_idea(round_id: int, participant: Participant | None, *, counts=None, voted=None,
              rng: random.Random | None = None, index=None) -> Idea | None:
    """Deal the next idea to vote on (see ``tally.deal``).  The round page passes what it has
    already loaded; the vote request passes nothing and gets one query for the candidates.
    Dealing weighs by the published count snapshot (``deal_counts``): one row, not a count
    over every vote of the round on each vote; it is at most a minute behind, which is
    plenty for spreading votes over the ideas."""
    if counts is None and voted is None and index is None:
        chosen = tally.deal(_candidates(round_id, participant), rng or random.Random())
        return db.session.get(Idea, chosen) if chosen is not None else None
    counts = deal_counts(round_id) if counts is None else counts
    voted = my_votes(participant) if voted is None else voted
    index = idea_index(round_id, participant) if index is None else index
    candidates = [(i, counts.get(i, 0)) for i, status, mine, _pid in index
                  if status == VISIBLE and i not in voted and not mine]
    chosen = tally.deal(candidates, rng or random.Random())
    return db.session.get(Idea, chosen) if chosen is not None else None


def deal_counts(round_id: int) -> dict[int, int]:
    """{idea id: votes so far} as the dealer sees them: the totals of the count snapshot."""
    snap = db.session.get(IdeaCountSnapshot, round_id)
    if snap is None:
        return {}
    return {int(k): _as_counts(v).total for k, v in (snap.counts or {}).items()}


def _candidates(round_id: int, participant: Participant | None) -> list[tuple[int, int]]:
    """(idea id, votes so far) of the visible ideas this participant did not write and has
    not voted on: one query for the ideas, one row for the counts."""
    query = (select(Idea.id).where(Idea.round_id == round_id, Idea.status == VISIBLE).order_by(Idea.public_id))
    if participant is not None:
        # NOT EXISTS, not NOT IN: an anti-join on the vote's primary key in every plan,
        # including the generic plan a prepared statement gets after a few runs.
        voted = select(IdeaVote.idea_id).where(IdeaVote.idea_id == Idea.id, IdeaVote.voter_hash == participant.hash)
        query = query.where(Idea.author_hash != participant.hash, ~voted.exists())
    counts = deal_counts(round_id)
    return [(i, counts.get(i, 0)) for i in db.session.scalars(query)]


def comments_of(idea_id: int, participant: Participant | None) -> list[IdeaComment]:
    cond = IdeaComment.status.in_((VISIBLE, HIDDEN))
    if participant is not None:
        cond = or_(cond, and_(IdeaComment.status == PENDING, IdeaComment.author_hash == participant.hash))
    # Public-id order (random but stable): never posting order.
    return list(db.session.scalars(select(IdeaComment).where(IdeaComment.idea_id == idea_id, cond)
                                   .order_by(IdeaComment.public_id)))


def participant_count(round_id: int) -> int:
    """Distinct participants who voted, wrote or commented (by keyed hash, inside the DB)."""
    voters = select(IdeaVote.voter_hash.label("h")).where(IdeaVote.round_id == round_id)
    authors = select(Idea.author_hash.label("h")).where(Idea.round_id == round_id, Idea.status != WITHDRAWN)
    commenters = select(IdeaComment.author_hash.label("h")).where(IdeaComment.round_id == round_id,
                                                                  IdeaComment.status != WITHDRAWN)
    union = voters.union(authors, commenters).subquery()
    return int(db.session.scalar(select(func.count()).select_from(union)) or 0)


# --- counts everyone sees -----------------------------------------------------------------
#
# While a round is open, every public reading of the vote counts (round page, idea page,
# ideas.json, the vote response, the live stream, the staff round page) shows a snapshot
# that ``publish_counts`` (a scheduled job, one process) refreshes at most every few
# seconds, and only once at least ``HOLD_VOTES`` vote changes have piled up or the oldest
# unpublished change is ``HOLD_MAX`` old.  So nobody can watch a single vote arrive: a batch
# mixes several votes, and a lone vote on a quiet round appears only together with whatever
# else happened within a minute (and never at a moment tied to a click).  A closed round
# shows its final counts.

HOLD_VOTES = 3
HOLD_MAX_SECONDS = 60


def _as_counts(value) -> tally.Counts:
    a, d, p = (list(value) + [0, 0, 0])[:3]
    return tally.Counts(int(a), int(d), int(p))


def shown_counts(round_: IdeaRound) -> dict[int, tally.Counts]:
    """The counts to show anyone for this round (see above)."""
    if round_.state == CLOSED:
        return round_counts(round_.id)
    snap = db.session.get(IdeaCountSnapshot, round_.id)
    if snap is None:
        return {}
    return {int(k): _as_counts(v) for k, v in (snap.counts or {}).items()}


def shown_idea_counts(idea: Idea) -> tally.Counts:
    return shown_counts(idea.round).get(idea.id, tally.Counts())


def _changes(old: dict[int, tally.Counts], new: dict[int, tally.Counts]) -> int:
    """How many vote changes separate two count tables (a new vote 1, a changed vote 2)."""
    empty = tally.Counts()
    total = 0
    for i in set(old) | set(new):
        a, b = old.get(i, empty), new.get(i, empty)
        total += abs(a.agree - b.agree) + abs(a.disagree - b.disagree) + abs(a.pass_ - b.pass_)
    return total


def publish_counts(now: datetime, *, hold_votes: int = HOLD_VOTES,
                   hold_max_seconds: int = HOLD_MAX_SECONDS) -> dict[int, dict[int, tally.Counts]]:
    """Refresh the shown snapshot of each open round where enough has changed.  Returns
    {round id: {idea id: counts}} of the ideas whose shown totals changed (the caller
    broadcasts them after the commit).  Idempotent: a second run finds nothing new."""
    from datetime import timedelta

    out: dict[int, dict[int, tally.Counts]] = {}
    for round_id in list(db.session.scalars(select(IdeaRound.id).where(IdeaRound.state == OPEN))):
        live = round_counts(round_id)
        snap = db.session.get(IdeaCountSnapshot, round_id)
        if snap is None:
            snap = IdeaCountSnapshot(round_id=round_id, counts={}, published_at=None, pending_since=None)
            db.session.add(snap)
        old = {int(k): _as_counts(v) for k, v in (snap.counts or {}).items()}
        changes = _changes(old, live)
        if changes == 0:
            snap.pending_since = None
            continue
        if snap.pending_since is None:
            snap.pending_since = now
        if changes < hold_votes and now - snap.pending_since < timedelta(seconds=hold_max_seconds):
            continue   # too few to hide a single vote among: hold back a while
        empty = tally.Counts()
        out[round_id] = {i: live.get(i, empty) for i in set(old) | set(live) if old.get(i, empty) != live.get(i, empty)}
        snap.counts = {str(i): [c.agree, c.disagree, c.pass_] for i, c in live.items()}
        snap.published_at, snap.pending_since = now, None
    db.session.flush()
    return out
