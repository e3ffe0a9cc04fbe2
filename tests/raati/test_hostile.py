"""Hostile input on the room's sockets: every event handler answers every malformed payload
with a translated ``invalid`` ack, never a traceback; the rate limit is per member across
connections, and a member may hold only a few connections."""
from __future__ import annotations

import logging

import pytest

from tests.raati.conftest import emit

DEEP_LIST: list = []
_cur = DEEP_LIST
for _ in range(200):
    _cur.append([])
    _cur = _cur[0]
DEEP_DICT: dict = {}
_cur = DEEP_DICT
for _ in range(200):
    _cur["a"] = {}
    _cur = _cur["a"]

HOSTILE_VALUES = [2**31, 2**63, 2**80, -1, 1.5, float("inf"), "1", True, [], {}, [1, 2],
                  DEEP_LIST, DEEP_DICT, "x" * 30_000, b"\x00\xff\xfe", [b"\x01"], ["x"] * 10_000]
HOSTILE_PAYLOADS = ["text", 5, 2**63, [1, 2], DEEP_LIST, b"\x00\x01binary", {"zzz": 1},
                    {"body": "x" * 100_000}, DEEP_DICT]


def _handlers():
    from deliberation.raati.events import RaatiNamespace

    return sorted(n[3:] for n in dir(RaatiNamespace)
                  if n.startswith("on_") and n not in ("on_connect", "on_disconnect", "on_event"))


def test_every_handler_has_a_schema():
    from deliberation.raati.events import SCHEMAS

    assert set(_handlers()) == set(SCHEMAS)


def _cases():
    from deliberation.raati.events import SCHEMAS

    out = []
    for event in _handlers():
        for i, payload in enumerate(HOSTILE_PAYLOADS):
            out.append(pytest.param(event, payload, id=f"{event}-payload{i}"))
        for name in SCHEMAS[event]:
            for i, value in enumerate(HOSTILE_VALUES):
                out.append(pytest.param(event, ("field", name, value), id=f"{event}-{name}-{i}"))
    return out


def _valid(event):
    """A payload that passes the schema, to be spoiled one field at a time."""
    return {"sync": {"after": 0}, "message": {"body": "hei"}, "question": {"body": "miksi?"},
            "upvote": {"id": 1}, "answered": {"id": 1}, "poll": {"question": "q", "options": ["a", "b"]},
            "vote": {"id": 1, "option": 0}, "poll_close": {"id": 1}, "pin": {"seq": 1, "pinned": True},
            "hide": {"seq": 1, "reason": "r"}, "moderate": {"member": 1, "action": "mute", "reason": "r"},
            "phase": {"id": 1}, "timer": {"action": "start", "seconds": 60},
            "section": {"id": 1, "title": "t", "text": "x"}, "review": {"id": 1, "verdict": "approve", "comment": "c"},
            "lock": {"override": "syy"}}.get(event, {})


def _fits(spec, value) -> bool:
    from deliberation.raati import payloads

    try:
        payloads._check("x", spec, value)
    except payloads.PayloadError:
        return False
    return True


@pytest.fixture
def unlimited(monkeypatch):
    from limits import RateLimitItemPerSecond

    from deliberation.raati import events

    monkeypatch.setattr(events, "RATE_LIMITS", (RateLimitItemPerSecond(100_000, 1),))


def test_hostile_payloads_get_a_translated_invalid_ack_at_every_handler(room, unlimited, caplog):
    """One room, every (event, payload) pair; the moderator (who may call every handler) sends."""
    from deliberation.raati.events import SCHEMAS

    caplog.set_level(logging.WARNING)
    mod = room.socket("mod", headers={"Accept-Language": "fi"})
    assert mod.is_connected("/raati")
    checked = 0
    for case in _cases():
        event, payload = case.values
        if isinstance(payload, tuple):
            _kind, name, value = payload
            payload = dict(_valid(event), **{name: value})
            if _fits(SCHEMAS[event][name], value):
                continue  # e.g. "1" is fine text for a reason
        ack = emit(mod, event, payload)
        assert isinstance(ack, dict) and ack["ok"] is False, (event, str(payload)[:80], ack)
        assert ack["code"] == "invalid", (event, str(payload)[:80], ack)
        assert ack["error"] and "Traceback" not in ack["error"]
        checked += 1
    assert checked > 300
    assert mod.is_connected("/raati")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info], \
        [r.getMessage() for r in caplog.records][:5]
    assert emit(mod, "message", {"body": "vielä toimii"})["ok"]


def test_hostile_payload_ack_is_translated(room):
    a = room.socket("a", headers={"Accept-Language": "fi"})
    ack = emit(a, "upvote", {"id": 2**63})
    assert ack["code"] == "invalid" and ack["error"] == "Pyyntö oli virheellinen tai liian suuri."


def test_rate_limit_is_per_member_across_connections(room):
    """Five windows of one member share one allowance: 30 messages spread over them are
    limited as 30 from one window would be."""
    sockets = [room.socket("a") for _ in range(3)]
    assert all(s.is_connected("/raati") for s in sockets)
    acks = [emit(sockets[i % 3], "message", {"body": f"m{i}"}) for i in range(30)]
    ok = [x for x in acks if x["ok"]]
    assert len(ok) <= 10
    assert all(x["code"] == "rate_limited" for x in acks if not x["ok"])
    assert emit(room.socket("b"), "message", {"body": "minä pääsen"})["ok"]


def test_fourth_connection_of_a_member_is_refused_with_a_reason(room, app, monkeypatch):
    from socketio import packet

    refused = []
    encode = packet.Packet.encode

    def spy(self):
        if self.packet_type == packet.CONNECT_ERROR:
            refused.append(self.data)
        return encode(self)

    monkeypatch.setattr(packet.Packet, "encode", spy)
    first = [room.socket("a", headers={"Accept-Language": "fi"}) for _ in range(3)]
    assert all(s.is_connected("/raati") for s in first)
    assert not refused
    fourth = room.socket("a", headers={"Accept-Language": "fi"})
    assert not fourth.is_connected("/raati")
    assert refused and refused[-1]["data"]["code"] == "too_many_connections"
    assert "3" in refused[-1]["message"] and "ikkunassa" in refused[-1]["message"]
    # another member is not affected; a closed window frees a place
    assert room.socket("b").is_connected("/raati")
    first[0].disconnect(namespace="/raati")
    assert room.socket("a").is_connected("/raati")


@pytest.mark.parametrize("packets", [
    # JSON nested far past Python's recursion limit
    ['2/raati,7["message",' + "[" * 5000 + "]" * 5000 + "]"],
    # a binary event whose placeholder points at an attachment that never comes
    ['51-/raati,8["message",{"body":{"_placeholder":true,"num":7}}]', b"\x00\x01"],
    # an attachment with no binary event announced
    [b"\x00\xff\xfe"],
    # not a packet at all
    ["2/raati,9[{oops"], ["9"],
], ids=["deep-json", "bad-placeholder", "stray-binary", "bad-json", "unknown-type"])
def test_malformed_packets_are_refused_with_a_translated_event(room, caplog, packets):
    caplog.set_level(logging.WARNING)
    a = room.socket("a", headers={"Accept-Language": "fi"})
    server = a.socketio.server
    for raw in packets:
        server._handle_eio_message(a.eio_sid, raw)
    told = [p["args"][0] for p in a.get_received("/raati") if p["name"] == "room_error"]
    assert told and told[-1]["code"] == "invalid"
    assert told[-1]["error"] == "Pyyntö oli virheellinen tai liian suuri."
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert emit(a, "message", {"body": "yhteys toimii yhä"})["ok"]  # nothing half-read is left


@pytest.mark.redis
def test_member_rate_limit_is_shared_between_processes_over_redis(redis_url, tmp_path, monkeypatch):
    """Two app objects (two "processes") with REDIS_URL: one member's sockets on both share
    one allowance, so spreading a flood over processes gains nothing."""
    import uuid

    import redis

    monkeypatch.setenv("KUULAS_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("REDIS_URL", redis_url)
    from app import create_app
    from deliberation.raati import events

    prefix = f"kuulas-test-{uuid.uuid4().hex[:8]}"
    apps = [create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'r.sqlite3'}",
                        "RATELIMIT_KEY_PREFIX": prefix, "SCHEDULER_MODE": "off"}) for _ in range(2)]
    conn = events.Conn(account_id=1, session_version=1, raati_id=1, member_id=42)
    taken = []
    for i in range(20):
        with apps[i % 2].app_context():
            taken.append(events.take(conn))
    assert taken[:10] == [True] * 10 and not any(taken[10:])
    with apps[0].app_context():
        other = events.Conn(account_id=2, session_version=1, raati_id=1, member_id=43)
        assert events.take(other)
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"*{prefix}*"))
    assert keys, "the room's limiter wrote nothing to Redis"
    client.delete(*keys)
