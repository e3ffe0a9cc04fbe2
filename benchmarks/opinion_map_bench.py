"""The live opinion map against the full clustering it reproduces, in the same run.

Builds a deterministic vote matrix (2,000 participants x 200 ideas by default: three
opinion families plus noise, each participant seeing a random subset of ideas), then times
``clustering.analyse`` (the baseline: what the results page computed) and
``opinion_map.build`` (the live map: the same clustering with a vectorised silhouette,
plus the basis, regions and divisive ideas), checks they agree, and prints the ratio.
The target is a live recompute well under a second on this size.

    .venv/bin/python benchmarks/opinion_map_bench.py [participants] [ideas] [--db]

``--db`` also times the whole job step on PostgreSQL (a scratch schema, as the other idea
benchmarks): reading the round's votes and building the map (``live_results.compute_map``)
against the same read followed by the baseline clustering.
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


def _time(fn, repeat: int) -> tuple[float, float]:
    """Best wall and CPU seconds of ``repeat`` runs (the machine is shared: CPU is comparable)."""
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        best, best_cpu = min(best, time.perf_counter() - start), min(best_cpu, time.process_time() - cpu)
    return best, best_cpu


def _db(matrix: np.ndarray) -> None:
    import tempfile

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    os.environ.setdefault("KUULAS_INSTANCE", tempfile.mkdtemp())
    from ideas_common import make_round, scratch_schema

    from app import create_app
    from deliberation.ideas import anonymity, live_results
    from deliberation.ideas.models import Idea, IdeaVote
    from kuulas.clock import utcnow
    from kuulas.extensions import db

    with scratch_schema() as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_MODE": "off", "SECRET_KEY": "benchmark-secret",
                          "TESTING": False})
        with app.app_context():
            db.create_all()
            now = utcnow()
            round_ = make_round(app, now)
            key = anonymity.round_key("benchmark-secret", round_.id)
            db.session.execute(Idea.__table__.insert(), [
                {"round_id": round_.id, "author_hash": anonymity.participant_hash(key, "author"),
                 "text": f"Idea {n}", "status": "visible", "created_at": anonymity.round_down(now), "edited": False}
                for n in range(matrix.shape[1])])
            ids = sorted(i for (i,) in db.session.execute(db.select(Idea.id)))
            hashes = [anonymity.participant_hash(key, f"v{n}") for n in range(matrix.shape[0])]
            rows, cols = np.where(~np.isnan(matrix))
            db.session.execute(IdeaVote.__table__.insert(), [
                {"idea_id": ids[c], "voter_hash": hashes[r], "round_id": round_.id, "value": int(matrix[r, c])}
                for r, c in zip(rows.tolist(), cols.tolist())])
            db.session.commit()
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
            rid = round_.id

            def baseline():
                m, idea_ids = live_results.vote_matrix(rid)
                clustering.analyse(m, idea_ids)

            t_read = _time(lambda: live_results.vote_matrix(rid), 3)
            print(f"reading the votes into the matrix: {t_read[0]:.3f} s (CPU {t_read[1]:.3f} s)")
            t_base = _time(baseline, 1)
            t_job = _time(lambda: live_results.compute_map(rid), 3)
            print(f"with PostgreSQL ({len(rows)} votes): read + baseline {t_base[0]:.3f} s (CPU {t_base[1]:.3f}); "
                  f"read + live map {t_job[0]:.3f} s (CPU {t_job[1]:.3f}); ratio {t_job[0] / t_base[0]:.3f}")
            db.session.remove()
            db.engine.dispose()


def main(argv: list[str]) -> int:
    with_db = "--db" in argv
    argv = [a for a in argv if a != "--db"]
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
    print(f"baseline clustering.analyse: {t_base[0]:.3f} s (CPU {t_base[1]:.3f} s)")
    print(f"live opinion_map.build:      {t_map[0]:.3f} s (CPU {t_map[1]:.3f} s)  "
          f"({'under' if t_map[0] < 1 else 'OVER'} 1 s)")
    print(f"ratio live / baseline: {t_map[0] / t_base[0]:.3f} ({t_base[0] / t_map[0]:.1f}x faster)")
    if with_db:
        _db(matrix)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
