"""The live opinion map against the full clustering it reproduces, in the same run.

Builds a deterministic vote matrix (2,000 participants x 200 ideas by default: three
opinion families plus noise, each participant seeing a random subset of ideas), then times
``clustering.analyse`` (the baseline: what the results page computed) and
``opinion_map.build`` (the live map: the same clustering with a vectorised silhouette,
plus the basis, regions and divisive ideas), checks they agree, and prints the ratio.
The target is a live recompute well under a second on this size.

    .venv/bin/python benchmarks/opinion_map_bench.py [participants] [ideas]
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from deliberation.ideas import clustering, opinion_map  # noqa: E402


def make_matrix(participants: int = 2000, ideas: int = 200, *, seed: int = 20261202,
                families: int = 3, seen_share: float = 0.35) -> tuple[np.ndarray, list[int]]:
    """Participants x ideas: 1 agree, -1 disagree, 0 pass, NaN unseen (deterministic)."""
    rng = np.random.default_rng(seed)
    leaning = rng.choice([-1.0, 0.0, 1.0], size=(families, ideas), p=[0.35, 0.2, 0.45])
    family = rng.integers(0, families, size=participants)
    noise = rng.random((participants, ideas))
    votes = leaning[family].copy()
    flip = noise < 0.2
    votes[flip] = rng.choice([-1.0, 0.0, 1.0], size=int(flip.sum()))
    seen = rng.random((participants, ideas)) < seen_share
    votes[~seen] = np.nan
    return votes, list(range(1, ideas + 1))


def _time(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str]) -> int:
    participants = int(argv[1]) if len(argv) > 1 else 2000
    ideas = int(argv[2]) if len(argv) > 2 else 200
    matrix, idea_ids = make_matrix(participants, ideas)
    base = clustering.analyse(matrix, idea_ids)
    fast = opinion_map.analyse(matrix, idea_ids)
    same = ([(g.size, g.distinctive) for g in base.groups] == [(g.size, g.distinctive) for g in fast.groups]
            and base.consensus == fast.consensus and np.array_equal(base.labels, fast.labels))
    t_base = _time(lambda: clustering.analyse(matrix, idea_ids), 1)
    t_map = _time(lambda: opinion_map.build(matrix, idea_ids), 3)
    print(f"opinion map, {participants} participants x {ideas} ideas, {len(fast.groups)} groups, "
          f"same result as the baseline: {same}")
    print(f"baseline clustering.analyse: {t_base:.3f} s")
    print(f"live opinion_map.build:      {t_map:.3f} s  ({'under' if t_map < 1 else 'OVER'} 1 s)")
    print(f"ratio live / baseline: {t_map / t_base:.3f} ({t_base / t_map:.1f}x faster)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
