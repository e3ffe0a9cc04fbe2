"""Counting and dealing for idea rounds.  Pure: no Flask, no SQLAlchemy, no I/O.

- ``score``: the ranking key, the Wilson lower bound of the share of "agree" among everyone
  who saw the idea (agree, disagree or pass), so one early "agree" does not outrank forty.
- ``deal``: which idea to show a participant next.  Ideas with fewer votes are much more
  likely to come up (weight 1/(1+n)^2), so late ideas catch up and every idea gets votes,
  while the randomness keeps two participants from seeing the same order.
"""
from __future__ import annotations

import math
import random
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
