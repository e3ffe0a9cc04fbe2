"""Reading an idea round: counts, the ideas and comments a participant may see, dealing
the next idea to vote on, and the batched counts everyone is shown (``publish_counts``).

Reads only, except ``publish_counts`` (the count publisher job's one write, a snapshot
row): never commits, the job's ``run_job`` does.
"""
from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from kuulas.extensions import db

from . import tally
from .common import Participant
from .models import (CLOSED, HIDDEN, OPEN, PENDING, VISIBLE, WITHDRAWN, Idea, IdeaComment,
                     IdeaCountSnapshot, IdeaRound, IdeaVote)

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


def staff_ideas(round_id: int) -> list[Idea]:
    """Every idea of the round but the withdrawn, for the staff round page."""
    return list(db.session.scalars(select(Idea).where(Idea.round_id == round_id, Idea.status != WITHDRAWN)
                                   .order_by(Idea.public_id)))


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
    declares them as broadcasts, sent after its commit).  Idempotent: a second run finds nothing new."""
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