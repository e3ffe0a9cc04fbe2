"""Load: 500 concurrent participants against gunicorn (several processes) on PostgreSQL,
each loading the round page, posting one idea and casting 20 votes.

    .venv/bin/python benchmarks/ideas_load.py [--participants 500] [--workers 3]

Prints votes per second and checks the totals in the database: every vote row exists
exactly once, the per-idea counts add up, and every idea arrived.  Rate limits are off
for the run (all participants share 127.0.0.1); CSRF is on (tokens read from the page).
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from ideas_common import make_round, scratch_schema  # noqa: E402

SEED_IDEAS = 40
VOTES_EACH = 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Participant:
    def __init__(self, port, round_id):
        self.port, self.round_id, self.cookies = port, round_id, {}

    def request(self, method, path, data=None, json=False):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if json:
            headers.update({"Accept": "application/json", "X-Requested-With": "ideas.js"})
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        payload = resp.read()
        for header in resp.headers.get_all("Set-Cookie") or []:
            c = SimpleCookie()
            c.load(header)
            for k, m in c.items():
                self.cookies[k] = m.value
        conn.close()
        return resp.status, payload

    def run(self, idea_ids, rng, results):
        base = f"/ideariihi/{self.round_id}"
        status, page = self.request("GET", base)
        assert status == 200, status
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        status, _ = self.request("POST", f"{base}/ideat", {"csrf_token": token, "text": f"Kuormitusidea {rng.random()}"})
        results["ideas"].append(status)
        t0 = time.perf_counter()
        for idea in rng.sample(idea_ids, VOTES_EACH):
            status, _ = self.request("POST", f"{base}/aani", {"csrf_token": token, "idea_id": idea,
                                                               "value": rng.choice(("agree", "disagree", "pass"))},
                                     json=True)
            results["votes"].append(status)
        results["vote_time"].append(time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--participants", type=int, default=500)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--threads", type=int, default=8)
    args = ap.parse_args()
    instance = tempfile.mkdtemp()
    os.environ["KUULAS_INSTANCE"] = instance
    with scratch_schema() as url:
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="benchmark-secret", KUULAS_RATELIMIT="0",
                   KUULAS_SCHEDULER="off", KUULAS_ENV="development", KUULAS_INSTANCE=instance)
        from app import create_app
        from deliberation.ideas import services
        from deliberation.ideas.models import Idea, IdeaVote
        from kuulas.clock import utcnow
        from kuulas.extensions import db

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark-secret", "SCHEDULER_MODE": "off"})
        with app.app_context():
            db.create_all()
            now = utcnow()
            round_ = make_round(app, now)
            rid = round_.id
            db.session.execute(Idea.__table__.insert(), [
                {"round_id": rid, "author_hash": f"seed{n}", "text": f"Valmis idea {n}", "status": "visible",
                 "created_at": now.replace(minute=0, second=0, microsecond=0), "edited": False}
                for n in range(SEED_IDEAS)])
            db.session.commit()
            idea_ids = [i for (i,) in db.session.execute(db.select(Idea.public_id))]
        port = free_port()
        server = subprocess.Popen(
            [os.path.join(ROOT, ".venv/bin/gunicorn"), "-w", str(args.workers), "-k", "gthread",
             "--threads", str(args.threads), "-b", f"127.0.0.1:{port}", "--log-level", "warning", "app:create_app()"],
            cwd=ROOT, env=env, start_new_session=True)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            results = {"ideas": [], "votes": [], "vote_time": []}
            rng = random.Random(7)
            people = [Participant(port, rid) for _ in range(args.participants)]
            barrier = threading.Barrier(args.participants)

            def go(p, seed):
                barrier.wait()
                try:
                    p.run(idea_ids, random.Random(seed), results)
                except Exception as exc:  # noqa: BLE001 - counted below
                    results.setdefault("errors", []).append(repr(exc))
            threads = [threading.Thread(target=go, args=(p, rng.random())) for p in people]
            start = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - start
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(20)
        ok_votes = sum(1 for s in results["votes"] if s == 200)
        ok_ideas = sum(1 for s in results["ideas"] if s == 302)
        with app.app_context():
            rows = db.session.scalar(db.select(db.func.count()).select_from(IdeaVote))
            counts = services.round_counts(rid)
            summed = sum(c.total for c in counts.values())
            ideas_now = db.session.scalar(db.select(db.func.count()).select_from(Idea))
            distinct = db.session.scalar(db.select(db.func.count()).select_from(
                db.select(IdeaVote.idea_id, IdeaVote.voter_hash).distinct().subquery()))
            db.session.remove()
            db.engine.dispose()
        print(f"participants {args.participants}, gunicorn {args.workers} processes x {args.threads} threads, "
              f"PostgreSQL")
        print(f"wall time {elapsed:.1f} s; votes accepted {ok_votes}/{args.participants * VOTES_EACH}; "
              f"ideas accepted {ok_ideas}/{args.participants}; errors {len(results.get('errors', []))}")
        print(f"throughput {ok_votes / elapsed:.0f} votes/s over the whole run "
              f"(each participant's 20 votes took median {(sorted(results['vote_time']) or [0])[len(results['vote_time']) // 2]:.1f} s)")
        print(f"check: vote rows {rows}, distinct (idea, voter) {distinct}, sum of per-idea counts {summed}, "
              f"ideas {ideas_now} (expected {SEED_IDEAS + ok_ideas})")
        ok = ok_votes > 0 and rows == ok_votes == summed == distinct and ideas_now == SEED_IDEAS + ok_ideas
        if results.get("errors"):
            print("first error:", results["errors"][0])
        print("TOTALS OK: no vote lost, none counted twice" if ok else "TOTALS MISMATCH")


if __name__ == "__main__":
    main()
