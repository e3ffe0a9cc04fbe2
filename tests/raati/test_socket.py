"""The room over the Socket.IO test client: authorisation at connect and on every event,
ordering and replay, moderation, polls, questions, statement and bad input."""
from __future__ import annotations

from tests.raati.conftest import emit, received


def test_member_posts_and_everyone_receives_in_order(room):
    mod, a = room.socket("mod"), room.socket("a")
    assert mod.is_connected("/raati") and a.is_connected("/raati")
    ack = emit(a, "message", {"body": "Hei kaikki"})
    assert ack["ok"], ack
    events = received(mod)
    assert [e["kind"] for e in events] == ["message"]
    assert events[0]["data"]["body"] == "Hei kaikki" and events[0]["seq"] == ack["seq"][0]


def test_unauthenticated_and_wrong_room_refused(app, room, make_resident, login):
    from kuulas.extensions import socketio

    anon = socketio.test_client(app, namespace="/raati", auth={"raati": room.id})
    assert not anon.is_connected("/raati")
    outsider = login(make_resident(), app.test_client())
    sc = socketio.test_client(app, namespace="/raati", flask_test_client=outsider, auth={"raati": room.id})
    assert not sc.is_connected("/raati")
    p = room.person("a")
    wrong = socketio.test_client(app, namespace="/raati", flask_test_client=p.client, auth={"raati": room.id + 99})
    assert not wrong.is_connected("/raati")


def test_cross_site_origin_refused_same_origin_accepted(room):
    evil = room.socket("a", headers={"Origin": "https://evil.example"})
    assert not evil.is_connected("/raati")
    good = room.socket("a", headers={"Origin": "http://localhost"})
    assert good.is_connected("/raati")


def test_removed_member_refused_on_open_connection(room, monkeypatch):
    """Removed in the database (no broadcast reached this process): the next event is refused."""
    from deliberation.raati import events, services
    from kuulas.clock import utcnow
    from kuulas.extensions import db

    b = room.socket("b")
    assert emit(b, "message", {"body": "ennen"})["ok"]
    # The removal is saved by another process: its sends and its kick never reach this one.
    monkeypatch.setattr(events, "send", lambda out: None)
    monkeypatch.setattr(events, "kick", lambda member_id, sids, reason: None)
    services.staff_remove(room.id, room.person("b").member.id, actor=room.staff, now=utcnow())
    db.session.commit()
    ack = emit(b, "message", {"body": "jälkeen"})
    assert ack["ok"] is False and ack["code"] == "access_denied"
    assert not room.socket("b").is_connected("/raati")


def test_moderator_removal_disconnects_the_member(room):
    mod, b = room.socket("mod"), room.socket("b")
    target = room.person("b").member.id
    ack = emit(mod, "moderate", {"member": target, "action": "remove", "reason": "häirintä"})
    assert ack["ok"], ack
    assert not b.is_connected("/raati")


def test_deactivated_account_refused_on_open_connection(room):
    from kuulas.extensions import db

    c = room.socket("c")
    assert emit(c, "message", {"body": "yksi"})["ok"]
    p = room.person("c")
    p.account.active = False
    db.session.commit()
    ack = emit(c, "message", {"body": "kaksi"})
    assert ack["ok"] is False and ack["code"] == "access_denied"


def test_muted_member_cannot_post_until_unmuted(room):
    mod, a = room.socket("mod"), room.socket("a")
    member_id = room.person("a").member.id
    assert emit(mod, "moderate", {"member": member_id, "action": "mute"})["ok"]
    ack = emit(a, "message", {"body": "hei"})
    assert ack["ok"] is False and ack["code"] == "access_denied"
    assert emit(mod, "moderate", {"member": member_id, "action": "unmute"})["ok"]
    assert emit(a, "message", {"body": "hei"})["ok"]


def test_members_cannot_moderate(room):
    a = room.socket("a")
    assert emit(a, "message", {"body": "x"})["ok"]
    ack = emit(a, "hide", {"seq": 1, "reason": "en pidä"})
    assert ack["ok"] is False and ack["code"] == "access_denied"
    ack = emit(a, "timer", {"action": "start", "seconds": 60})
    assert ack["ok"] is False


def test_malformed_oversize_and_unknown_fields(room):
    a = room.socket("a")
    for payload in ["text", {"body": 5}, {"body": "x", "extra": 1}, {"body": "x" * 3000}, {}]:
        ack = emit(a, "message", payload)
        assert ack["ok"] is False and ack["code"] == "invalid", payload
    ack = emit(a, "message", {"body": "   "})
    assert ack["ok"] is False and ack["code"] == "invalid"
    assert emit(a, "message", {"body": "still works"})["ok"]


def test_flooding_is_rate_limited_and_room_keeps_working(room):
    a, b = room.socket("a"), room.socket("b")
    acks = [emit(a, "message", {"body": f"m{i}"}) for i in range(30)]
    limited = [x for x in acks if not x["ok"]]
    assert limited and all(x["code"] == "rate_limited" for x in limited)
    assert emit(b, "message", {"body": "minä pääsen"})["ok"]


def test_reconnect_replays_missed_events_in_order_without_duplicates(room):
    a, b = room.socket("a"), room.socket("b")
    first = emit(a, "message", {"body": "1"})["seq"][0]
    b.disconnect(namespace="/raati")
    for i in range(5):
        emit(a, "message", {"body": f"missed {i}"})
    b2 = room.socket("b")
    ack = emit(b2, "sync", {"after": first})
    seqs = [e["seq"] for e in ack["events"]]
    assert seqs == sorted(set(seqs)) and len(seqs) >= 5
    assert [e["data"]["body"] for e in ack["events"] if e["kind"] == "message"] == [f"missed {i}" for i in range(5)]


def test_hand_queue_called_in_order(room):
    mod, a, b = room.socket("mod"), room.socket("a"), room.socket("b")
    assert emit(b, "hand")["ok"]
    assert emit(a, "hand")["ok"]
    assert emit(a, "hand")["code"] == "conflict"
    first = emit(mod, "call_next")
    second = emit(mod, "call_next")
    assert first["ok"] and second["ok"]
    called = [e["data"]["target_name"] for e in received(a) if e["kind"] == "called"]
    assert called == ["B", "A"]
    assert emit(mod, "call_next")["ok"] is False


def test_moderator_gives_the_floor_out_of_the_queue(room):
    """The floor goes to anyone present (an expert, say); their raised hand counts as called,
    so the queue moves on to the next; a muted participant or a member cannot be given it."""
    mod, a, b = room.socket("mod"), room.socket("a"), room.socket("b")
    a_id, b_id = room.person("a").member.id, room.person("b").member.id
    assert emit(a, "hand")["ok"] and emit(b, "hand")["ok"]
    ack = emit(mod, "moderate", {"member": b_id, "action": "floor"})
    assert ack["ok"], ack
    assert [e["data"] for e in received(a) if e["kind"] == "called"] == [{"target": b_id, "target_name": "B"}]
    emit(mod, "call_next")
    assert [e["data"]["target_name"] for e in received(a) if e["kind"] == "called"] == ["A"]  # B was not called twice
    assert emit(mod, "call_next")["code"] == "conflict"
    assert emit(a, "moderate", {"member": b_id, "action": "floor"})["ok"] is False  # members cannot
    assert emit(mod, "moderate", {"member": a_id, "action": "mute"})["ok"]
    refused = emit(mod, "moderate", {"member": a_id, "action": "floor"})
    assert refused["ok"] is False and refused["code"] == "conflict"


def test_questions_polls_and_live_results(room):
    mod, a, b = room.socket("mod"), room.socket("a"), room.socket("b")
    qid = None
    emit(a, "question", {"body": "Paljonko maksaa?"})
    qid = [e for e in received(b) if e["kind"] == "question"][0]["data"]["id"]
    assert emit(b, "upvote", {"id": qid})["ok"]
    assert emit(b, "upvote", {"id": qid})["ok"] is False
    assert emit(mod, "poll", {"question": "Kumpi?", "options": ["A", "B"]})["ok"]
    pid = [e for e in received(a) if e["kind"] == "poll"][0]["data"]["id"]
    assert emit(a, "vote", {"id": pid, "option": 1})["ok"]
    assert emit(b, "vote", {"id": pid, "option": 1})["ok"]
    assert emit(b, "vote", {"id": pid, "option": 0})["ok"] is False
    assert emit(a, "vote", {"id": pid, "option": 7})["ok"] is False
    results = [e["data"]["counts"] for e in received(mod) if e["kind"] == "poll_result"]
    assert results[-1] == [0, 2]


def test_pin_hide_and_transcript_marks_hidden(room):
    mod, a = room.socket("mod"), room.socket("a")
    seq = emit(a, "message", {"body": "asiaton viesti"})["seq"][0]
    assert emit(mod, "pin", {"seq": seq, "pinned": True})["ok"]
    assert emit(mod, "hide", {"seq": seq, "reason": ""})["ok"] is False
    assert emit(mod, "hide", {"seq": seq, "reason": "Keskustelun sääntöjen vastainen"})["ok"]
    page = room.person("b").client.get(f"/raati/{room.id}/poytakirja")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Keskustelun sääntöjen vastainen" in html
    assert "asiaton viesti" not in html


def test_phase_and_timer_are_server_authoritative(room):
    mod, a = room.socket("mod"), room.socket("a")
    from deliberation.raati.models import Raati
    from kuulas.extensions import db

    phase_id = db.session.get(Raati, room.id).phases[1].id
    assert emit(mod, "phase", {"id": phase_id})["ok"]
    assert emit(mod, "timer", {"action": "pause"})["ok"]
    assert emit(mod, "timer", {"action": "pause"})["ok"] is False
    assert emit(mod, "timer", {"action": "extend", "seconds": 300})["ok"]
    assert emit(mod, "timer", {"action": "start"})["ok"]
    timers = [e["data"] for e in received(a) if e["kind"] in ("timer", "phase")]
    assert timers[0]["running"] and timers[0]["ends_at"].endswith("Z")
    assert timers[1]["running"] is False and timers[2]["remaining"] == timers[1]["remaining"] + 300


def test_statement_draft_review_lock(room):
    mod, sec, chair, a = room.socket("mod"), room.socket("secretary"), room.socket("chair"), room.socket("a")
    assert emit(a, "section", {"title": "X", "text": "y"})["code"] == "access_denied"
    assert emit(sec, "section", {"title": "Jatkuvuus", "text": "Sama lääkäri."})["ok"]
    sid = [e for e in received(a) if e["kind"] == "section"][0]["data"]["id"]
    assert emit(a, "review", {"id": sid, "verdict": "needs_change"})["ok"] is False  # comment required
    assert emit(a, "review", {"id": sid, "verdict": "needs_change", "comment": "Lisää etävastaanotto"})["ok"]
    assert emit(sec, "section", {"id": sid, "title": "Jatkuvuus", "text": "Sama lääkäri.\nMyös etänä."})["ok"]
    versions = [e["data"] for e in received(a) if e["kind"] == "section"]
    assert versions[-1]["version"] == 2 and ["+", "Myös etänä."] in versions[-1]["diff"]
    assert emit(a, "review", {"id": sid, "verdict": "approve"})["ok"]
    assert emit(sec, "lock")["code"] == "access_denied"
    ack = emit(chair, "lock")  # one approval of five members is not a majority
    assert ack["ok"] is False and ack["code"] == "not_approved", ack
    for key in ("b", "c"):
        assert emit(room.socket(key), "review", {"id": sid, "verdict": "approve"})["ok"]
    ack = emit(chair, "lock")
    assert ack["ok"], ack
    locked = [e["data"] for e in received(a) if e["kind"] == "locked"][0]
    from deliberation.raati import statement

    assert locked["sha256"] == statement.sha256([("Jatkuvuus", "Sama lääkäri.\nMyös etänä.")])
    ack = emit(sec, "section", {"id": sid, "title": "Jatkuvuus", "text": "muutos"})
    assert ack["ok"] is False and ack["code"] == "conflict"
    page = room.person("b").client.get(f"/raati/{room.id}/kannanotto")
    assert locked["sha256"] in page.get_data(as_text=True)


def test_namespace_registered_on_each_new_app(app_config, tmp_path, monkeypatch):
    from app import create_app
    from kuulas.extensions import socketio

    for _ in range(2):
        create_app(app_config)
        assert "/raati" in socketio.server.namespace_handlers


def test_presence_of_a_crashed_process_expires_and_the_room_is_told(room, app, monkeypatch):
    """A socket whose process died leaves a row nobody refreshes: it stops counting as online
    after PRESENCE_TTL, the prune job deletes it and the room hears the member left; the
    heartbeat keeps live sockets online."""
    import time
    from datetime import timedelta

    from deliberation.raati import events, jobs, services
    from deliberation.raati.models import Connection
    from kuulas.clock import utcnow
    from kuulas.extensions import db

    monkeypatch.setattr(services, "HEARTBEAT", timedelta(seconds=0.05))
    app.config["RAATI_PRESENCE_DELAY"] = None   # the connect's presence batch is flushed below, not late
    events._HEARTBEATS.clear()
    a = room.socket("a")
    b = room.person("b")
    now = utcnow()
    db.session.add(Connection(sid="dead-process-sid", raati_id=room.id, member_id=b.member.id,
                              connected_at=now - timedelta(hours=1), seen_at=now - timedelta(minutes=10)))
    mine = db.session.scalars(db.select(Connection).where(Connection.member_id == room.person("a").member.id)).one()
    mine.seen_at = now - timedelta(minutes=10)  # the heartbeat must bring this back
    db.session.commit()

    for _ in range(100):  # the heartbeat task refreshes the live socket's row
        db.session.expire_all()
        if db.session.get(Connection, mine.sid).seen_at > now:
            break
        time.sleep(0.05)
    assert db.session.get(Connection, mine.sid).seen_at > now
    online = {p["id"] for p in emit(a, "sync", {"after": 0})["online"]}
    assert room.person("a").member.id in online and b.member.id not in online

    events.flush_presence()
    a.get_received("/raati")
    assert jobs.prune_connections(utcnow()) == 1
    db.session.commit()   # the job's runner (kuulas.scheduler.run_job) commits; the room hears then
    assert db.session.get(Connection, "dead-process-sid") is None
    assert db.session.get(Connection, mine.sid) is not None
    told = [p["args"][0] for p in a.get_received("/raati") if p["name"] == "presence"]
    assert told == [{"members": [{"member": b.member.id, "name": "B", "role": "member", "online": False}]}]


def test_a_name_in_an_event_is_always_its_authors(room):
    """Clients learn display names from events: ``name`` must be the name of the event's
    author (``member``), a member the event is about comes as ``target``/``target_name``.
    Giving the floor once put the called member's name under the moderator's id, so every
    client showed the moderator's messages under that member's name."""
    mod, a, b = room.socket("mod"), room.socket("a"), room.socket("b")
    ids = {room.person(k).member.id: k.capitalize() for k in ("mod", "a", "b")}
    assert emit(a, "hand")["ok"] and emit(b, "hand")["ok"]
    assert emit(mod, "call_next")["ok"]
    assert emit(mod, "moderate", {"member": room.person("b").member.id, "action": "floor"})["ok"]
    assert emit(mod, "moderate", {"member": room.person("a").member.id, "action": "mute"})["ok"]
    assert emit(mod, "moderate", {"member": room.person("a").member.id, "action": "unmute"})["ok"]
    assert emit(mod, "message", {"body": "Moderaattorin viesti"})["ok"]
    events = received(a)
    assert {"called", "mute", "unmute", "message"} <= {e["kind"] for e in events}
    for e in events:
        if "name" in e["data"]:
            assert e["data"]["name"] == ids[e["member"]], e
        if "target_name" in e["data"]:
            assert e["data"]["target_name"] == ids[e["data"]["target"]], e
