"""The lean path of a vote: plain SQL, no ORM objects, no commit.

A vote that goes through (the round open by its state and its own clock, the idea public
and of this round) is stored and, if asked, the next idea is dealt.

On PostgreSQL the vote is ONE statement (``cast_pg``), which any connection can run: the
Flask view runs it inside its transaction, the vote gateway (``vote_gateway``) on a pooled
connection in autocommit, where the statement is its own transaction (one round trip):

- the round row is read ``FOR SHARE`` where it must be open, so a close in progress (an
  UPDATE of that row) is waited for and then seen, and a later close waits until this vote
  has been committed: a vote is in before the close or refused (as ``services._still_open``);
- the vote is an upsert on the primary key (idea, voter hash): voting again changes the
  vote, parallel identical requests leave one row;
- the transaction does not wait for its WAL flush (as ``services.vote_and_deal``: only a
  crash of the database server itself can lose the last moment of votes);
- the same statement returns the participant's earlier votes (one index range) and when the
  count snapshot was published.

The next idea is then dealt in Python as ``tally.deal`` deals it (``tally.DealPool``), over
the round's visible ideas in public-id order with the published counts, leaving out the
participant's own ideas and those they have voted on.  Each process keeps the round's pool of ideas (``_pool``) and
uses it while nothing has changed: the vote's statement also reads the round's count of idea
changes (``IdeaPoolVersion``: a trigger counts every idea added, deleted, hidden, restored,
withdrawn or edited, in the same transaction as the change) and when the snapshot was
published, and a different count or snapshot reloads the pool.  So a hidden or deleted idea
is never dealt and a new one is dealt at once, with one round trip per vote.

Other databases (SQLite in development and the tests) take a guarded upsert and the
candidates query, then ``tally.deal`` in Python.

``cast`` returns None when nothing was stored (round closed or not open yet, idea missing,
pending, hidden, withdrawn, another round's): the caller then asks the full service
(``services.vote_and_deal``), which gives the exact reason.  Nothing here names a person:
only the participant's keyed hash reaches the database, and SQL parameters never reach a log.
"""
from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

from sqlalchemy import DateTime, bindparam, text

from kuulas.extensions import db

from . import tally
from .models import OPEN, VISIBLE


class Cast(NamedTuple):
    public_id: str                       # the idea voted on
    next: tuple[str, str] | None         # (public id, text) of the next idea, or None


_ROUND_OPEN = ("idea_round.state = :open AND idea_round.opens_at <= :now AND :now < idea_round.closes_at")

# PostgreSQL: the vote, with the participant's earlier votes and the snapshot's time, in one
# statement (psycopg's parameter style: it also runs on a raw driver connection).
# Data-modifying CTEs all see the statement's snapshot: ``voted`` does not hold this vote.
PG_CAST = """
WITH open_round AS (
    SELECT idea_round.id FROM idea_round
    WHERE idea_round.id = %(round_id)s AND idea_round.state = %(open)s
      AND idea_round.opens_at <= %(now)s AND %(now)s < idea_round.closes_at
    FOR SHARE
), target AS (
    SELECT idea.id FROM idea JOIN open_round ON idea.round_id = open_round.id
    WHERE idea.public_id = %(public_id)s AND idea.status = %(visible)s
), cast_vote AS (
    INSERT INTO idea_vote (idea_id, voter_hash, round_id, value)
    SELECT target.id, %(voter)s, %(round_id)s, %(value)s FROM target
    ON CONFLICT (idea_id, voter_hash) DO UPDATE SET value = EXCLUDED.value
    RETURNING idea_id
), no_flush_wait AS (
    SELECT set_config('synchronous_commit', 'off', true) AS setting
)
SELECT cast_vote.idea_id, (SELECT setting FROM no_flush_wait) AS setting,
       CASE WHEN %(deal)s THEN ARRAY(SELECT v.idea_id FROM idea_vote v
                                     WHERE v.round_id = %(round_id)s AND v.voter_hash = %(voter)s) END AS voted,
       (SELECT s.published_at FROM idea_count_snapshot s WHERE s.round_id = %(round_id)s) AS published,
       (SELECT idea_round.created_at FROM idea_round WHERE idea_round.id = %(round_id)s) AS made,
       (SELECT p.n FROM idea_pool_version p WHERE p.round_id = %(round_id)s) AS changes
FROM cast_vote
"""
_PG_POOL = ("SELECT idea.id, idea.public_id, idea.author_hash, idea.text FROM idea "
            "WHERE idea.round_id = %(round_id)s AND idea.status = %(visible)s")
_PG_SNAPSHOT = "SELECT counts FROM idea_count_snapshot WHERE round_id = %(round_id)s"
MAX_POOLS = 64                    # rounds whose pools a process keeps

# Other databases: the guarded upsert (SQLite's write lock is held from this statement to
# the commit, so no close can come in between), then the deal in Python.
_UPSERT = text(f"""
INSERT INTO idea_vote (idea_id, voter_hash, round_id, value)
SELECT idea.id, :voter, :round_id, :value FROM idea JOIN idea_round ON idea_round.id = idea.round_id
WHERE idea.public_id = :public_id AND idea.round_id = :round_id AND idea.status = :visible AND {_ROUND_OPEN}
ON CONFLICT (idea_id, voter_hash) DO UPDATE SET value = excluded.value
RETURNING idea_id
""").bindparams(bindparam("now", type_=DateTime()))
_CANDIDATES = text("""
SELECT idea.id FROM idea
WHERE idea.round_id = :round_id AND idea.status = :visible AND idea.author_hash <> :voter
  AND NOT EXISTS (SELECT 1 FROM idea_vote v WHERE v.idea_id = idea.id AND v.voter_hash = :voter)
ORDER BY idea.public_id
""")
_SNAPSHOT = text("SELECT counts FROM idea_count_snapshot WHERE round_id = :round_id")
_IDEA = text("SELECT public_id, text FROM idea WHERE id = :id")


def cast(round_id: int, public_id: str, voter_hash: str, value: int, *, now, deal: bool,
         rng: random.Random | None = None) -> Cast | None:
    """Store the vote ``value`` (1, 0, -1) of ``voter_hash`` on idea ``public_id`` of round
    ``round_id`` and, if ``deal``, deal the next idea; None if nothing was stored.  Does not
    commit: the caller does (and rolls back on an error)."""
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        return cast_pg(lambda sql, params: conn.exec_driver_sql(sql, params).all(), round_id, public_id,
                       voter_hash, value, now=now, deal=deal, rng=rng)
    params = _params(round_id, public_id, voter_hash, value, now)
    if conn.execute(_UPSERT, params).first() is None:
        return None
    if not deal:
        return Cast(public_id, None)
    return Cast(public_id, _deal_in_python(conn, round_id, voter_hash, rng or random.Random()))


Run = Callable[[str, dict], Sequence[tuple]]


def cast_pg(run: Run, round_id: int, public_id: str, voter_hash: str, value: int, *, now, deal: bool,
            rng: random.Random | None = None) -> Cast | None:
    """``cast`` on PostgreSQL over ``run(sql, params) -> rows`` (any connection, in a
    transaction or in autocommit)."""
    params = _params(round_id, public_id, voter_hash, value, now)
    rows = run(PG_CAST, {**params, "deal": deal})
    if not rows:
        return None
    idea_id, _setting, voted, published, made, changes = rows[0]
    if not deal:
        return Cast(public_id, None)
    pool = _pool(run, round_id, (made, published, changes))
    leave_out = [pool.position[i] for i in {*(voted or ()), idea_id} if i in pool.position]
    leave_out += pool.by_author.get(voter_hash, ())
    chosen = pool.dealer.deal(leave_out, rng or random)     # tally.deal's pick, see DealPool
    if chosen is None:
        return Cast(public_id, None)
    return Cast(public_id, pool.cards[chosen])


def _params(round_id, public_id, voter_hash, value, now) -> dict:
    if isinstance(value, bool) or value not in (-1, 0, 1):
        raise ValueError("a vote is -1, 0 or 1")
    return {"round_id": round_id, "public_id": public_id, "voter": voter_hash, "value": value,
            "now": now, "open": OPEN, "visible": VISIBLE}


class _Pool(NamedTuple):
    key: tuple                        # (round's creation time, snapshot's publication time, idea changes)
    loaded: float                     # time.monotonic() of the load
    dealer: tally.DealPool            # (idea id, published count) in public-id order
    cards: list[tuple[str, str]]      # (public id, text) at the same positions
    position: dict[int, int]          # idea id -> position
    by_author: dict[str, list[int]]   # author hash -> positions of their ideas


_pools: dict[int, _Pool] = {}
_pools_lock = threading.Lock()


def _pool(run: Run, round_id: int, key: tuple) -> _Pool:
    """The round's visible ideas with their published counts, as ``reading._candidates``
    reads them, kept while the round's count of idea changes (``IdeaPoolVersion``, read in
    the vote's own statement) and the snapshot stay the same.  A pool loaded after its key
    was read is at least as new as the key says, so it is never older than the vote."""
    cached = _pools.get(round_id)
    if cached is not None and cached.key == key:
        return cached
    rows = sorted(run(_PG_POOL, {"round_id": round_id, "visible": VISIBLE}), key=lambda r: r[1])
    snap = run(_PG_SNAPSHOT, {"round_id": round_id})
    totals = _totals(snap[0][0] if snap else None)
    by_author: dict[str, list[int]] = {}
    for k, (_i, _pid, author, _text) in enumerate(rows):
        by_author.setdefault(author, []).append(k)
    pool = _Pool(key, time.monotonic(), tally.DealPool([(i, totals.get(i, 0)) for i, _p, _a, _t in rows]),
                 [(pid, text) for _i, pid, _a, text in rows], {i: k for k, (i, *_rest) in enumerate(rows)},
                 by_author)
    with _pools_lock:
        if round_id not in _pools and len(_pools) >= MAX_POOLS:
            del _pools[min(_pools, key=lambda r: _pools[r].loaded)]   # the longest kept round
        _pools[round_id] = pool
    return pool


def _totals(raw) -> dict[int, int]:
    counts = json.loads(raw) if isinstance(raw, str) else (raw or {})
    return {int(k): sum(int(x) for x in (list(v) + [0, 0, 0])[:3]) for k, v in counts.items()}


def _deal_in_python(conn, round_id: int, voter_hash: str, rng: random.Random):
    totals = _totals(conn.execute(_SNAPSHOT, {"round_id": round_id}).scalar())
    ids = conn.execute(_CANDIDATES, {"round_id": round_id, "visible": VISIBLE, "voter": voter_hash}).scalars()
    chosen = tally.deal([(i, totals.get(i, 0)) for i in ids], rng)
    if chosen is None:
        return None
    row = conn.execute(_IDEA, {"id": chosen}).one()
    return (row.public_id, row.text)
