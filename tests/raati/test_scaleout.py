"""Scale-out: two app processes share the Socket.IO message queue through real Redis; a
message posted through one reaches a member connected to the other.  Also sequence numbers
under concurrent writers on real PostgreSQL."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def _wait(port, proc, timeout=30):
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("server did not start")


@pytest.mark.redis
def test_message_crosses_processes_over_redis(redis_url, tmp_path):
    import socketio as sio

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from raati_server import USER_AGENT, prepare

    db_url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    secret = "scale-out-test-secret-key-0123456789"
    raati_id, cookies = prepare(db_url, secret, members=2)
    env = dict(os.environ, DATABASE_URL=db_url, REDIS_URL=redis_url, SECRET_KEY=secret,
               KUULAS_ASYNC_MODE="threading", KUULAS_INSTANCE=str(tmp_path / "instance"),
               KUULAS_SCHEDULER="off")
    ports = [free_port(), free_port()]
    procs = [subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "raati_server.py"), "serve", str(p)],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for p in ports]
    clients = []
    try:
        for port, proc in zip(ports, procs):
            _wait(port, proc)
        got = []
        arrived = threading.Event()
        for i, port in enumerate(ports):
            c = sio.Client()
            if i == 1:
                @c.on("event", namespace="/raati")
                def _on(ev):
                    if ev["kind"] == "message":
                        got.append(ev)
                        arrived.set()
            c.connect(f"http://127.0.0.1:{port}", namespaces=["/raati"], transports=["websocket"],
                      auth={"raati": raati_id},
                      headers={"Cookie": f"session={cookies[i + 1]}", "User-Agent": USER_AGENT})
            clients.append(c)
        # a cross-site origin is refused by the real server's handshake too (CSWSH)
        import http.client

        for origin, status in (("https://evil.example", 400), (f"http://127.0.0.1:{ports[0]}", 200)):
            conn = http.client.HTTPConnection("127.0.0.1", ports[0], timeout=5)
            conn.request("GET", "/socket.io/?EIO=4&transport=polling",
                         headers={"Origin": origin, "Cookie": f"session={cookies[1]}", "User-Agent": USER_AGENT})
            assert conn.getresponse().status == status, origin
            conn.close()
        ack = clients[0].call("message", {"body": "Terveisiä toisesta prosessista"}, namespace="/raati", timeout=10)
        assert ack["ok"], ack
        assert arrived.wait(10), "the message did not cross to the other process"
        assert got[0]["data"]["body"] == "Terveisiä toisesta prosessista" and got[0]["seq"] == ack["seq"][0]
    finally:
        for c in clients:
            c.disconnect()
        for p in procs:
            p.terminate()
            p.wait(10)


@pytest.mark.postgres
def test_sequence_numbers_unique_under_concurrency_on_postgres(postgres_url, tmp_path, monkeypatch):
    monkeypatch.setenv("KUULAS_INSTANCE", str(tmp_path / "instance"))
    from app import create_app
    from deliberation.raati import services
    from deliberation.raati.models import Event
    from kuulas.accounts import services as accounts
    from kuulas.clock import utcnow
    from kuulas.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": postgres_url, "SCHEDULER_MODE": "off"})
    with app.app_context():
        db.create_all()
        now = utcnow()
        staff = accounts.create_staff("p@example.fi", {"preparer"}, actor=None, now=now)
        raati = services.save_raati(None, {"title_fi": "T", "question_fi": "Q"}, actor=staff, now=now)
        ids = []
        for i in range(8):
            acc = accounts.resident_account(f"c{i}@example.fi", now=now)
            services._ensure_member(raati, acc.id, "member", now).display_name = f"J{i}"
            ids.append(acc.id)
        db.session.commit()
        rid = raati.id
    errors = []

    def writer(account_id):
        from kuulas.accounts.models import Account

        with app.app_context():
            try:
                for n in range(10):
                    services.post_message(rid, f"m{n}", actor=db.session.get(Account, account_id), now=utcnow())
                    db.session.commit()
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with app.app_context():
        seqs = sorted(db.session.scalars(db.select(Event.seq).where(Event.raati_id == rid)))
        assert seqs == list(range(1, 81))
        db.engine.dispose()
