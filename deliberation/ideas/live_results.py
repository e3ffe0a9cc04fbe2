"""Live results of an open round: the opinion map as everyone may see it, refreshed by a
job together with the shown counts, and "you are here" for the participant who asks.

- ``refresh_maps`` (the ``ideas.map`` job) redraws a round's map only after the count
  publisher has published a new batch (``IdeaCountSnapshot.published_at`` moved on) and at
  most every ``MAP_SECONDS``: the map never moves with one vote, only with a batch that
  already mixes several, and never at a moment tied to a click.  The stored map holds
  aggregates only (``opinion_map``: group sizes, centres and spreads, idea ids, the
  projection basis), never a row, hash or position of a participant.
- A closed round's map is drawn from the final votes on request, as its results are.
- ``my_position`` reads the asking participant's own votes (by their keyed hash from their
  cookie), projects them onto the shown map and returns the point: it is never stored,
  logged or broadcast.  Only the aggregate map goes out over Socket.IO; each page then asks
  for its own position again.

No Flask here: the caller passes the participant (``participation.current_participant``).
"""
from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import JSON, ForeignKey, func, select
from sqlalchemy.orm import Mapped, mapped_column

from kuulas import scheduler
from kuulas.extensions import db

from . import events, opinion_map, reading
from .models import CLOSED, OPEN, VISIBLE, Idea, IdeaCountSnapshot, IdeaRound, IdeaVote

MAP_JOB = "ideas.map"
MAP_SECONDS = 30   # a round's live map is redrawn at most this often


class IdeaMapSnapshot(db.Model):
    """The opinion map shown while a round is open (aggregates only, see ``opinion_map``)."""

    __tablename__ = "idea_map_snapshot"

    round_id: Mapped[int] = mapped_column(ForeignKey("idea_round.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    computed_at: Mapped[datetime]
    counts_published_at: Mapped[datetime | None]   # the count batch this map goes with


def vote_matrix(round_id: int) -> tuple[np.ndarray, list[int]]:
    """Participants x visible ideas (1 / -1 / 0, NaN unseen).  The database numbers the
    voters (a dense rank over their keyed hashes), so no hash even reaches this process and
    nothing returned names a participant; rows are in hash order, which is random."""
    idea_ids = sorted(db.session.scalars(select(Idea.id).where(Idea.round_id == round_id, Idea.status == VISIBLE)))
    if not idea_ids:
        return np.zeros((0, 0)), []
    rank = func.dense_rank().over(order_by=IdeaVote.voter_hash)
    rows = db.session.execute(select(rank, IdeaVote.idea_id, IdeaVote.value)
                              .where(IdeaVote.round_id == round_id)).all()
    if not rows:
        return np.zeros((0, len(idea_ids))), idea_ids
    cells = np.array([tuple(r) for r in rows], dtype=np.int64)   # plain tuples: numpy is slow on Row objects
    col = np.searchsorted(idea_ids, cells[:, 1])
    known = (col < len(idea_ids)) & (np.asarray(idea_ids)[np.minimum(col, len(idea_ids) - 1)] == cells[:, 1])
    cells, col = cells[known], col[known]
    # Voters whose every vote is on an idea no longer visible leave no row (as before).
    voters, row = np.unique(cells[:, 0], return_inverse=True)
    matrix = np.full((len(voters), len(idea_ids)), np.nan)
    matrix[row, col] = cells[:, 2]
    return matrix, idea_ids


def compute_map(round_id: int) -> opinion_map.OpinionMap:
    matrix, idea_ids = vote_matrix(round_id)
    if matrix.shape[0] == 0 or not idea_ids:
        return opinion_map.EMPTY
    return opinion_map.build(matrix, idea_ids)


def refresh_maps(now: datetime, *, min_seconds: int = MAP_SECONDS) -> dict[int, opinion_map.OpinionMap]:
    """Redraw the map of every open round whose shown counts have a newer batch than its map
    and whose map is at least ``min_seconds`` old.  Returns {round id: new map} for the
    caller to declare as broadcasts (sent after its commit).  Idempotent: a second run finds nothing new."""
    out = {}
    for snap in db.session.scalars(select(IdeaCountSnapshot).join(IdeaRound, IdeaRound.id == IdeaCountSnapshot.round_id)
                                   .where(IdeaRound.state == OPEN, IdeaCountSnapshot.published_at.is_not(None))):
        current = db.session.get(IdeaMapSnapshot, snap.round_id)
        if current is not None:
            if current.counts_published_at is not None and current.counts_published_at >= snap.published_at:
                continue
            if now - current.computed_at < timedelta(seconds=min_seconds):
                continue
        omap = compute_map(snap.round_id)
        if current is None:
            current = IdeaMapSnapshot(round_id=snap.round_id)
            db.session.add(current)
        current.data, current.computed_at, current.counts_published_at = omap.to_json(), now, snap.published_at
        out[snap.round_id] = omap
    db.session.flush()
    return out


_FINAL: dict[tuple, opinion_map.OpinionMap] = {}   # closed rounds' maps: their votes no longer change
_FINAL_MAX = 32


def final_map(round_: IdeaRound) -> opinion_map.OpinionMap:
    """The map of a closed round from its final votes, computed once per process for the
    same visible ideas (a reload or a flood of requests does not redo the clustering)."""
    visible = tuple(sorted(db.session.scalars(select(Idea.id).where(Idea.round_id == round_.id,
                                                                    Idea.status == VISIBLE))))
    key = (round_.id, round_.closed_at, hash(visible))
    omap = _FINAL.get(key)
    if omap is None:
        omap = compute_map(round_.id)
        if len(_FINAL) >= _FINAL_MAX:
            _FINAL.pop(next(iter(_FINAL)))
        _FINAL[key] = omap
    return omap


def shown_map(round_: IdeaRound) -> opinion_map.OpinionMap | None:
    """The map anyone may see: the last published one while open (None before the first),
    the final one once closed."""
    if round_.state == CLOSED:
        return final_map(round_)
    snap = db.session.get(IdeaMapSnapshot, round_.id)
    return opinion_map.OpinionMap.from_json(snap.data) if snap is not None else None


def my_position(omap: opinion_map.OpinionMap | None, participant) -> opinion_map.Position | None:
    """Where the asking participant stands: their own votes only, for them only (not kept)."""
    if omap is None or participant is None:
        return None
    return opinion_map.position(omap, reading.my_votes(participant))


def idea_refs(omap: opinion_map.OpinionMap | None) -> dict[int, Idea]:
    """The still visible ideas the map names, by internal id (for texts and public ids)."""
    if omap is None:
        return {}
    ids = set(omap.consensus) | set(omap.divisive) | {d[0] for r in omap.regions for d in r.distinctive}
    if not ids:
        return {}
    return {i.id: i for i in db.session.scalars(select(Idea).where(Idea.id.in_(ids), Idea.status == VISIBLE))}


def wire(omap: opinion_map.OpinionMap) -> dict:
    """The live ``map`` event: the aggregate map by public idea ids, nothing per participant."""
    ideas = idea_refs(omap)

    def pid(i):
        return ideas[i].public_id if i in ideas else None

    return {
        "participants": omap.participants, "grouped": omap.grouped,
        "groups": [{"label": r.label, "size": r.size,
                    "agrees": [pid(i) for i, d, _s in r.distinctive if d > 0 and pid(i)],
                    "disagrees": [pid(i) for i, d, _s in r.distinctive if d < 0 and pid(i)]}
                   for r in omap.regions],
        "consensus": [pid(i) for i in omap.consensus if pid(i)],
        "divisive": [pid(i) for i in omap.divisive if pid(i)],
    }


@scheduler.job(MAP_JOB, seconds=MAP_SECONDS)
def publish_maps(now):
    changed = refresh_maps(now)
    for round_id, omap in changed.items():
        events.map_updated(round_id, wire(omap))   # sent once run_job commits
    return f"maps {len(changed)}"
