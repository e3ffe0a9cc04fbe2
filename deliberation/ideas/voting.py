"""The lean path of a vote: SQL Core statements, no ORM objects, no commit.

A vote that goes through (the round open by its state and its own clock, the idea public
and of this round) is stored and, if asked, the next idea is dealt, on PostgreSQL in ONE
statement (one round trip between BEGIN and the caller's COMMIT):

- the round row is read ``FOR SHARE`` where it must be open, so a close in progress (an
  UPDATE of that row) is waited for and then seen, and a later close waits until this vote
  has been committed: a vote is in before the close or refused (as ``services._still_open``);
- the vote is an upsert on the primary key (idea, voter hash): voting again changes the
  vote, parallel identical requests leave one row;
- the transaction does not wait for its WAL flush (as ``services.vote_and_deal``: only a
  crash of the database server itself can lose the last moment of votes);
- the next idea is dealt exactly as ``tally.deal`` deals it (weights 1/(1+n)^2 over the
  published count snapshot, candidates in public-id order, one random number ``u``): the
  running sum of the weights is the ``cum_weights`` of ``random.choices`` and the pick is
  the first candidate whose running sum exceeds ``u`` times the total (the last if none).

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
from typing import NamedTuple

from sqlalchemy import DateTime, bindparam, text

from kuulas.extensions import db

from . import tally
from .models import OPEN, VISIBLE


class Cast(NamedTuple):
    public_id: str                       # the idea voted on
    next: tuple[str, str] | None         # (public id, text) of the next idea, or None


_ROUND_OPEN = ("idea_round.state = :open AND idea_round.opens_at <= :now AND :now < idea_round.closes_at")

# PostgreSQL: the whole vote, and the deal, in one statement.  Data-modifying CTEs all see
# the statement's snapshot, so the candidates leave out the idea just voted on by name.  The
# participant's earlier votes are one index range (round, voter) hashed once, not a probe
# per idea (a third of the statement's time at 500 ideas); no column involved is nullable.
_PG_VOTE = text(f"""
WITH open_round AS (
    SELECT idea_round.id FROM idea_round
    WHERE idea_round.id = :round_id AND {_ROUND_OPEN}
    FOR SHARE
), target AS (
    SELECT idea.id FROM idea JOIN open_round ON idea.round_id = open_round.id
    WHERE idea.public_id = :public_id AND idea.status = :visible
), cast_vote AS (
    INSERT INTO idea_vote (idea_id, voter_hash, round_id, value)
    SELECT target.id, :voter, :round_id, :value FROM target
    ON CONFLICT (idea_id, voter_hash) DO UPDATE SET value = EXCLUDED.value
    RETURNING idea_id
), no_flush_wait AS (
    SELECT set_config('synchronous_commit', 'off', true) AS setting
), shown AS (
    SELECT CAST(e.key AS integer) AS idea_id,
           COALESCE(CAST(e.value ->> 0 AS integer), 0) + COALESCE(CAST(e.value ->> 1 AS integer), 0)
           + COALESCE(CAST(e.value ->> 2 AS integer), 0) AS n
    FROM idea_count_snapshot s, json_each(s.counts) e
    WHERE s.round_id = :round_id AND :deal
), candidates AS (
    SELECT idea.id, idea.public_id,
           SUM(1.0::float8 / CAST((1 + GREATEST(COALESCE(shown.n, 0), 0))::bigint
                                  * (1 + GREATEST(COALESCE(shown.n, 0), 0))::bigint AS float8))
               OVER (ORDER BY idea.public_id) AS running
    FROM idea LEFT JOIN shown ON shown.idea_id = idea.id
    WHERE :deal AND EXISTS (SELECT 1 FROM cast_vote)
      AND idea.round_id = :round_id AND idea.status = :visible AND idea.author_hash <> :voter
      AND idea.id NOT IN (SELECT idea_id FROM cast_vote UNION ALL
                          SELECT v.idea_id FROM idea_vote v WHERE v.round_id = :round_id AND v.voter_hash = :voter)
), pick AS (
    SELECT c.id FROM candidates c
    WHERE c.running > :u * (SELECT max(running) FROM candidates)
       OR c.public_id = (SELECT max(public_id) FROM candidates)
    ORDER BY c.public_id LIMIT 1
)
SELECT (SELECT setting FROM no_flush_wait) AS setting, nxt.public_id AS next_id, nxt.text AS next_text
FROM cast_vote LEFT JOIN pick ON true LEFT JOIN idea nxt ON nxt.id = pick.id
""").bindparams(bindparam("now", type_=DateTime()))

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
    if isinstance(value, bool) or value not in (-1, 0, 1):
        raise ValueError("a vote is -1, 0 or 1")
    params = {"round_id": round_id, "public_id": public_id, "voter": voter_hash, "value": value,
              "now": now, "open": OPEN, "visible": VISIBLE}
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        u = (rng or random).random()
        row = conn.execute(_PG_VOTE, {**params, "deal": deal, "u": u}).first()
        if row is None:
            return None
        return Cast(public_id, (row.next_id, row.next_text) if row.next_id is not None else None)
    if conn.execute(_UPSERT, params).first() is None:
        return None
    if not deal:
        return Cast(public_id, None)
    return Cast(public_id, _deal_in_python(conn, round_id, voter_hash, rng or random.Random()))


def _deal_in_python(conn, round_id: int, voter_hash: str, rng: random.Random):
    raw = conn.execute(_SNAPSHOT, {"round_id": round_id}).scalar()
    counts = json.loads(raw) if isinstance(raw, str) else (raw or {})
    totals = {int(k): sum(int(x) for x in (list(v) + [0, 0, 0])[:3]) for k, v in counts.items()}
    ids = conn.execute(_CANDIDATES, {"round_id": round_id, "visible": VISIBLE, "voter": voter_hash}).scalars()
    chosen = tally.deal([(i, totals.get(i, 0)) for i in ids], rng)
    if chosen is None:
        return None
    row = conn.execute(_IDEA, {"id": chosen}).one()
    return (row.public_id, row.text)
