"""Server time of the round page with 2,000 ideas and 50,000 votes on PostgreSQL.

    .venv/bin/python benchmarks/ideas_render.py

Prints the median and p90 of 30 renders (the Flask test client, so this is server time
without the network), for a participant who has voted on 25 ideas.  Goal: median < 100 ms.
"""
from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ideas_common import make_round, scratch_schema  # noqa: E402

IDEAS, VOTES, RENDERS = 2000, 50_000, 30


def main() -> None:
    os.environ.setdefault("KUULAS_INSTANCE", tempfile.mkdtemp())
    from app import create_app
    from deliberation.ideas import anonymity
    from deliberation.ideas.models import Idea, IdeaVote
    from kuulas.clock import utcnow
    from kuulas.extensions import db

    rng = random.Random(1)
    with scratch_schema() as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                          "SCHEDULER_MODE": "off", "SECRET_KEY": "benchmark-secret", "TESTING": False})
        with app.app_context():
            db.create_all()
            now = utcnow()
            round_ = make_round(app, now)
            key = anonymity.round_key("benchmark-secret", round_.id)
            db.session.execute(Idea.__table__.insert(), [
                {"round_id": round_.id, "author_hash": anonymity.participant_hash(key, f"a{n % 700}"),
                 "text": f"Idea {n}: " + "kotihoito " * rng.randint(3, 30), "status": "visible",
                 "created_at": anonymity.round_down(now), "edited": False} for n in range(IDEAS)])
            ids = [i for (i,) in db.session.execute(db.select(Idea.id))]
            rows, seen = [], set()
            while len(rows) < VOTES:
                voter, idea = rng.randrange(2500), rng.choice(ids)
                if (voter, idea) not in seen:
                    seen.add((voter, idea))
                    rows.append({"idea_id": idea, "voter_hash": anonymity.participant_hash(key, f"v{voter}"),
                                 "round_id": round_.id, "value": rng.choice((1, -1, 0))})
            db.session.execute(IdeaVote.__table__.insert(), rows)
            db.session.commit()
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
            rid = round_.id
        client = app.test_client()
        client.get(f"/ideariihi/{rid}")
        for idea in ids[:25]:
            client.post(f"/ideariihi/{rid}/aani", data={"idea_id": idea, "value": "agree"})
        for sort in ("uusimmat", "kannatetuimmat"):
            times = []
            for _ in range(RENDERS):
                start = time.perf_counter()
                r = client.get(f"/ideariihi/{rid}?jarjestys={sort}")
                times.append((time.perf_counter() - start) * 1000)
                assert r.status_code == 200
            times.sort()
            print(f"round page ({IDEAS} ideas, {VOTES} votes, sort={sort}): median {statistics.median(times):.1f} ms, "
                  f"p90 {times[int(0.9 * len(times))]:.1f} ms, min {times[0]:.1f} ms")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
