"""Load benchmark: gunicorn with several worker processes serving a published outcome
page, compared with a minimal Flask page on the same server in the same run.

    .venv/bin/python benchmarks/outcomes_load.py [--seconds 30] [--workers 4] [--clients 16]

Prints requests/s and p50/p99 latency for both, and the ratio (goal: >= 50 %).
A figure, never an assertion.
"""
from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def seed(env: dict) -> int:
    os.environ.update(env)
    from app import create_app
    from kuulas.accounts import services as accounts
    from kuulas.extensions import db
    from deliberation.outcomes import services
    from deliberation.outcomes.models import Outcome

    app = create_app({"SCHEDULER_MODE": "off"})
    with app.app_context():
        db.create_all()
        now = datetime(2026, 5, 4, 9, 0)
        actor = accounts.create_staff("bench@example.fi", {"preparer"}, password="x" * 16, actor=None, now=now)
        db.session.commit()
        cats = [{"value": str(i), "label": f"Ryhmä {i}", "count": 4 + 3 * i, "population_share": 0.2} for i in range(5)]
        o = Outcome(source_kind="raati", source_id=1, title="Kotihoidon tulevaisuus",
                    question="Miten kotihoitoa pitäisi kehittää?", background="Taustaa " * 80,
                    summary="\n\n".join(f"- Suositus {i}: " + "iltakäyntejä " * 20 for i in range(20)),
                    figures={"members": 40, "sessions": 4},
                    timeline=[{"kind": "session", "at": (now - timedelta(days=d)).isoformat(), "label": f"Istunto {d}"}
                              for d in (40, 30, 20)],
                    composition=[{"feature": f"f{j}", "label": f"Muuttuja {j}", "categories": cats} for j in range(4)],
                    points=[{"key": f"section-{i}", "text": f"Suositus {i}"} for i in range(1, 11)],
                    results={}, statement={"sections": [{"title": f"Suositus {i}", "text": "Teksti. " * 60}
                                                        for i in range(1, 11)], "sha256": "0" * 64,
                                           "locked_at": now.isoformat()},
                    closed_at=now - timedelta(days=10), created_at=now, updated_at=now)
        db.session.add(o)
        db.session.commit()
        services.publish(o.id, actor=actor, now=now)
        services.record_decision(o.id, body="Aluehallitus", meeting_date="2026-05-20", item="§ 123",
                                 minutes_url="https://example.fi/pk/123",
                                 impacts={f"section-{i}": ("adopted", "Perustelu " * 10) for i in range(1, 11)},
                                 notify=False, actor=actor, now=now)
        return o.id


def load(port: int, path: str, seconds: float, clients: int) -> tuple[float, float, float, int]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker():
        mine = []
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", path, headers={"Accept-Language": "fi"})
                resp = conn.getresponse()
                resp.read()
                conn.close()
                ok = resp.status == 200
            except OSError:
                ok = False
            if ok:
                mine.append(time.perf_counter() - t0)
            else:
                errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else float("nan")
    return len(latencies) / elapsed, p(0.5), p(0.99), errors[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="kuulas-bench-")
    env = {"KUULAS_INSTANCE": tmp, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "KUULAS_SCHEDULER": "off",
           "KUULAS_RATELIMIT": "0", "SECRET_KEY": "bench-" + "x" * 40}
    outcome_id = seed(env)
    from tests.conftest import free_port

    port = free_port()
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "benchmarks.outcomes_wsgi:app"],
        cwd=str(ROOT), env={**os.environ, **env})
    try:
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/__bench/ping")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        page = f"/tulokset/{outcome_id}"
        load(port, page, 2, 4)  # warm every worker's cache
        results = {}
        for name, path in (("minimal Flask page", "/__bench/ping"), ("outcome page", page)):
            rps, p50, p99, errs = load(port, path, args.seconds, args.clients)
            results[name] = rps
            print(f"{name:20s} {path:22s} {rps:8.1f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   errors {errs}")
        ratio = results["outcome page"] / results["minimal Flask page"]
        print(f"outcome page throughput = {ratio:.0%} of the minimal page (goal >= 50 %); "
              f"gunicorn -w {args.workers}, {args.clients} clients, {args.seconds:.0f} s each, {os.cpu_count()} CPUs")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
