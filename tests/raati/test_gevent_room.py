"""The room on the production server (gevent + gevent-websocket), where a broadcast is written
straight to each member's websocket (``kuulas.socketio_frames``): every member gets every
message once, with no gap in the sequence numbers, whether one process serves the room or two
share it over Redis.  One process also sends them in sequence order; over Redis the two
processes publish independently, so the order on the wire may differ (it did before the
direct writes too) and the client puts events in order by their sequence numbers."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.raati.test_scaleout import _wait

ROOT = Path(__file__).resolve().parents[2]
SENDERS, PER_SENDER = 3, 8  # within a member's burst allowance (10)


def _room(tmp_path, processes, redis_url=None):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from raati_server import USER_AGENT, prepare

    db_url = f"sqlite:///{tmp_path / 'room.sqlite3'}"
    secret = "gevent-room-test-secret-key-0123456789"
    raati_id, cookies = prepare(db_url, secret, members=6)
    env = dict(os.environ, DATABASE_URL=db_url, SECRET_KEY=secret, KUULAS_ASYNC_MODE="gevent",
               KUULAS_INSTANCE=str(tmp_path / "instance"), KUULAS_SCHEDULER="off")
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    ports = [free_port() for _ in range(processes)]
    procs = [subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "raati_server.py"), "serve", str(p)],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for p in ports]
    return raati_id, cookies, ports, procs, USER_AGENT


def _run(tmp_path, processes, redis_url=None, *, wire_order=True):
    import socketio as sio

    raati_id, cookies, ports, procs, user_agent = _room(tmp_path, processes, redis_url)
    clients, seen, lock = [], {}, threading.Lock()
    total = SENDERS * PER_SENDER
    done = threading.Event()
    try:
        for port, proc in zip(ports, procs):
            _wait(port, proc)
        for i in range(6):
            c = sio.Client()
            seen[i] = []

            def on_event(ev, i=i):
                if ev["kind"] == "message":
                    with lock:
                        seen[i].append((ev["seq"], ev["data"]["body"]))
                        if all(len(s) >= total for s in seen.values()):
                            done.set()

            c.on("event", on_event, namespace="/raati")
            c.connect(f"http://127.0.0.1:{ports[i % len(ports)]}", namespaces=["/raati"],
                      transports=["websocket"], auth={"raati": raati_id}, wait_timeout=20,
                      headers={"Cookie": f"session={cookies[i + 1]}", "User-Agent": user_agent})
            clients.append(c)
        acks, ack_lock = [], threading.Lock()

        def acked(ack):
            with ack_lock:
                acks.append(ack)

        for n in range(PER_SENDER):  # the senders' messages interleave, none waits for its ack
            for s in range(SENDERS):
                clients[s].emit("message", {"body": f"{s}-{n}"}, namespace="/raati", callback=acked)
        assert done.wait(30), {i: len(s) for i, s in seen.items()}
        for i, got in seen.items():
            seqs = [seq for seq, _body in got]
            assert len(got) == total and sorted(seqs) == list(range(min(seqs), min(seqs) + total)), (i, seqs)
            if wire_order:
                assert seqs == sorted(seqs), (i, seqs)
                for s in range(SENDERS):  # each sender's own messages in the order it sent them
                    assert [b for _seq, b in got if b.startswith(f"{s}-")] == [f"{s}-{n}" for n in range(PER_SENDER)]
        assert len({frozenset(s) for s in seen.values()}) == 1  # everyone got the same events
        for _ in range(100):
            if len(acks) == total:
                break
            threading.Event().wait(0.1)
        assert len(acks) == total and all(a["ok"] for a in acks), acks
    finally:
        for c in clients:
            c.disconnect()
        for p in procs:
            p.terminate()
            p.wait(10)
            p.stderr.close()


def test_one_gevent_process_delivers_every_message_once_in_order(tmp_path):
    _run(tmp_path, processes=1)


@pytest.mark.redis
def test_two_gevent_processes_over_redis_deliver_every_message_once(redis_url, tmp_path):
    _run(tmp_path, processes=2, redis_url=redis_url, wire_order=False)
