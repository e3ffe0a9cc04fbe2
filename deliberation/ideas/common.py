"""What the idea-round services share: the participant value, looking up rounds, ideas and
comments, the moderation log, and the checks a participant's write makes.

Plain Python: never touches ``request``, ``g``, ``current_user`` or ``emit``, and never
commits: the caller owns the transaction (``kuulas.web.attempt``/``form_page`` for views,
``kuulas.scheduler.run_job`` for jobs, ``kuulas.effects.transaction`` for the CLI).
Participants are ``Participant`` values (round id + keyed hash; the raw token never gets
this far).  Ideas and comments are looked up by their random ``public_id`` (a string, from
URLs, forms and JSON) or, for internal callers, by their integer key.  "Not there" and "not
yours / not published" give the same ``NotFound``: no existence oracle.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from kuulas import access
from kuulas.errors import Conflict, NotFound, ValidationFailed
from kuulas.extensions import db
from kuulas.sanitize import plain_text

from . import lifecycle, rules
from .models import OPEN, Idea, IdeaComment, IdeaModerationLog, IdeaRound

MIN_IDEA = 3
MAX_COMMENT = 1000
MAX_REASON = 300
MAX_TAG = 60

_PUBLIC_ID = re.compile(r"^[A-Za-z0-9]{12}$")
NO_IDEA = _l("No such idea.")
NO_COMMENT = _l("No such comment.")


@dataclass(frozen=True)
class Participant:
    round_id: int
    hash: str


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


def _log(round_id, actor, action, *, now, idea_id=None, comment_id=None, reason=""):
    db.session.add(IdeaModerationLog(round_id=round_id, actor_id=getattr(actor, "id", None), action=action,
                                     idea_id=idea_id, comment_id=comment_id, reason=reason[:500], at=now))


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


def _insert_ignoring_duplicate(model, values: dict, index_elements: list[str]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING: True if a row was added.  A parallel duplicate
    is met at the unique key and is simply "already there", never an error."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(model).values(**values).on_conflict_do_nothing(index_elements=index_elements)
    return bool(db.session.execute(stmt).rowcount)


# The translated text of each ``lifecycle`` reason code.
REASONS = {
    lifecycle.NO_ROUND: _l("No such idea round."),
    lifecycle.ROUND_CLOSED: ROUND_CLOSED,
    lifecycle.NOT_OPEN_YET: _l("The round is not open yet."),
    lifecycle.CLOSED_UNCHANGEABLE: _l("A closed round can no longer be changed."),
    lifecycle.PUBLISH_FIRST: _l("Publish the round first: a draft cannot be closed."),
    lifecycle.NOT_YOUR_ROLE: _l("You cannot do that."),
}


def reason(code: str):
    """The translated (lazy) text of a ``lifecycle`` reason code."""
    return REASONS[code]


def require_state(round_: IdeaRound, action: str) -> None:
    """Refuse ``action`` when the round's state does not allow it (``lifecycle``)."""
    if not lifecycle.allows(round_.state, action):
        raise Conflict(reason(lifecycle.why_not(round_.state, action)))


def item_of_round(item, round_id: int | None, message):
    """The idea or comment if it belongs to the round named in the URL, else ``NotFound``
    (before anything is written)."""
    if item is None or (round_id is not None and item.round_id != round_id):
        raise NotFound(message)
    return item
