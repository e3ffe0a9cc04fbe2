"""Publicly verifiable seeded draw and the pool fingerprint.

The selection is published in two steps: first the probabilities and the
``pool_hash`` (computed before anyone knows the seed), then, after a public
random value is announced (e.g. a future lottery number), the panel drawn
with ``seed_from_announcement(value)``.  Anyone holding the pseudonymised pool
can recompute both steps.  The same inputs and seed always give the same
panel; nothing here depends on dict order, the clock or the process.

No I/O, no Flask, no solver.
"""

from __future__ import annotations

import hashlib
import json
import random
from typing import Iterable, Sequence

import numpy as np

from .grouping import TypedPool
from .model import Person, Quota

HASH_FORMAT = "kuulas-sortition-pool/1"
_WEIGHT_SCALE = 10**12


def seed_from_announcement(text: str) -> int:
    """SHA-256 of the announced value (surrounding whitespace stripped,
    UTF-8 encoded), read as a big-endian unsigned integer."""
    return int.from_bytes(hashlib.sha256(text.strip().encode("utf-8")).digest(), "big")


def pool_hash(people: Sequence[Person], quotas: Sequence[Quota], k: int,
              forced: Iterable[str] = (), excluded: Iterable[str] = ()) -> str:
    """Hex SHA-256 over this canonical UTF-8 JSON document (keys sorted, no
    whitespace: ``json.dumps(doc, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)``)::

        {"format": "kuulas-sortition-pool/1",
         "k": k,
         "features": [feature names, sorted],
         "quotas": [[feature, value, min, max], ...] sorted by (feature, value),
         "people": [[id, [value per feature in "features" order]], ...] sorted by id,
         "forced": [ids, sorted], "excluded": [ids, sorted]}

    Quota targets are informational and not hashed.
    """
    features = sorted({q.feature for q in quotas} | {f for p in people for f in p.features})
    doc = {
        "format": HASH_FORMAT,
        "k": int(k),
        "features": features,
        "quotas": sorted([q.feature, q.value, int(q.min), int(q.max)] for q in quotas),
        "people": sorted([p.id, [p.features.get(f, "") for f in features]] for p in people),
        "forced": sorted(set(forced)),
        "excluded": sorted(set(excluded)),
    }
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def integer_weights(weights: Sequence[float]) -> list[int]:
    """Committee probabilities rounded to 1e-12, as integers, so that the
    cumulative distribution is exact and platform independent."""
    return [int(round(float(w) * _WEIGHT_SCALE)) for w in weights]


def draw_panel(pool: TypedPool, committees: Sequence[np.ndarray],
               weights: Sequence[float], seed: int) -> tuple[int, tuple[str, ...]]:
    """Pick one committee and its members; returns (committee index, ids).

    1. ``rng = random.Random(seed)``; only ``rng.random()`` is used, whose
       output Python guarantees for a given seed across versions.
    2. With integer weights w (see integer_weights) and W = sum(w), take
       r = floor(rng.random() * W) and the first committee whose cumulative
       weight exceeds r.  Committees come in canonical order: sorted by their
       count vectors over types in canonical order (grouping.py).
    3. For each type in canonical order that the committee uses c times,
       pick c of its members (sorted by id) by a partial Fisher-Yates
       shuffle: for i in 0..c-1, j = i + floor(rng.random() * (m - i)),
       swap positions i and j, keep position i.
    4. The panel is the forced members plus the picks, sorted by id.
    """
    rng = random.Random(seed)
    w = integer_weights(weights)
    total = sum(w)
    r = int(rng.random() * total)
    acc, index = 0, len(w) - 1
    for i, wi in enumerate(w):
        acc += wi
        if acc > r:
            index = i
            break
    chosen = list(pool.forced)
    counts = committees[index]
    for t, c in enumerate(counts):
        if c <= 0:
            continue
        members = list(pool.members[t])
        m = len(members)
        for i in range(int(c)):
            j = i + int(rng.random() * (m - i))
            members[i], members[j] = members[j], members[i]
        chosen.extend(members[: int(c)])
    return index, tuple(sorted(chosen))
