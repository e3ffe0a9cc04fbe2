"""Moderating an idea round: the queue, approving, hiding with a public reason, restoring,
dismissing reports, and tagging ideas with themes.

The round named in the URL is an argument: an idea or comment of another round is "not
there" before anything is written.  Never commits: the caller owns the transaction; a
change the public sees is broadcast (``events``) once the caller commits.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from kuulas import access
from kuulas.errors import Conflict, NotFound, ValidationFailed
from kuulas.extensions import db
from kuulas.sanitize import plain_text

from . import events, lifecycle, rules
from .common import MAX_REASON, MAX_TAG, _find, _log, get_round, require_state
from .models import HIDDEN, PENDING, VISIBLE, WITHDRAWN, Idea, IdeaComment, IdeaFlag, IdeaTag

def _staff_item(round_id: int, kind: str, item_ref):
    model = Idea if kind == "idea" else IdeaComment
    item = _find(model, item_ref)
    if item is None or item.status == WITHDRAWN or item.round_id != round_id:
        raise NotFound(_l("No such idea.") if kind == "idea" else _l("No such comment."))
    return item


def moderate(round_id: int, kind: str, item_ref, action: str, *, actor, now: datetime,
             reason: str | None = None):
    """``action``: approve, hide (needs a public reason), restore, dismiss (flags only), on
    an idea or comment of the round ``round_id``."""
    access.require(actor, rules.MODERATE, None, now)
    if kind not in ("idea", "comment") or action not in ("approve", "hide", "restore", "dismiss"):
        raise ValidationFailed(_l("Unknown moderation action."))
    require_state(get_round(round_id), lifecycle.MODERATE)
    item = _staff_item(round_id, kind, item_ref)
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
    db.session.flush()
    if kind == "idea":
        if item.status == VISIBLE and action == "approve":
            events.idea_added(item.round_id, item)
        else:
            events.idea_changed(item.round_id, item)
    return item


def set_tags(round_id: int, idea_ref, names: list[str], *, actor, now: datetime) -> Idea:
    access.require(actor, rules.MODERATE, None, now)
    require_state(get_round(round_id), lifecycle.TAG)
    idea = _staff_item(round_id, "idea", idea_ref)
    cleaned = []
    for name in names:
        value = plain_text(name, MAX_TAG)
        if value and value.lower() not in {c.lower() for c in cleaned}:
            cleaned.append(value)
    if len(cleaned) > 10:
        raise ValidationFailed(_l("At most 10 themes per idea."))
    idea.tags = [IdeaTag(name=n) for n in cleaned]
    _log(idea.round_id, actor, "idea:tags", now=now, idea_id=idea.id, reason=", ".join(cleaned))
    db.session.flush()
    return idea


def queue(round_id: int, *, actor, now: datetime) -> dict:
    """What needs a moderator: pending items and open flags.  No author data at all."""
    access.require(actor, rules.MODERATE, None, now)
    require_state(get_round(round_id), lifecycle.QUEUE)
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
