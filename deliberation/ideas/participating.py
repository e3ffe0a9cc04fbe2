"""Taking part in an idea round: ideas, comments, votes (and dealing the next idea),
reports, and leaving an address to hear of the outcome.

Every write checks the round's own clock (``closes_at``) through ``rules.PARTICIPATE``
(the state through ``lifecycle``), validates everything first and then writes, and before
the transaction ends checks again, under a lock on the round row, that the round is still
open (``_still_open``): a vote, idea or comment in flight when the round closes is either
in before the close or refused.  Counts come from COUNT(*) over the vote table, whose
primary key is (idea, voter hash).

Never commits: the caller (a view through ``kuulas.web.attempt``, a job, the demo) owns
the transaction, so an idempotency key recorded by the caller lands in the same
transaction, and the broadcasts declared here (``events``) go out only after its commit.
A participant's ``round_id`` is the round named in the URL: an item of another round is
"not there".
"""
from __future__ import annotations

import random
import re
import secrets
from datetime import datetime
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from kuulas.errors import Conflict, NotFound, ValidationFailed
from kuulas.extensions import db
from kuulas.sanitize import plain_text

from . import events, lifecycle, tally
from .anonymity import round_down
from .common import (MAX_COMMENT, MAX_REASON, NO_COMMENT, NO_IDEA, Participant, _insert_ignoring_duplicate,
                     _open_round, _still_open, _text, find_comment, find_idea, get_round)
from .models import (HIDDEN, LOCALES, PENDING, PRE, VISIBLE, WITHDRAWN, Idea, IdeaComment, IdeaFlag,
                     IdeaNotifyRequest, IdeaRound, IdeaVote)
from .reading import _candidates

FLAG_REASONS = {
    "offensive": _l("Offensive or discriminatory"),
    "personal": _l("Reveals personal details"),
    "spam": _l("Spam or advertising"),
    "off_topic": _l("Off topic"),
    "other": _l("Something else"),
}
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")

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
    if idea.status == VISIBLE:
        events.idea_added(round_.id, idea)
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
    if idea.status == VISIBLE:
        events.idea_changed(round_.id, idea)
    return idea


def withdraw_idea(idea_ref, participant: Participant | None, *, now: datetime) -> Idea:
    round_, idea = _own_idea(idea_ref, participant, now)
    idea.status = WITHDRAWN
    idea.text = ""
    db.session.execute(delete(IdeaFlag).where(IdeaFlag.idea_id == idea.id))
    db.session.flush()
    _still_open(round_.id, now)
    events.idea_removed(round_.id, idea.public_id)
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
    the idea's public id.  The caller commits (a vote is an idempotent upsert of its own)."""
    public_id, _dealt = vote_and_deal(idea_ref, participant, value, now=now, deal=False)
    return public_id


class Dealt(NamedTuple):
    """The next idea offered after a vote: only what the answer shows."""
    public_id: str
    text: str


def vote_and_deal(idea_ref, participant: Participant | None, value: int, *, now: datetime,
                  deal: bool = True, rng: random.Random | None = None) -> tuple[str, Dealt | None]:
    """``vote`` and, in the same transaction, deal the next idea (the vote just cast is
    already excluded): (public id of the voted idea, next idea or None).  The caller commits
    (on PostgreSQL without waiting for the WAL flush: ``SET LOCAL`` holds for this transaction)."""
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
    if comment.status == VISIBLE:
        events.comment_added(round_.id, idea.public_id)
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
    return comment


def withdraw_comment(comment_ref, participant, *, now: datetime) -> IdeaComment:
    round_, comment = _own_comment(comment_ref, participant, now)
    comment.status, comment.text = WITHDRAWN, ""
    db.session.execute(delete(IdeaFlag).where(IdeaFlag.comment_id == comment.id))
    db.session.flush()
    _still_open(round_.id, now)
    return comment



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
    if not lifecycle.allows(round_.state, lifecycle.NOTIFY):
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
