"""Digiraati load benchmark (prints figures; asserts nothing).

    .venv/bin/pip install py-spy          # optional: the profile printed with the figures
    .venv/bin/python benchmarks/raati_load.py [--clients 300] [--senders 30] [--seconds 60]
                                              [--workers 2] [--runs 2] [--redis URL]
                                              [--only baseline,bare,bare_framed,room,redis]
                                              [--no-profile] [--no-storm]

Each run measures, one after the other on the same machine:

1. a bare asyncio ``websockets`` broadcast server (baseline, compression off);
2. a bare Flask-SocketIO broadcast server on gevent (reference: the framework with nothing of ours),
   and the same with the room's websocket writer (``kuulas.socketio_frames``: a broadcast written
   straight to each socket), so the writer's own saving shows apart from the room's work;
3. the real room (gevent, one process, SQLite file): 300 signed-in members over websockets,
   30 of them post 1 message/s; every message is saved with a sequence number first;
4. the same with two processes sharing the Socket.IO queue over Redis (with --redis);
5. a reconnect storm (first run only): every client drops, the room goes on talking, and all
   rejoin within 5 s and ask for what they missed.

In the first run the one-process room is sampled with py-spy (if installed; ``--nonblocking``,
so the server is never paused) while the clients connect and while the senders post, and the
top lines of both profiles are printed.  The summary gives each server's CPU per delivery and
connect time as ratios to the raw broadcast and to bare Flask-SocketIO of the same run, and
whether the room meets the goals of issue #16 (CPU per delivery ≤ 3× raw; 300 members
connected ≤ 1 s).  The machine's load average is printed at the start and the end.

The clients are lean: they speak the Engine.IO/Socket.IO wire protocol over ``websockets``
(python-socketio's AsyncClient is the bottleneck at this rate, see realtime.md), and they are
spread over ``--workers`` processes, each with its own event loop, because one Python process
cannot read 9,000 deliveries/s without becoming the thing that is measured.  Latency is the
sender's wall clock (``time.time()``, shared by all processes on one machine) to the receiver's.
Each sender posts once a second at its own offset within the second, as 30 people would, not
all 30 in the same millisecond.  After the senders stop, the clients go on reading until nothing has arrived
for 2 s (at most 60 s), so on a loaded machine a late delivery counts as late, not as lost.  With ``--runs 2`` or more the summary gives the median of
each figure over the runs (p99 varies a lot between identical runs, see realtime.md).
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000


# --- servers ----------------------------------------------------------------------------

async def baseline_server(port: int) -> None:
    import websockets

    clients = set()

    async def handler(ws):
        clients.add(ws)
        try:
            async for msg in ws:
                websockets.broadcast(clients, msg)
        finally:
            clients.discard(ws)

    async with websockets.serve(handler, "127.0.0.1", port, compression=None):
        await asyncio.Future()


def bare_socketio_server(port: int, framed: bool = False) -> None:
    """Flask-SocketIO on gevent with nothing of ours: no sign-in, no database, no checks.
    The room's figures minus these are what Kuulas itself costs.  ``framed``: the same with
    the room's websocket writer (``kuulas.socketio_frames``), which writes a broadcast
    straight to each socket instead of through Engine.IO's queue and writer greenlet."""
    from gevent import monkey

    monkey.patch_all()
    from flask import Flask
    from flask_socketio import SocketIO

    app = Flask(__name__)
    sio = SocketIO(app, async_mode="gevent", cors_allowed_origins="*")
    if framed:
        sys.path.insert(0, str(ROOT))
        from kuulas import socketio_frames

        assert socketio_frames.install(sio.server)
    seq = [0]

    @sio.on("connect", namespace="/raati")
    def connect(auth=None):
        return True

    @sio.on("message", namespace="/raati")
    def message(data):
        seq[0] += 1
        sio.emit("event", {"seq": seq[0], "kind": "message", "data": {"body": data["body"]}}, namespace="/raati")
        return {"ok": True, "seq": [seq[0]]}

    sio.run(app, host="127.0.0.1", port=port, log_output=False)


def start_room_server(port, env):
    return subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "raati_server.py"), "serve", str(port)],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_port(port):
    import socket

    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


# --- clients (run inside worker processes) ----------------------------------------------

class Stats:
    def __init__(self):
        self.latencies: list[float] = []
        self.seen: dict[int, set] = {}
        self.dupes = 0
        self.recording = False

    def got(self, client: int, key, sent_at: float):
        s = self.seen.setdefault(client, set())
        if key in s:
            self.dupes += 1
            return
        s.add(key)
        if self.recording:
            self.latencies.append(time.time() - sent_at)


class RawClient:
    """The baseline's client: a plain websocket; every message is ``{"k": key, "t": sent_at}``."""

    def __init__(self, idx, url, stats):
        self.idx, self.url, self.stats = idx, url, stats
        self.ws = self.task = None

    async def connect(self):
        import websockets

        self.ws = await websockets.connect(self.url, compression=None, max_queue=None, open_timeout=30)
        self.task = asyncio.create_task(self._read())

    async def _read(self):
        try:
            async for raw in self.ws:
                m = json.loads(raw)
                self.stats.got(self.idx, m["k"], m["t"])
        except Exception:  # noqa: BLE001
            pass

    async def post(self, n) -> bool:
        await self.ws.send(json.dumps({"k": f"{self.idx}-{n}", "t": time.time()}))
        return True

    async def close(self):
        await self.ws.close()
        if self.task:
            self.task.cancel()


class LeanClient:
    """Engine.IO v4 / Socket.IO v5 over one websocket: connect to /raati, ack'd emits, events."""

    def __init__(self, idx, url, cookie, raati_id, stats):
        self.idx, self.url, self.cookie, self.raati_id, self.stats = idx, url, cookie, raati_id, stats
        self.ws, self.acks, self.next_id, self.last_seq = None, {}, 0, 0
        self.connected = asyncio.Event()
        self.task = None

    async def connect(self):
        import websockets
        from raati_server import USER_AGENT

        self.connected.clear()
        self.ws = await websockets.connect(
            f"{self.url}/socket.io/?EIO=4&transport=websocket", compression=None, max_queue=None,
            additional_headers={"Cookie": f"session={self.cookie}"}, user_agent_header=USER_AGENT,
            origin=self.url.replace("ws://", "http://"), open_timeout=30)
        self.task = asyncio.create_task(self._read())
        await asyncio.wait_for(self.connected.wait(), 30)

    async def _read(self):
        try:
            async for raw in self.ws:
                if raw == "2":
                    await self.ws.send("3")
                elif raw.startswith("0"):
                    await self.ws.send("40/raati," + json.dumps({"raati": self.raati_id}))
                elif raw.startswith("40/raati"):
                    self.connected.set()
                elif raw.startswith("44/raati"):
                    raise RuntimeError("refused: " + raw)
                elif raw.startswith("42/raati,"):
                    name, data = json.loads(raw[len("42/raati,"):])
                    if name == "event":
                        self._event(data)
                elif raw.startswith("43/raati,"):
                    body = raw[len("43/raati,"):]
                    i = body.index("[")
                    fut = self.acks.pop(int(body[:i]), None)
                    if fut and not fut.done():
                        fut.set_result(json.loads(body[i:])[0])
        except Exception:  # noqa: BLE001
            pass

    def _event(self, ev):
        if ev["seq"] > self.last_seq:
            self.last_seq = ev["seq"]
        if ev["kind"] == "message":
            body = ev["data"]["body"]
            self.stats.got(self.idx, ev["seq"], float(body.split("|")[0]))

    async def call(self, event, data):
        self.next_id += 1
        fut = asyncio.get_running_loop().create_future()
        self.acks[self.next_id] = fut
        await self.ws.send(f"42/raati,{self.next_id}" + json.dumps([event, data]))
        return await asyncio.wait_for(fut, 30)

    async def post(self, n) -> bool:
        ack = await self.call("message", {"body": f"{time.time()}|{self.idx}-{n}"})
        if not ack.get("ok"):
            print("  refused:", ack, flush=True)
        return bool(ack.get("ok"))

    async def close(self):
        await self.ws.close()
        if self.task:
            self.task.cancel()


async def _worker_main(conn, spec) -> None:
    """One client process: builds its share of the clients, then obeys the parent's commands."""
    stats = Stats()
    if spec["kind"] == "raw":
        clients = [RawClient(i, spec["urls"][0], stats) for i in spec["indices"]]
    else:
        clients = [LeanClient(i, spec["urls"][i % len(spec["urls"])], spec["cookies"][i], spec["raati_id"], stats)
                   for i in spec["indices"]]
    by_idx = {c.idx: c for c in clients}
    loop = asyncio.get_running_loop()
    while True:
        cmd, arg = await loop.run_in_executor(None, conn.recv)
        if cmd == "connect":
            for k in range(0, len(clients), 50):
                await asyncio.gather(*[c.connect() for c in clients[k:k + 50]])
            conn.send(True)
        elif cmd == "run":
            conn.send(await _run_senders(stats, [by_idx[i] for i in arg["senders"] if i in by_idx], arg))
        elif cmd == "drop":
            for c in clients:
                await c.close()
            conn.send(True)
        elif cmd == "post_storm":
            poster = clients[0]
            await poster.connect()
            for n in range(20):
                await poster.call("message", {"body": f"{time.time()}|storm-{n}"})
            conn.send(poster.last_seq)
        elif cmd == "rejoin":
            conn.send(await _rejoin_all([c for c in clients if c.ws is None or c.ws.close_code is not None], arg))
        elif cmd == "close":
            for c in clients:
                try:
                    await c.close()
                except Exception:  # noqa: BLE001
                    pass
            conn.send(True)
            return


QUIET_S, MAX_DRAIN_S = 2.0, 60.0


async def _run_senders(stats, senders, arg) -> dict:
    """Post once a second per sender, each at its own offset, from a common wall-clock start."""
    start, seconds, total = arg["start"], arg["seconds"], arg["total_senders"]
    sent = refused = 0
    tasks = []

    async def one(c, n):
        nonlocal sent, refused
        try:
            ok = await c.post(n)
        except Exception:  # noqa: BLE001
            ok = False
        sent += ok
        refused += not ok

    stats.recording = True
    plan = sorted((start + n + c.idx / total, c, n) for c in senders for n in range(seconds))
    for at, c, n in plan:
        await asyncio.sleep(max(0.0, at - time.time()))
        tasks.append(asyncio.create_task(one(c, n)))
    await asyncio.gather(*tasks)
    await asyncio.sleep(max(0.0, start + seconds + arg["drain"] - time.time()))
    # On a loaded machine the clients may still be reading what the server wrote: go on
    # until nothing has arrived for QUIET_S (so "lost" means lost, not late), at most MAX_DRAIN_S.
    seen, deadline = -1, time.time() + MAX_DRAIN_S
    while len(stats.latencies) != seen and time.time() < deadline:
        seen = len(stats.latencies)
        await asyncio.sleep(QUIET_S)
    stats.recording = False
    out = {"latencies": stats.latencies, "dupes": stats.dupes, "sent": sent, "refused": refused}
    stats.latencies, stats.dupes = [], 0
    return out


async def _rejoin_all(clients, top) -> dict:
    async def rejoin(c):
        await asyncio.sleep(random.uniform(0, 5))
        await c.connect()
        after, got = c.last_seq, []
        while True:
            ack = await c.call("sync", {"after": after})
            got += [e["seq"] for e in ack["events"]]
            if not ack.get("more"):
                break
            after = got[-1]
        return (max(got) if got else c.last_seq), got

    results = await asyncio.gather(*[rejoin(c) for c in clients], return_exceptions=True)
    ok = sum(1 for r in results if not isinstance(r, Exception) and r[0] >= top and r[1] == sorted(set(r[1])))
    return {"clients": len(clients), "ok": ok, "failed": sum(isinstance(r, Exception) for r in results)}


def _worker_entry(conn, spec) -> None:
    asyncio.run(_worker_main(conn, spec))


class Workers:
    """The parent's handle on the client processes."""

    def __init__(self, n, spec):
        ctx = mp.get_context("spawn")
        self.pipes, self.procs = [], []
        for w in range(n):
            parent, child = ctx.Pipe()
            part = dict(spec, indices=list(range(w, spec["clients"], n)))
            p = ctx.Process(target=_worker_entry, args=(child, part), daemon=True)
            p.start()
            self.pipes.append(parent)
            self.procs.append(p)

    def all(self, cmd, arg=None):
        for p in self.pipes:
            p.send((cmd, arg))
        return [p.recv() for p in self.pipes]

    def one(self, cmd, arg=None):
        self.pipes[0].send((cmd, arg))
        return self.pipes[0].recv()

    def close(self):
        self.all("close")
        for p in self.procs:
            p.join(10)


# --- one measurement --------------------------------------------------------------------

def measure(label, args, workers, server_pids, extra="", profile=False) -> dict:
    from raati_profile import Profile

    with Profile(server_pids[0]) if profile else contextlib.nullcontext() as connect_prof:
        if profile:
            time.sleep(0.5)  # let py-spy attach before the clients come
        cpu0 = sum(cpu_seconds(p) for p in server_pids)
        t0 = time.monotonic()
        workers.all("connect")
        connect_s = time.monotonic() - t0
        connect_cpu = sum(cpu_seconds(p) for p in server_pids) - cpu0
    time.sleep(1)
    with Profile(server_pids[0]) if profile else contextlib.nullcontext() as run_prof:
        cpu0 = sum(cpu_seconds(p) for p in server_pids)
        start = time.time() + 1.0
        parts = workers.all("run", {"start": start, "seconds": args.seconds, "drain": 3.0,
                                    "senders": list(range(args.senders)), "total_senders": args.senders})
        cpu = sum(cpu_seconds(p) for p in server_pids) - cpu0
    mem = sum(rss_mb(p) for p in server_pids)
    latencies = [x for part in parts for x in part["latencies"]]
    sent = sum(part["sent"] for part in parts)
    expected = sent * args.clients
    got = len(latencies)
    out = {"label": label, "connect_s": connect_s, "deliveries_per_s": got / args.seconds,
           "p50": pct(latencies, 50), "p95": pct(latencies, 95), "p99": pct(latencies, 99),
           "lost": expected - got, "dupes": sum(part["dupes"] for part in parts),
           "refused": sum(part["refused"] for part in parts), "mem_mb": mem,
           "cpu_us_per_delivery": cpu / max(got, 1) * 1e6, "connect_cpu_ms": connect_cpu * 1000}
    print(f"{label}\n  connect {args.clients} clients: {connect_s:.2f} s (server CPU {connect_cpu * 1000:.0f} ms);"
          f" deliveries/s {out['deliveries_per_s']:.0f}"
          f" (expected {expected / args.seconds:.0f}); latency p50 {out['p50']:.1f} ms, p95 {out['p95']:.1f} ms, "
          f"p99 {out['p99']:.1f} ms; lost {out['lost']}, duplicated {out['dupes']}, refused {out['refused']}; "
          f"server RSS {mem:.0f} MB; server CPU {out['cpu_us_per_delivery']:.1f} µs/delivery {extra}", flush=True)
    if profile:
        for title, prof in ((f"profile of the server while {args.clients} clients connect", connect_prof),
                            (f"profile of the server while {args.senders} senders post", run_prof)):
            print(f"  {title}:\n    " + "\n    ".join(prof.top()), flush=True)
    return out


def run_baseline(args) -> dict:
    port = free_port()
    proc = subprocess.Popen([sys.executable, __file__, "_baseline", str(port)])
    try:
        wait_port(port)
        workers = Workers(args.workers, {"kind": "raw", "clients": args.clients, "urls": [f"ws://127.0.0.1:{port}"]})
        try:
            return measure("baseline: raw websockets broadcast", args, workers, [proc.pid])
        finally:
            workers.close()
    finally:
        proc.terminate()
        proc.wait()


def run_bare_socketio(args, framed=False) -> dict:
    port = free_port()
    proc = subprocess.Popen([sys.executable, __file__, "_bare_framed" if framed else "_bare", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port)
        workers = Workers(args.workers, {"kind": "room", "clients": args.clients, "raati_id": 0,
                                         "urls": [f"ws://127.0.0.1:{port}"], "cookies": ["-"] * args.clients})
        try:
            return measure(BARE_FRAMED if framed else BARE, args, workers, [proc.pid])
        finally:
            workers.close()
    finally:
        proc.terminate()
        proc.wait()


def run_room(args, label, redis_url=None, processes=1, storm=False, profile=False) -> dict:
    from raati_server import prepare

    tmp = Path(tempfile.mkdtemp(prefix="raati-bench-"))
    db_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    secret = "raati-benchmark-secret-" + "x" * 20
    raati_id, cookies = prepare(db_url, secret, args.clients)
    env = dict(os.environ, DATABASE_URL=db_url, SECRET_KEY=secret, KUULAS_ASYNC_MODE="gevent",
               KUULAS_INSTANCE=str(tmp / "instance"), KUULAS_SCHEDULER="off", KUULAS_RATELIMIT="0")
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    ports = [free_port() for _ in range(processes)]
    procs = [start_room_server(p, env) for p in ports]
    try:
        for p in ports:
            wait_port(p)
        # cookies[0] is the moderator; members are 1..clients.
        workers = Workers(args.workers, {"kind": "room", "clients": args.clients, "raati_id": raati_id,
                                         "urls": [f"ws://127.0.0.1:{p}" for p in ports],
                                         "cookies": cookies[1:]})
        try:
            out = measure(label, args, workers, [p.pid for p in procs], f"({processes} process(es))",
                          profile=profile)
            if storm:
                reconnect_storm(args, workers)
            return out
        finally:
            workers.close()
    finally:
        for p in procs:
            p.terminate()
            p.wait()


def reconnect_storm(args, workers) -> None:
    """Every client drops; the room keeps talking; all rejoin within 5 s and sync."""
    workers.all("drop")
    top = workers.one("post_storm")  # worker 0's first client rejoins and posts 20 messages
    t0 = time.monotonic()
    parts = workers.all("rejoin", top)
    n = sum(p["clients"] for p in parts)
    print(f"reconnect storm: {n} clients dropped and rejoined within 5 s; "
          f"{sum(p['ok'] for p in parts)} caught up to seq {top} in order without duplicates; "
          f"{sum(p['failed'] for p in parts)} failed; all done in {time.monotonic() - t0:.1f} s", flush=True)


BASELINE = "baseline: raw websockets broadcast"
BARE = "reference: bare Flask-SocketIO broadcast (gevent, no sign-in, no database)"
BARE_FRAMED = "reference: the same with the room's websocket writer (kuulas.socketio_frames)"
ROOM = "digiraati room: gevent, one process, no Redis"
ROOM_REDIS = "digiraati room: gevent, two processes over Redis"
# Goals (issue #16), as ratios to the in-run baseline: server CPU per delivery within 3× of the
# raw broadcast, and 300 members connected within 1 s.
GOAL_CPU_RATIO, GOAL_CONNECT_S = 3.0, 1.0


def main(args) -> None:
    print(f"{args.clients} clients in {args.workers} client processes, {args.senders} senders × 1 msg/s, "
          f"{args.seconds} s, {args.runs} run(s); {os.cpu_count()} cores, load average "
          f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())}\n", flush=True)
    only = set(args.only.split(",")) if args.only else {"baseline", "bare", "bare_framed", "room", "redis"}
    results: dict[str, list[dict]] = {}
    for r in range(args.runs):
        print(f"--- run {r + 1}", flush=True)
        steps = [("baseline", lambda: run_baseline(args)), ("bare", lambda: run_bare_socketio(args)),
                 ("bare_framed", lambda: run_bare_socketio(args, framed=True)),
                 ("room", lambda: run_room(args, ROOM, storm=(r == 0 and not args.no_storm),
                                           profile=(r == 0 and not args.no_profile)))]
        if args.redis:
            steps.append(("redis", lambda: run_room(args, ROOM_REDIS, redis_url=args.redis, processes=2)))
        for name, step in steps:
            if name in only:
                out = step()
                results.setdefault(out["label"], []).append(out)
    print(f"\n--- median of {args.runs} run(s); load average now "
          f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    keys = ("p50", "p95", "p99", "deliveries_per_s", "mem_mb", "cpu_us_per_delivery", "connect_s", "connect_cpu_ms")
    med = {label: {k: statistics.median(o[k] for o in outs) for k in keys} for label, outs in results.items()}
    base, bare = med.get(BASELINE), med.get(BARE)

    def ratio(label, key, ref):
        return f"{med[label][key] / ref[key]:.2f}×" if ref else "–"

    for label, m in med.items():
        outs = results[label]
        print(f"{label}\n  p50 {m['p50']:.1f} ms, p95 {m['p95']:.1f} ms, p99 {m['p99']:.1f} ms; "
              f"deliveries/s {m['deliveries_per_s']:.0f}; lost {sum(o['lost'] for o in outs)}, "
              f"duplicated {sum(o['dupes'] for o in outs)}, refused {sum(o['refused'] for o in outs)} in all runs; "
              f"RSS {m['mem_mb']:.0f} MB\n"
              f"  CPU {m['cpu_us_per_delivery']:.1f} µs/delivery = {ratio(label, 'cpu_us_per_delivery', base)} raw, "
              f"{ratio(label, 'cpu_us_per_delivery', bare)} bare Flask-SocketIO; "
              f"connect {m['connect_s']:.2f} s = {ratio(label, 'connect_s', base)} raw, "
              f"{ratio(label, 'connect_s', bare)} bare (server CPU {m['connect_cpu_ms']:.0f} ms)", flush=True)
    if base:
        for label in (ROOM, ROOM_REDIS):
            if label in med:
                cpu_ratio = med[label]["cpu_us_per_delivery"] / base["cpu_us_per_delivery"]
                connect_s = med[label]["connect_s"]
                print(f"goals, {label}: CPU per delivery {cpu_ratio:.2f}× raw (goal ≤ {GOAL_CPU_RATIO:.0f}×: "
                      f"{'met' if cpu_ratio <= GOAL_CPU_RATIO else 'NOT met'}); connect {connect_s:.2f} s "
                      f"(goal ≤ {GOAL_CONNECT_S:.0f} s: {'met' if connect_s <= GOAL_CONNECT_S else 'NOT met'})",
                      flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_baseline":
        asyncio.run(baseline_server(int(sys.argv[2])))
        sys.exit(0)
    if len(sys.argv) > 2 and sys.argv[1] in ("_bare", "_bare_framed"):
        bare_socketio_server(int(sys.argv[2]), framed=sys.argv[1] == "_bare_framed")
        sys.exit(0)
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--senders", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2, help="client processes")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL"))
    parser.add_argument("--only", help="comma-separated subset of baseline,bare,bare_framed,room,redis "
                                       "(for profiling)")
    parser.add_argument("--no-profile", action="store_true", help="do not sample the room with py-spy")
    parser.add_argument("--no-storm", action="store_true", help="skip the reconnect storm")
    main(parser.parse_args())
