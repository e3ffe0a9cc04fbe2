"""Counting and dealing for idea rounds.  Pure: no Flask, no SQLAlchemy, no I/O.

- ``score``: the ranking key, the Wilson lower bound of the share of "agree" among everyone
  who saw the idea (agree, disagree or pass), so one early "agree" does not outrank forty.
- ``deal``: which idea to show a participant next.  Ideas with fewer votes are much more
  likely to come up (weight 1/(1+n)^2), so late ideas catch up and every idea gets votes,
  while the randomness keeps two participants from seeing the same order.
- ``DealPool``: ``deal`` for many participants over one list of ideas, each leaving out the
  few they have voted on or written: the same pick for the same random number, found in
  the list's running sums instead of a new list per participant.
"""
from __future__ import annotations

import math
import random
from bisect import bisect_right
from itertools import accumulate
from dataclasses import dataclass
from typing import Iterable, Sequence


@dataclass(frozen=True)
class Counts:
    agree: int = 0
    disagree: int = 0
    pass_: int = 0

    @property
    def total(self) -> int:
        return self.agree + self.disagree + self.pass_


def score(counts: Counts, z: float = 1.96) -> float:
    n = counts.total
    if n == 0:
        return 0.0
    p = counts.agree / n
    denom = 1 + z * z / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, (centre - margin) / denom)


def rank(counts: dict[int, Counts]) -> list[int]:
    """Idea ids, best agreed first; ties by more agree votes, then older (smaller id) first."""
    return sorted(counts, key=lambda i: (-score(counts[i]), -counts[i].agree, i))


def deal(candidates: Sequence[tuple[int, int]], rng: random.Random) -> int | None:
    """Pick the next idea from ``(idea_id, votes_so_far)`` pairs (the caller has removed
    the participant's own ideas and those they already voted on)."""
    if not candidates:
        return None
    weights = [1.0 / (1 + max(0, n)) ** 2 for _i, n in candidates]
    return rng.choices([i for i, _n in candidates], weights=weights, k=1)[0]


class DealPool:
    """``deal`` over fixed ``(key, votes so far)`` pairs, leaving out some positions.

    ``random.choices`` (inside ``deal``) picks the first candidate whose running sum of
    weights exceeds ``u`` times their total, with one ``rng.random()`` ``u``.  Here the
    running sums of the whole list are made once; a participant's candidates' running sum
    at a position is the whole list's minus the weights left out before it, so the pick is
    a binary search per stretch between left-out positions: O(m log n) for m left out,
    instead of two lists of n per participant.  The same pick for the same ``u`` (a
    different one only if ``u`` times the total falls within floating-point rounding of a
    running sum)."""

    def __init__(self, pairs: Sequence[tuple[int, int]]):
        self.keys = [k for k, _n in pairs]
        self.weights = [1.0 / (1 + max(0, n)) ** 2 for _k, n in pairs]
        self.running = list(accumulate(self.weights))

    def __len__(self) -> int:
        return len(self.keys)

    def deal(self, leave_out: Iterable[int], rng: random.Random) -> int | None:
        """The position picked (``keys[position]`` is the key), or None if every position
        is left out.  ``leave_out``: positions."""
        n = len(self.keys)
        out = sorted({p for p in leave_out if 0 <= p < n})
        if len(out) >= n:
            return None
        weights, running = self.weights, self.running
        total = running[-1] - sum(weights[p] for p in out) + 0.0
        target = rng.random() * total
        skipped, lo = 0.0, 0
        for p in (*out, n):
            if lo < p:
                k = bisect_right(running, target + skipped, lo, p)
                if k < p:
                    return k
            if p < n:
                skipped += weights[p]
                lo = p + 1
        out_set = set(out)
        return next(k for k in range(n - 1, -1, -1) if k not in out_set)   # rounding: the last


def summarise(values: Iterable[int]) -> Counts:
    a = d = p = 0
    for v in values:
        if v > 0:
            a += 1
        elif v < 0:
            d += 1
        else:
            p += 1
    return Counts(a, d, p)
