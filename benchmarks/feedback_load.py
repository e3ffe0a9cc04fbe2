"""Load: 200 phones and kiosks sending service feedback at once to gunicorn (gevent workers)
on PostgreSQL, compared with a minimal Flask page on the same server in the same run.

    .venv/bin/python benchmarks/feedback_load.py [--senders 200] [--kiosks 50] [--each 5] [--workers 2]

Each phone loads the unit's page (CSRF token from the form) and posts a feedback; each kiosk
loads its start screen (a one-time nonce) and posts.  Prints requests per second and the p50/
p95 of a posted feedback against the minimal page, and checks the database: every accepted
feedback stored exactly once, none lost, every kiosk nonce used once.  Rate limits are off for
the run (every sender shares 127.0.0.1).
"""
from __future__ import annotations

import argparse
import hashlib
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

from ideas_common import scratch_schema  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sender:
    def __init__(self, port, cookies=None):
        self.port, self.cookies = port, dict(cookies or {})

    def request(self, method, path, data=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
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


def phone(sender, slug, each, rng, out, number=0):
    for n in range(each):
        status, page = sender.request("GET", f"/palaute/{slug}")
        assert status == 200, status
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
        t0 = time.perf_counter()
        status, _ = sender.request("POST", f"/palaute/{slug}", {
            "csrf_token": token, "rating": rng.randint(1, 5), "text": f"Kuormapalaute lähettäjältä {number} nro {n}"})
        out["post"].append((status, time.perf_counter() - t0))


def kiosk(sender, each, rng, out):
    for n in range(each):
        status, page = sender.request("GET", "/palaute/kioski")
        assert status == 200, status
        nonce = re.search(rb'name="nonce" value="([^"]+)"', page).group(1).decode()
        t0 = time.perf_counter()
        status, _ = sender.request("POST", "/palaute/kioski", {"nonce": nonce, "rating": rng.randint(1, 5)})
        out["kiosk"].append((status, time.perf_counter() - t0))


def ping(sender, each, out):
    for _ in range(each * 2):
        t0 = time.perf_counter()
        status, _ = sender.request("GET", "/__bench/ping")
        out["ping"].append((status, time.perf_counter() - t0))


def run_all(targets):
    barrier = threading.Barrier(len(targets))
    errors = []

    def go(fn, args):
        barrier.wait()
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - counted
            errors.append(repr(exc))
    threads = [threading.Thread(target=go, args=t) for t in targets]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, errors


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--senders", type=int, default=200)
    ap.add_argument("--kiosks", type=int, default=50)
    ap.add_argument("--each", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--worker-class", default="gevent", choices=["gevent", "gthread"],
                    help="gevent is the production server; gthread for comparison")
    args = ap.parse_args()
    instance = tempfile.mkdtemp()
    os.environ["KUULAS_INSTANCE"] = instance
    with scratch_schema() as url:
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="benchmark-secret", KUULAS_RATELIMIT="0",
                   KUULAS_SCHEDULER="off", KUULAS_ENV="development", KUULAS_INSTANCE=instance)
        from app import create_app
        from deliberation.feedback.models import Feedback, KioskNonce
        from kuulas.clock import utcnow
        from kuulas.extensions import db

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark-secret", "SCHEDULER_MODE": "off"})
        with app.app_context():
            db.create_all()
            now = utcnow()
            from deliberation.feedback.models import Kiosk, Unit
            units = [Unit(slug=f"bench{n}", name={"fi": f"Yksikkö {n}"}, created_at=now) for n in range(10)]
            db.session.add_all(units)
            db.session.flush()
            tokens = []
            for n in range(args.kiosks):
                kiosk_row = Kiosk(unit_id=units[n % len(units)].id, label=f"k{n}", setup_hash=f"setup{n}",
                                  unlock_hash="-", created_at=now)
                db.session.add(kiosk_row)
                db.session.flush()
            db.session.commit()
            for n in range(args.kiosks):
                k = db.session.scalar(db.select(Kiosk).where(Kiosk.label == f"k{n}"))
                token = f"benchtoken{n}"
                k.setup_hash, k.device_hash = None, hashlib.sha256(token.encode()).hexdigest()
                tokens.append(token)
            db.session.commit()
            slugs = [u.slug for u in units]
        port = free_port()
        server = subprocess.Popen(
            [os.path.join(ROOT, ".venv/bin/gunicorn"), "-w", str(args.workers), "-k", args.worker_class,
             *(["--worker-connections", "1000"] if args.worker_class == "gevent" else ["--threads", "8"]),
             "-b", f"127.0.0.1:{port}", "--log-level", "warning",
             "benchmarks.outcomes_wsgi:app"], cwd=ROOT, env=env, start_new_session=True)
        try:
            for _ in range(150):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            rng = random.Random(11)
            Sender(port).request("GET", "/__bench/ping")
            out = {"ping": [], "post": [], "kiosk": []}
            base_time, base_errors = run_all([(ping, (Sender(port), args.each, out)) for _ in range(args.senders)])
            phones = args.senders - args.kiosks
            targets = [(phone, (Sender(port), slugs[n % len(slugs)], args.each, random.Random(rng.random()), out, n))
                       for n in range(phones)]
            targets += [(kiosk, (Sender(port, {"kuulas_kiosk": tokens[n]}), args.each, random.Random(rng.random()), out))
                        for n in range(args.kiosks)]
            load_time, load_errors = run_all(targets)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(20)
        with app.app_context():
            stored = db.session.scalar(db.select(db.func.count()).select_from(Feedback))
            by_channel = dict(db.session.execute(db.select(Feedback.channel, db.func.count()).group_by(Feedback.channel)).all())
            distinct_texts = db.session.scalar(db.select(db.func.count(db.distinct(Feedback.text))).where(Feedback.channel == "web"))
            open_nonces = db.session.scalar(db.select(db.func.count()).select_from(KioskNonce))
            db.session.remove()
            db.engine.dispose()
    ok_web = sum(1 for s, _ in out["post"] if s == 303)
    ok_kiosk = sum(1 for s, _ in out["kiosk"] if s == 200)
    posts = [t for s, t in out["post"] + out["kiosk"]]
    pings = [t for s, t in out["ping"]]
    requests_load = len(out["post"]) * 2 + len(out["kiosk"]) * 2
    print(f"{args.senders} senders at once ({args.senders - args.kiosks} phones, {args.kiosks} kiosks), "
          f"{args.each} feedbacks each; gunicorn {args.workers} {args.worker_class} workers; PostgreSQL")
    print(f"minimal page: {len(pings) / base_time:.0f} req/s, p50 {pct(pings, .5) * 1000:.0f} ms, "
          f"p95 {pct(pings, .95) * 1000:.0f} ms, errors {len(base_errors)}")
    print(f"feedback: {requests_load / load_time:.0f} req/s (page + post), {len(posts) / load_time:.0f} feedbacks/s; "
          f"post p50 {pct(posts, .5) * 1000:.0f} ms, p95 {pct(posts, .95) * 1000:.0f} ms; errors {len(load_errors)}")
    print(f"ratio: feedback requests/s = {requests_load / load_time / (len(pings) / base_time):.0%} of the minimal page; "
          f"p95 {pct(posts, .95) / pct(pings, .95):.1f}x the minimal page's")
    print(f"check: accepted web {ok_web}, kiosk {ok_kiosk}; stored {stored} {by_channel}; "
          f"distinct web texts {distinct_texts}; unused kiosk nonces {open_nonces}")
    ok = (stored == ok_web + ok_kiosk and by_channel.get("web", 0) == ok_web == distinct_texts
          and by_channel.get("kiosk", 0) == ok_kiosk and ok_web + ok_kiosk == len(posts))
    if load_errors:
        print("first error:", load_errors[0])
    print("TOTALS OK: nothing lost, nothing doubled" if ok else "TOTALS MISMATCH")


if __name__ == "__main__":
    main()
