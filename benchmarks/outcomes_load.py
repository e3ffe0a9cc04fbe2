"""Load benchmark: gunicorn serving published outcome pages WITH their charts (a
digiraati's: participation against the population for 4 features, impact on 10 points; an
idea round's: votes on the top ideas, impact), compared with a minimal Flask page on the
same server in the same run.  The production server by default (gevent workers).

    .venv/bin/python benchmarks/outcomes_load.py [--seconds 30] [--workers 2] [--clients 16]
        [--worker-class gevent|sync] [--rounds 3]

Prints requests/s and p50/p99 latency for each, the ratio to the minimal page (goal:
>= 50 %), and the cost of drawing the charts on a cold render (page cache and chart memo
emptied) against the same render without the charts.  A figure, never an assertion.
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
        db.session.commit()
        statuses = ("adopted", "partly", "not_adopted", "pending")
        services.record_decision(o.id, body="Aluehallitus", meeting_date="2026-05-20", item="§ 123",
                                 minutes_url="https://example.fi/pk/123",
                                 impacts={f"section-{i}": (statuses[i % 4], "Perustelu " * 10) for i in range(1, 11)},
                                 notify=False, actor=actor, now=now)
        db.session.commit()
        top = [{"text": f"Idea {n}: " + "iltakäynnit kotihoitoon " * 4, "agree": 200 - 9 * n, "disagree": 5 * n,
                "pass": 20, "themes": []} for n in range(1, 11)]
        ideas = Outcome(source_kind="ideas", source_id=2, title="Terveysasemalle pääsy",
                        question="Miten terveysasemalle pääsyä voisi helpottaa?", background="Taustaa " * 40,
                        summary="Osallistujat toivoivat takaisinsoittoa ja iltavastaanottoja.",
                        figures={"participants": 400, "ideas": 120, "votes": 9000, "comments": 40},
                        timeline=[], composition=[],
                        points=[{"key": f"idea-{n}", "text": i["text"]} for n, i in enumerate(top, 1)],
                        results={"top_ideas": top, "consensus": [top[1]["text"]],
                                 "groups": [{"label": "A", "size": 220, "distinctive": [top[2]["text"]]},
                                            {"label": "B", "size": 180, "distinctive": [top[3]["text"]]}]},
                        closed_at=now - timedelta(days=10), created_at=now, updated_at=now)
        db.session.add(ideas)
        db.session.commit()
        services.publish(ideas.id, actor=actor, now=now)
        db.session.commit()
        services.record_decision(ideas.id, body="Aluehallitus", meeting_date="2026-05-20", item="§ 124",
                                 impacts={f"idea-{n}": (statuses[n % 4], "Perustelu.") for n in range(1, 7)},
                                 notify=False, actor=actor, now=now)
        db.session.commit()
        print(cold_render(app, [o.id, ideas.id]))
        return [o.id, ideas.id]


def cold_render(app, ids: list[int], rounds: int = 30) -> str:
    """Milliseconds per cold render of each outcome page (no page cache, no chart memo),
    with the charts and with the chart drawing replaced by nothing, in the same process."""
    from flask import render_template

    from deliberation.outcomes import glance, present, services

    def once(oid):
        app.extensions.pop("outcomes_chart_memo", None)
        with app.test_request_context(f"/tulokset/{oid}", headers={"Accept-Language": "fi"}):
            render_template("outcomes/show.html", preview=False, **present.view(services.get_public(oid)))

    def timed():
        out = []
        for oid in ids:
            once(oid)
            t0 = time.perf_counter()
            for _ in range(rounds):
                once(oid)
            out.append((time.perf_counter() - t0) / rounds * 1000)
        return out

    with_charts = timed()
    real = glance.build
    glance.build = lambda o, ctx: {"participation": [{"feature": f, "chart": None} for f in ctx["composition"]],
                                   "votes": None, "impact": None, "impact_rows": []}
    try:
        without = timed()
    finally:
        glance.build = real
    return "cold render (ms, with charts / without): " + ", ".join(
        f"outcome {oid}: {a:.1f} / {b:.1f}" for oid, a, b in zip(ids, with_charts, without))


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
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved slices per page")
    parser.add_argument("--worker-class", default="gevent", choices=["gevent", "sync"],
                        help="gevent is the production server; sync (the old default) for comparison")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="kuulas-bench-")
    env = {"KUULAS_INSTANCE": tmp, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "KUULAS_SCHEDULER": "off",
           "KUULAS_RATELIMIT": "0", "SECRET_KEY": "bench-" + "x" * 40}
    outcome_ids = seed(env)
    from tests.conftest import free_port

    port = free_port()
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", str(args.workers), "-k", args.worker_class,
         *(["--worker-connections", "1000"] if args.worker_class == "gevent" else []), "-b", f"127.0.0.1:{port}",
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
        pages = {"digiraati outcome": f"/tulokset/{outcome_ids[0]}", "idea round outcome": f"/tulokset/{outcome_ids[1]}"}
        for page in pages.values():
            load(port, page, 2, 4)  # warm every worker's cache
        # Interleaved slices (ping, page, page, ping, ...) so that a change in the shared
        # machine's load during the run weighs on every page alike.
        results: dict[str, list] = {}
        slices = max(1, args.rounds)
        for _round in range(slices):
            for name, path in (("minimal Flask page", "/__bench/ping"), *pages.items()):
                results.setdefault(name, []).append(load(port, path, args.seconds / slices, args.clients))
        for name, path in (("minimal Flask page", "/__bench/ping"), *pages.items()):
            runs = results[name]
            rps = sum(r[0] for r in runs) / len(runs)
            p50 = sorted(r[1] for r in runs)[len(runs) // 2]
            p99 = max(r[2] for r in runs)
            errs = sum(r[3] for r in runs)
            results[name] = rps
            print(f"{name:20s} {path:22s} {rps:8.1f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   errors {errs}")
        for name in pages:
            ratio = results[name] / results["minimal Flask page"]
            print(f"{name} with charts: throughput = {ratio:.0%} of the minimal page (goal >= 50 %)")
        print(f"gunicorn -w {args.workers} -k {args.worker_class}, {args.clients} clients, {args.seconds:.0f} s each, "
              f"{os.cpu_count()} CPUs, load average before {os.getloadavg()[0]:.1f}")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
