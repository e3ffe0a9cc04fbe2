"""Digiraati load benchmark (prints figures; asserts nothing).

    .venv/bin/python benchmarks/raati_load.py [--clients 300] [--senders 30] [--seconds 60] [--redis URL]

1. a bare asyncio ``websockets`` broadcast server (baseline, compression off);
2. the real room (gevent, one process, SQLite file): 300 signed-in members over websockets,
   30 of them post 1 message/s; every message is saved with a sequence number first;
3. the same with two processes sharing the Socket.IO queue over Redis (with --redis);
4. a reconnect storm: every client drops and rejoins within 5 s and asks for what it missed.

Clients are lean: they speak the Engine.IO/Socket.IO wire protocol over ``websockets`` in one
asyncio process (python-socketio's AsyncClient is the bottleneck at this rate, see realtime.md).
"""
from __future__ import annotations

import argparse
import asyncio
import json
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


# --- baseline ---------------------------------------------------------------------------

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


class Stats:
    def __init__(self):
        self.latencies: list[float] = []
        self.seen: dict[int, set] = {}
        self.dupes = 0

    def got(self, client: int, key, sent_at: float):
        s = self.seen.setdefault(client, set())
        if key in s:
            self.dupes += 1
            return
        s.add(key)
        self.latencies.append(time.time() - sent_at)


async def run_baseline(args) -> dict:
    import websockets

    port = free_port()
    proc = subprocess.Popen([sys.executable, __file__, "_baseline", str(port)])
    await asyncio.sleep(1.0)
    stats, sent = Stats(), []
    t0 = time.monotonic()
    conns = await asyncio.gather(*[websockets.connect(f"ws://127.0.0.1:{port}", compression=None,
                                                      max_queue=None) for _ in range(args.clients)])
    connect_s = time.monotonic() - t0

    async def reader(i, ws):
        try:
            async for raw in ws:
                m = json.loads(raw)
                stats.got(i, m["k"], m["t"])
        except Exception:  # noqa: BLE001
            pass

    readers = [asyncio.create_task(reader(i, ws)) for i, ws in enumerate(conns)]
    cpu0 = cpu_seconds(proc.pid)
    await _send_loop(args, lambda i, n: conns[i].send(json.dumps({"k": f"{i}-{n}", "t": time.time()})), sent)
    await asyncio.sleep(2)
    cpu = cpu_seconds(proc.pid) - cpu0
    mem = rss_mb(proc.pid)
    for ws in conns:
        await ws.close()
    for r in readers:
        r.cancel()
    proc.terminate()
    return _report("baseline: raw websockets broadcast", args, stats, len(sent), connect_s, mem, cpu)


async def _send_loop(args, send, sent):
    deadline = time.monotonic() + args.seconds
    n = 0
    start = time.monotonic()
    while time.monotonic() < deadline:
        tick = start + n
        await asyncio.sleep(max(0, tick - time.monotonic()))
        for i in range(args.senders):
            await send(i, n)
            sent.append((i, n))
        n += 1


def _report(label, args, stats, sent, connect_s, mem, cpu, extra="") -> dict:
    expected = sent * args.clients
    got = len(stats.latencies)
    secs = args.seconds
    out = {"label": label, "connect_s": connect_s, "deliveries_per_s": got / secs, "p50": pct(stats.latencies, 50),
           "p95": pct(stats.latencies, 95), "p99": pct(stats.latencies, 99), "lost": expected - got,
           "dupes": stats.dupes, "mem_mb": mem, "cpu_us_per_delivery": cpu / max(got, 1) * 1e6}
    print(f"{label}\n  connect {args.clients} clients: {connect_s:.2f} s; deliveries/s {out['deliveries_per_s']:.0f}"
          f" (expected {expected / secs:.0f}); latency p50 {out['p50']:.1f} ms, p95 {out['p95']:.1f} ms, "
          f"p99 {out['p99']:.1f} ms; lost {out['lost']}, duplicated {out['dupes']}; server RSS {mem:.0f} MB; "
          f"server CPU {out['cpu_us_per_delivery']:.1f} µs/delivery {extra}", flush=True)
    return out


# --- the room ---------------------------------------------------------------------------

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

    async def close(self):
        await self.ws.close()
        if self.task:
            self.task.cancel()


def start_server(port, env):
    return subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "raati_server.py"), "serve", str(port)],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def wait_port(port):
    for _ in range(150):
        try:
            _r, w = await asyncio.open_connection("127.0.0.1", port)
            w.close()
            return
        except OSError:
            await asyncio.sleep(0.2)
    raise RuntimeError("server did not start")


async def run_room(args, label, redis_url=None, processes=1, storm=False) -> dict:
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
    procs = [start_server(p, env) for p in ports]
    for p in ports:
        await wait_port(p)
    stats = Stats()
    clients = [LeanClient(i, f"ws://127.0.0.1:{ports[i % processes]}", cookies[i + 1], raati_id, stats)
               for i in range(args.clients)]
    t0 = time.monotonic()
    for k in range(0, len(clients), 50):
        await asyncio.gather(*[c.connect() for c in clients[k:k + 50]])
    connect_s = time.monotonic() - t0
    await asyncio.sleep(1)
    sent = []
    cpu0 = sum(cpu_seconds(p.pid) for p in procs)

    async def send(i, n):
        async def one():
            ack = await clients[i].call("message", {"body": f"{time.time()}|{i}-{n}"})
            if ack.get("ok"):
                sent.append(1)
            else:
                print("  refused:", ack, flush=True)
        asyncio.create_task(one())

    dummy = []
    await _send_loop(args, send, dummy)
    await asyncio.sleep(3)
    cpu = sum(cpu_seconds(p.pid) for p in procs) - cpu0
    mem = sum(rss_mb(p.pid) for p in procs)
    out = _report(label, args, stats, len(sent), connect_s, mem, cpu, f"({processes} process(es))")
    if storm:
        await reconnect_storm(clients)
    for c in clients:
        await c.close()
    for p in procs:
        p.terminate()
    return out


async def reconnect_storm(clients):
    """Every client drops; the room keeps talking; all rejoin within 5 s and sync."""
    for c in clients:
        await c.close()
    poster = clients[0]
    await poster.connect()
    for n in range(20):
        await poster.call("message", {"body": f"{time.time()}|storm-{n}"})
    top = poster.last_seq
    t0 = time.monotonic()

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
        return c.last_seq if not got else max(got), got

    results = await asyncio.gather(*[rejoin(c) for c in clients[1:]], return_exceptions=True)
    ok = sum(1 for r in results if not isinstance(r, Exception) and r[0] >= top
             and r[1] == sorted(set(r[1])))
    print(f"reconnect storm: {len(clients) - 1} clients dropped and rejoined within 5 s; "
          f"{ok} caught up to seq {top} in order without duplicates; "
          f"{sum(isinstance(r, Exception) for r in results)} failed; all done in {time.monotonic() - t0:.1f} s", flush=True)


async def main(args):
    print(f"{args.clients} clients, {args.senders} senders × 1 msg/s, {args.seconds} s\n", flush=True)
    await run_baseline(args)
    await run_room(args, "digiraati room: gevent, one process, no Redis", storm=True)
    if args.redis:
        await run_room(args, "digiraati room: gevent, two processes over Redis", redis_url=args.redis, processes=2)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_baseline":
        asyncio.run(baseline_server(int(sys.argv[2])))
        sys.exit(0)
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--senders", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL"))
    asyncio.run(main(parser.parse_args()))
