"""Load: idea-round participants against gunicorn (several processes) on PostgreSQL, with a
bare Flask POST endpoint under the same server as the in-run baseline.

    .venv/bin/python benchmarks/ideas_load.py [--participants 500] [--workers 3] [--mode both]

Two modes (``--mode burst|human|both``):

- **burst**: every participant loads the round page, posts one idea and casts 20 votes back
  to back; the highest sustained votes/s.  The bare endpoint gets the same number of POSTs
  from the same number of clients, and the ratio (ours / bare) is printed.
- **human**: every participant votes every 3 s (uniform jitter of +-1 s), 20 votes each; the
  latency of one vote at p50 / p95 / p99.

Clients run in several processes (so the client's own GIL does not add to the latencies).
The clock starts when every gunicorn worker has loaded the app and every participant has
loaded the page (and posted its idea): worker start-up and page loads are not vote time.
Every run checks the totals in the database: every vote row exists exactly once, the
per-idea counts add up and every idea arrived.  Rate limits are off for the run (all
participants share 127.0.0.1); CSRF is on (tokens read from the page).
"""
from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import contextmanager
from http.cookies import SimpleCookie

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from ideas_common import make_round, scratch_schema  # noqa: E402

SEED_IDEAS = 40
VOTES_EACH = 20
PACE, JITTER = 3.0, 1.0      # human pace: a vote every 3 s +- 1 s


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(app_spec: str, env: dict, args):
    port = free_port()
    ready = tempfile.mkdtemp()
    cmd = [os.path.join(ROOT, ".venv/bin/gunicorn"), "-w", str(args.workers), "-k", args.worker_class,
           "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--backlog", "2048",
           "-c", os.path.join(HERE, "gunicorn_ready.py"), app_spec]
    if args.worker_class == "gthread":
        cmd[5:5] = ["--threads", str(args.threads)]
    server = subprocess.Popen(cmd, cwd=HERE if app_spec.startswith("bare_post") else ROOT,
                              env=dict(env, BENCH_READY_DIR=ready), start_new_session=True)
    try:
        # Every worker has loaded the app (on a busy machine that takes many seconds, and
        # it must not count as the time of the first votes).
        deadline = time.time() + 300
        while len(os.listdir(ready)) < args.workers and time.time() < deadline:
            time.sleep(0.2)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)


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

    def run(self, idea_ids, rng, out, *, pace: bool, post_idea: bool, start):
        base = f"/ideariihi/{self.round_id}"
        status, page = self.request("GET", base)
        assert status == 200, status
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        if post_idea:
            status, _ = self.request("POST", f"{base}/ideat", {"csrf_token": token,
                                                               "text": f"Kuormitusidea {rng.random()}"})
            out["ideas"].append(status)
        start.arrive_and_wait()
        if pace:
            time.sleep(rng.uniform(0, PACE))        # spread the first votes over one period
        for idea in rng.sample(idea_ids, VOTES_EACH):
            t0 = time.perf_counter()
            status, _ = self.request("POST", f"{base}/aani", {"csrf_token": token, "idea_id": idea,
                                                               "value": rng.choice(("agree", "disagree", "pass"))},
                                     json=True)
            took = time.perf_counter() - t0
            out["votes"].append(status)
            out["latency"].append(took)
            if pace:
                time.sleep(max(0.0, rng.uniform(PACE - JITTER, PACE + JITTER) - took))
        out["done"].append(time.time())


class Start:
    """The common start of the votes: every participant has loaded the page (and posted its
    idea) before the first vote, so the page loads are not part of the votes' figures."""

    def __init__(self, arrived, go):
        self.arrived, self.go, self.done = arrived, go, False

    def arrive_and_wait(self):
        if not self.done:
            self.done = True
            with self.arrived.get_lock():
                self.arrived.value += 1
        self.go.wait()


def _client_process(port, round_id, idea_ids, seeds, pace, post_idea, arrived, go, queue):
    out = {"ideas": [], "votes": [], "latency": [], "done": [], "errors": []}

    def go_(seed):
        start = Start(arrived, go)
        try:
            Participant(port, round_id).run(idea_ids, random.Random(seed), out, pace=pace,
                                            post_idea=post_idea, start=start)
        except Exception as exc:  # noqa: BLE001 - counted and printed
            out["errors"].append(repr(exc))
            start.arrive_and_wait()    # a failed page load must not hold the others back
    threads = [threading.Thread(target=go_, args=(seed,)) for seed in seeds]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(out)


def drive(port, round_id, idea_ids, participants, *, pace, post_idea, procs, seed=7):
    """Run the participants in ``procs`` client processes; the merged results and the wall
    time from the common start to the last vote."""
    rng = random.Random(seed)
    seeds = [rng.random() for _ in range(participants)]
    # Everyone first loads the page (and posts the idea); the votes start together.
    queue, arrived, go = mp.Queue(), mp.Value("i", 0), mp.Event()
    workers = [mp.Process(target=_client_process, args=(port, round_id, idea_ids, seeds[i::procs], pace,
                                                        post_idea, arrived, go, queue)) for i in range(procs)]
    for w in workers:
        w.start()
    while arrived.value < participants:
        time.sleep(0.05)
    start_at = time.time()
    go.set()
    merged = {"ideas": [], "votes": [], "latency": [], "done": [], "errors": []}
    for _ in workers:
        part = queue.get()
        for k in merged:
            merged[k] += part[k]
    for w in workers:
        w.join()
    merged["wall"] = max(merged["done"] or [start_at]) - start_at
    return merged


def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def latency_line(latency):
    ms = [1000 * v for v in latency]
    return (f"one vote p50 {pct(ms, 50):.0f} ms, p95 {pct(ms, 95):.0f} ms, p99 {pct(ms, 99):.0f} ms, "
            f"max {max(ms or [0]):.0f} ms")


def check_totals(app, rid, ok_votes, ok_ideas):
    from deliberation.ideas import services
    from deliberation.ideas.models import Idea, IdeaVote
    from kuulas.extensions import db

    with app.app_context():
        rows = db.session.scalar(db.select(db.func.count()).select_from(IdeaVote).where(IdeaVote.round_id == rid))
        summed = sum(c.total for c in services.round_counts(rid).values())
        ideas_now = db.session.scalar(db.select(db.func.count()).select_from(Idea).where(Idea.round_id == rid))
        distinct = db.session.scalar(db.select(db.func.count()).select_from(
            db.select(IdeaVote.idea_id, IdeaVote.voter_hash).where(IdeaVote.round_id == rid).distinct().subquery()))
        db.session.remove()
    print(f"  check: vote rows {rows}, distinct (idea, voter) {distinct}, sum of per-idea counts {summed}, "
          f"ideas {ideas_now} (expected {SEED_IDEAS + ok_ideas})")
    ok = ok_votes > 0 and rows == ok_votes == summed == distinct and ideas_now == SEED_IDEAS + ok_ideas
    print("  TOTALS OK: no vote lost, none counted twice" if ok else "  TOTALS MISMATCH")
    return ok


def seed_round(app):
    from deliberation.ideas.models import Idea
    from kuulas.clock import utcnow
    from kuulas.extensions import db

    with app.app_context():
        now = utcnow()
        rid = make_round(app, now).id
        db.session.execute(Idea.__table__.insert(), [
            {"round_id": rid, "author_hash": f"seed{n}", "text": f"Valmis idea {n}", "status": "visible",
             "created_at": now.replace(minute=0, second=0, microsecond=0), "edited": False}
            for n in range(SEED_IDEAS)])
        db.session.commit()
        ids = [i for (i,) in db.session.execute(db.select(Idea.public_id).where(Idea.round_id == rid))]
        db.session.remove()
    return rid, ids


def report(name, res, n):
    ok = sum(1 for s in res["votes"] if s == 200)
    rate = ok / res["wall"] if res["wall"] > 0 else 0
    print(f"{name}: {ok}/{n * VOTES_EACH} votes in {res['wall']:.1f} s = {rate:.0f} votes/s; "
          f"{latency_line(res['latency'])}; errors {len(res['errors'])}")
    if res["errors"]:
        print("  first error:", res["errors"][0])
    return ok, rate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--participants", type=int, default=500)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--worker-class", default="gthread")
    ap.add_argument("--clients", type=int, default=4, help="client processes")
    ap.add_argument("--mode", choices=("burst", "human", "both"), default="both")
    args = ap.parse_args()
    instance = tempfile.mkdtemp()
    os.environ["KUULAS_INSTANCE"] = instance
    n = args.participants
    print(f"participants {n}, gunicorn {args.workers} x {args.worker_class}"
          f"{f' x {args.threads} threads' if args.worker_class == 'gthread' else ''}, PostgreSQL, "
          f"{args.clients} client processes; load average before {os.getloadavg()[0]:.1f}")
    with scratch_schema() as url:
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="benchmark-secret", KUULAS_RATELIMIT="0",
                   KUULAS_SCHEDULER="off", KUULAS_ENV="development", KUULAS_INSTANCE=instance)
        from app import create_app
        from kuulas.extensions import db

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark-secret", "SCHEDULER_MODE": "off"})
        with app.app_context():
            db.create_all()
        all_ok = True
        burst_rate = bare_rate = None
        if args.mode in ("burst", "both"):
            with gunicorn("bare_post:create_app()", env, args) as port:
                bare = drive(port, 1, [f"x{i}" for i in range(SEED_IDEAS)], n, pace=False, post_idea=False,
                             procs=args.clients)
            _ok, bare_rate = report("bare Flask POST, burst", bare, n)
            rid, ids = seed_round(app)
            with gunicorn("app:create_app()", env, args) as port:
                res = drive(port, rid, ids, n, pace=False, post_idea=True, procs=args.clients)
            ok_votes, burst_rate = report("idea votes, burst", res, n)
            all_ok &= check_totals(app, rid, ok_votes, sum(1 for s in res["ideas"] if s == 302))
            print(f"  burst throughput vs bare Flask POST: {burst_rate / bare_rate:.0%}")
        if args.mode in ("human", "both"):
            rid, ids = seed_round(app)
            with gunicorn("app:create_app()", env, args) as port:
                res = drive(port, rid, ids, n, pace=True, post_idea=True, procs=args.clients)
            ok_votes, _rate = report(f"idea votes, human pace (a vote every {PACE:.0f} s +- {JITTER:.0f} s)", res, n)
            all_ok &= check_totals(app, rid, ok_votes, sum(1 for s in res["ideas"] if s == 302))
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    print(f"load average after {os.getloadavg()[0]:.1f}")
    print("ALL TOTALS OK" if all_ok else "TOTALS MISMATCH")


if __name__ == "__main__":
    main()
