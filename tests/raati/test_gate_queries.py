"""The room's hot paths stay cheap: statements per socket event and per connect are counted
(not timed), and what the cheaper paths replaced still holds: a revoked session ends on its
next event, a removed or muted member is refused at once, and presence is told in batches
that carry the final state."""
from __future__ import annotations

import contextlib

import pytest

from sqlalchemy import event

from tests.raati.conftest import emit, received


@contextlib.contextmanager
def statements():
    from kuulas.extensions import db

    seen: list[str] = []

    def note(conn, cursor, statement, *args):
        words = statement.split()
        seen.append(words[0].upper() + (" raati" if any(w.startswith("raati") for w in words) else ""))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_a_message_reads_once_and_writes_its_rows(room):
    a = room.socket("a")
    assert emit(a, "message", {"body": "lämmittely"})["ok"]  # warm caches
    with statements() as seen:
        ack = emit(a, "message", {"body": "Hei kaikki"})
    assert ack["ok"]
    # one gate SELECT (account, member, raati, phase), the sequence UPDATE, the event and
    # message INSERTs; nothing re-read after the commit
    assert seen.count("SELECT") + seen.count("SELECT raati") == 1, seen
    assert seen.count("UPDATE raati") == 1 and seen.count("INSERT raati") == 2, seen


def test_connect_reads_the_membership_once_and_writes_one_row(room, app, monkeypatch):
    import gc

    from deliberation.raati import gate
    from kuulas.extensions import socketio

    p = room.person("a")
    entry = gate.entry

    def entry_then_collect(*args):
        found = entry(*args)
        gc.collect()  # the identity map holds weak references: the entry must keep the account
        return found

    monkeypatch.setattr(gate, "entry", entry_then_collect)
    with statements() as seen:
        sc = socketio.test_client(app, namespace="/raati", flask_test_client=p.client, auth={"raati": room.id})
    assert sc.is_connected("/raati")
    # ONE query for the account (with its staff roles), the membership and the member's
    # open sockets (the sign-in finds the account it read), then the connection row
    assert seen == ["SELECT raati", "INSERT raati"], seen


def test_connect_in_one_query_still_refuses_what_the_sign_in_refuses(room, app):
    """The connect reads the account itself, but the sign-in still decides: a session of an
    older version, a deactivated account and a staff session not opened by the password are
    refused, and a member who is not in this raati is told so."""
    from kuulas.accounts.views import AUTH_KEY
    from kuulas.extensions import db, socketio

    def connects(p, raati_id=room.id):
        sc = socketio.test_client(app, namespace="/raati", flask_test_client=p.client, auth={"raati": raati_id})
        return sc.is_connected("/raati")

    a = room.person("a")
    assert connects(a)
    a.account.session_version += 1
    db.session.commit()
    assert not connects(a)                     # its session was signed out everywhere
    b = room.person("b")
    b.account.active = False
    db.session.commit()
    assert not connects(b)
    mod = room.person("mod")
    assert connects(mod)
    with mod.client.session_transaction() as sess:
        sess[AUTH_KEY] = "mail_link"           # a staff account's session not opened by password
    assert not connects(mod)
    c = room.person("c")
    assert not connects(c, raati_id=room.id + 1000)  # no such membership
    assert connects(c)


def test_connect_counts_the_members_other_sockets_in_the_same_query(room):
    from deliberation.raati import services

    sockets = [room.socket("a") for _ in range(services.MAX_CONNECTIONS_PER_MEMBER)]
    assert all(s.is_connected("/raati") for s in sockets)
    extra = room.socket("a")
    assert not extra.is_connected("/raati")
    sockets[0].disconnect(namespace="/raati")
    assert room.socket("a").is_connected("/raati")


def test_a_bumped_session_version_ends_the_open_socket_on_its_next_event(room):
    """Sign-out-everywhere (or a role change) bumps the version: the gate reads it on every
    event, so the open socket is refused and disconnected."""
    from kuulas.extensions import db

    a = room.socket("a")
    assert emit(a, "message", {"body": "ennen"})["ok"]
    p = room.person("a")
    p.account.session_version += 1
    db.session.commit()
    ack = emit(a, "message", {"body": "jälkeen"})
    assert ack["ok"] is False and ack["code"] == "access_denied"
    assert not a.is_connected("/raati")
    assert "jälkeen" not in [e["data"].get("body") for e in received(room.socket("b"), "event")]


def test_the_gate_reads_membership_changes_made_by_another_process(room):
    """Nothing about the member is kept on the connection: a mute or role change written
    by any process (here straight to the database) applies to the very next event."""
    from kuulas.extensions import db

    a = room.socket("a")
    assert emit(a, "message", {"body": "yksi"})["ok"]
    member = room.person("a").member
    member.muted = True
    db.session.commit()
    assert emit(a, "message", {"body": "kaksi"})["code"] == "access_denied"
    member.muted, member.role = False, "observer"
    db.session.commit()
    assert emit(a, "message", {"body": "kolme"})["code"] == "access_denied"
    member.role = "member"
    db.session.commit()
    assert emit(a, "message", {"body": "neljä"})["ok"]


def test_presence_is_told_in_one_batch_with_the_final_state(room, app):
    from deliberation.raati import events

    app.config["RAATI_PRESENCE_DELAY"] = None  # flushed by hand below
    a = room.socket("a")
    with app.app_context():
        events.flush_presence()
    a.get_received("/raati")
    ids = {k: room.person(k).member.id for k in ("b", "c", "chair")}
    b = room.socket("b")
    c1, c2 = room.socket("c"), room.socket("c")
    chair = room.socket("chair")
    b.disconnect(namespace="/raati")        # came and went: told as gone
    c1.disconnect(namespace="/raati")       # still has another window: told as present
    assert received(a, "presence") == []    # nothing told per connect
    with app.app_context():
        assert events.flush_presence() == 3
    told = received(a, "presence")
    assert len(told) == 1
    state = {m["member"]: m["online"] for m in told[0]["members"]}
    assert state == {ids["b"]: False, ids["c"]: True, ids["chair"]: True}
    assert {m["name"] for m in told[0]["members"]} == {"B", "C", "Chair"}
    with app.app_context():
        assert events.flush_presence() == 0  # nothing pending: nothing sent
    assert received(a, "presence") == []
    assert c2.is_connected("/raati") and chair.is_connected("/raati")


def test_presence_batch_is_sent_by_itself_after_the_delay(room, app):
    import time

    app.config["RAATI_PRESENCE_DELAY"] = 0.05
    a = room.socket("a")
    b_id = room.person("b").member.id
    room.socket("b")
    told = []
    for _ in range(100):  # the batch comes from a background task; wait for it (not timed)
        told += received(a, "presence")
        if any(m["member"] == b_id for t in told for m in t["members"]):
            break
        time.sleep(0.05)
    assert any(m["member"] == b_id and m["online"] for t in told for m in t["members"])


def test_local_rate_limiter_is_a_moving_window():
    from limits import RateLimitItemPerSecond

    from deliberation.raati.ratelimit import LocalMovingWindow

    now = [100.0]
    limiter = LocalMovingWindow(clock=lambda: now[0])
    item = RateLimitItemPerSecond(3, 2)
    assert [limiter.hit(item, "m", "1") for _ in range(4)] == [True, True, True, False]
    assert limiter.hit(item, "m", "2")          # another member has its own allowance
    now[0] += 1.0
    assert not limiter.hit(item, "m", "1")      # the window still holds three hits
    now[0] += 1.01
    assert limiter.hit(item, "m", "1")          # the first three have left the window
    assert limiter.hit(item, "m", "1") and limiter.hit(item, "m", "1")
    assert not limiter.hit(item, "m", "1")


@pytest.mark.postgres
def test_socket_limit_and_gate_on_postgres(postgres_url, tmp_path, monkeypatch):
    """PostgreSQL takes the locking branch of connect (row lock, then the count) and runs the
    gate's one query; the fourth socket of a member is refused there too."""
    monkeypatch.setenv("KUULAS_INSTANCE", str(tmp_path / "instance"))
    from app import create_app
    from deliberation.raati import gate, services
    from kuulas.accounts import services as accounts
    from kuulas.clock import utcnow
    from kuulas.errors import Conflict
    from kuulas.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": postgres_url, "SCHEDULER_MODE": "off"})
    with app.app_context():
        db.create_all()
        now = utcnow()
        staff = accounts.create_staff("p@example.fi", {"preparer"}, actor=None, now=now)
        raati = services.save_raati(None, {"title_fi": "T", "question_fi": "Q"}, actor=staff, now=now)
        acc = accounts.resident_account("pg@example.fi", now=now)
        member = services._ensure_member(raati, acc.id, "member", now)
        member.display_name = "PG"
        db.session.commit()
        for n in range(3):
            services.connect(raati.id, f"sid-{n}", actor=acc, now=now)
            db.session.commit()
        with pytest.raises(Conflict):
            services.connect(raati.id, "sid-3", actor=acc, now=now)
        db.session.rollback()
        actor = gate.load(acc.id, member.id, acc.session_version)
        assert actor is not None and actor.room_member.id == member.id
        assert services.post_message(raati.id, "hei", actor=actor, now=now)[0].seq == 1
        db.session.commit()
        assert gate.load(acc.id, member.id, acc.session_version + 1) is None
        # a connect reads only the account here: the member is read under its row lock
        entry = gate.entry(acc.id, raati.id, "sid-9", now, services.PRESENCE_TTL)
        assert entry.account is acc and (entry.member, entry.open_now) == (None, None)
        assert gate.entry(acc.id + 1000, raati.id, "sid-9", now, services.PRESENCE_TTL) is None
        assert services.disconnect("sid-0") == member.id
        db.session.commit()
        services.connect(raati.id, "sid-3", actor=acc, now=now)
        db.session.commit()
        db.drop_all()
        db.engine.dispose()
