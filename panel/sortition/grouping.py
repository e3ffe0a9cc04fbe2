"""Reduce a validated pool to *types*: classes of interchangeable volunteers.

Two volunteers with the same value on every feature meet exactly the same
quotas, so any fair (symmetric) algorithm gives them the same probability and
a panel is fully described by how many people it takes from each type.  At
n=3000 the benchmark pools have only a few hundred types, which is what makes
LEXIMIN fast here.  Forced members are taken out of the pool and their seats
and quota contributions are subtracted; excluded members are simply dropped.

No I/O, no Flask, no solver.  Type order is canonical (sorted feature-value
tuples, features sorted by name) so every later step is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .model import Person, Quota


@dataclass
class TypedPool:
    features: tuple[str, ...]
    keys: list[tuple[str, ...]]          # one value per feature, per type
    members: list[tuple[str, ...]]       # id-sorted members of each type
    counts: np.ndarray                   # int, members per type
    quotas: list[Quota]                  # sorted by (feature, value)
    quota_types: list[np.ndarray]        # type indices counted by each quota
    lo: np.ndarray                       # remaining min per quota (>= 0)
    hi: np.ndarray                       # remaining max per quota (may be < 0)
    forced_per_quota: np.ndarray         # forced members counted by each quota
    pool_per_quota: np.ndarray           # available volunteers per quota
    k: int                               # seats left after forced members
    k_total: int
    forced: tuple[str, ...]
    excluded: tuple[str, ...]

    @property
    def n_types(self) -> int:
        return len(self.keys)

    def type_of(self) -> dict[str, int]:
        return {pid: t for t, ids in enumerate(self.members) for pid in ids}

    def counts_ok(self, c: np.ndarray) -> bool:
        """Does the type-count vector ``c`` (remaining seats) meet every quota?"""
        c = np.asarray(c, dtype=np.int64)
        if int(c.sum()) != self.k or np.any(c < 0) or np.any(c > self.counts):
            return False
        s = self.incidence @ c
        return bool(np.all(s >= self.lo) and np.all(s <= self.hi))

    @cached_property
    def incidence(self) -> np.ndarray:
        """0/1 matrix, one row per quota, one column per type (int64)."""
        a = np.zeros((len(self.quotas), self.n_types), dtype=np.int64)
        for q, ts in enumerate(self.quota_types):
            a[q, ts] = 1
        return a


def group(people: list[Person], quotas: list[Quota], k: int,
          forced=(), excluded=()) -> TypedPool:
    """Build the :class:`TypedPool`; the input must already be validated."""
    forced = tuple(sorted(set(forced)))
    excluded = tuple(sorted(set(excluded)))
    skip = set(forced) | set(excluded)
    features = tuple(sorted({q.feature for q in quotas}))
    by_key: dict[tuple[str, ...], list[str]] = {}
    for p in people:
        if p.id in skip:
            continue
        key = tuple(p.features[f] for f in features)
        by_key.setdefault(key, []).append(p.id)
    keys = sorted(by_key)
    members = [tuple(sorted(by_key[key])) for key in keys]
    counts = np.array([len(m) for m in members], dtype=np.int64)

    quotas = sorted(quotas, key=lambda q: (q.feature, q.value))
    fpos = {f: i for i, f in enumerate(features)}
    quota_types = []
    for q in quotas:
        i = fpos[q.feature]
        quota_types.append(np.array([t for t, key in enumerate(keys) if key[i] == q.value],
                                    dtype=np.int64))
    by_id = {p.id: p for p in people}
    forced_per_quota = np.array(
        [sum(1 for pid in forced if by_id[pid].features[q.feature] == q.value) for q in quotas],
        dtype=np.int64)
    lo = np.maximum(0, np.array([q.min for q in quotas], dtype=np.int64) - forced_per_quota)
    hi = np.array([q.max for q in quotas], dtype=np.int64) - forced_per_quota
    pool_per_quota = np.array([int(counts[ts].sum()) for ts in quota_types], dtype=np.int64)
    return TypedPool(features, keys, members, counts, quotas, quota_types, lo, hi,
                     forced_per_quota, pool_per_quota, k - len(forced), k, forced, excluded)
