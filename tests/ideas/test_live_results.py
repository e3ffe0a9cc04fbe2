"""Live results of an open round: the results page and the opinion map while the round is
open (drawn only from a published batch), "you are here" for each participant alone (never
stored, logged or broadcast), and the live ``map`` event carrying aggregates only."""
from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

from sqlalchemy import select

from deliberation.ideas import anonymity, live_results, services
from kuulas.clock import utcnow
from kuulas.extensions import db, socketio
from kuulas.scheduler import run_job

CAMP_A = [1, 1, 1, 1, -1, -1]
CAMP_B = [-1, -1, -1, 1, 1, 1]


def _seed_camps(app, round_, n_a=9, n_b=8):
    """Six ideas and two camps of synthetic participants (keyed hashes, as the cookie gives)."""
    now = utcnow()
    key = anonymity.round_key(app.config["SECRET_KEY"], round_.id)
    author = services.Participant(round_.id, anonymity.participant_hash(key, "author"))
    ideas = [services.post_idea(round_.id, author, f"Kartan idea numero {n}", now=now) for n in range(6)]
    db.session.commit()
    for n in range(n_a + n_b):
        person = services.Participant(round_.id, anonymity.participant_hash(key, f"camp{n}"))
        row = CAMP_A if n < n_a else CAMP_B
        for idea, value in zip(ideas, row):
            services.vote(idea.public_id, person, value, now=now)
    db.session.commit()
    return ideas


def _vote(client, round_id, ideas, row):
    for idea, value in zip(ideas, row):
        r = client.post(f"/ideariihi/{round_id}/aani", data={"idea_id": idea.public_id,
                                                             "value": {1: "agree", -1: "disagree", 0: "pass"}[value]})
        assert r.status_code == 302


def _publish(app, at=None):
    at = at or utcnow() + timedelta(minutes=2)
    run_job(app, "ideas.counts", at)
    return run_job(app, "ideas.map", at)


def _dump_tables() -> str:
    return "\n".join(f"{t.name}: {tuple(row)!r}" for t in db.metadata.sorted_tables
                     for row in db.session.execute(select(t)))


def test_open_round_results_show_the_published_map(app, open_round, make_round, participant_client):
    rid = open_round.id
    anyone = participant_client(rid)
    page = anyone.get(f"/ideariihi/{rid}/tulokset")
    assert page.status_code == 200                       # no longer a 404 while open
    html = page.get_data(as_text=True)
    assert "Kartta piirretään" in html and "<svg" not in html
    assert 'href="/ideariihi/%d/tulokset"' % rid in anyone.get(f"/ideariihi/{rid}").get_data(as_text=True)

    _seed_camps(app, open_round)
    # Votes alone change nothing shown: the map waits for a published batch of counts.
    assert "<svg" not in anyone.get(f"/ideariihi/{rid}/tulokset").get_data(as_text=True)
    assert _publish(app) == "maps 1"
    html = anyone.get(f"/ideariihi/{rid}/tulokset").get_data(as_text=True)
    assert re.search(r'<svg class="map-svg"[^>]*role="img" aria-labelledby="map-title map-desc"', html)
    assert '<title id="map-title">' in html and '<desc id="map-desc">' in html
    sizes = sorted(int(s) for s in re.findall(r'data-map-group="[A-Z]" data-size="(\d+)"', html))
    assert sizes == [8, 9]
    assert len(re.findall(r"data-map-group-row=", html)) == 2          # the same as text
    assert "Kartan idea numero 0" in html.split('data-map-divisive')[1]  # camps split on it
    assert "data-map-consensus" in html and "Kartan idea numero 3" in html.split("data-map-consensus")[1]
    assert "data-you" not in html                         # a visitor who has not voted
    # Nobody can see individual dots: only the group ellipses and at most one "you".
    assert html.count("<ellipse") == 2 and html.count("<circle") == 0
    # A second run with nothing new published redraws nothing.
    assert _publish(app, utcnow() + timedelta(minutes=3)) == "maps 0"
    # A scheduled round still has no results page.
    later = make_round(opens_at=utcnow() + timedelta(days=1), closes_at=utcnow() + timedelta(days=3))
    assert anyone.get(f"/ideariihi/{later.id}/tulokset").status_code == 404
    assert anyone.get(f"/ideariihi/{later.id}/kartta/oma.json").status_code == 404


def test_each_participant_sees_only_their_own_position(app, open_round, participant_client, caplog):
    caplog.set_level(logging.DEBUG)
    rid = open_round.id
    ideas = _seed_camps(app, open_round)
    a, b, c = participant_client(rid), participant_client(rid), participant_client(rid)
    # Not quite either camp, so that each has a point of their own (an exact copy of a
    # camp would sit on its group's centre, which the map shows to everyone anyway).
    _vote(a, rid, ideas, CAMP_A[:5] + [0])
    _vote(b, rid, ideas, [0] + CAMP_B[1:])
    _vote(c, rid, ideas[:2], CAMP_A[:2])                  # too few votes to be placed
    _publish(app)
    pa = a.get(f"/ideariihi/{rid}/kartta/oma.json")
    assert pa.headers["Cache-Control"] == "no-store"
    pa, pb = pa.get_json()["position"], b.get(f"/ideariihi/{rid}/kartta/oma.json").get_json()["position"]
    assert pa["nearest"] != pb["nearest"] and (pa["x"], pa["y"]) != (pb["x"], pb["y"])
    assert c.get(f"/ideariihi/{rid}/kartta/oma.json").get_json() == {"position": None}
    page_a = a.get(f"/ideariihi/{rid}/tulokset")
    assert page_a.headers["Cache-Control"] == "no-store"
    html_a, html_b = page_a.get_data(as_text=True), b.get(f"/ideariihi/{rid}/tulokset").get_data(as_text=True)
    assert "data-you" in html_a and "data-you" in html_b
    you_a = re.search(r'<g class="map-you" data-you>\s*<circle cx="([\d.]+)" cy="([\d.]+)"', html_a).groups()
    you_b = re.search(r'<g class="map-you" data-you>\s*<circle cx="([\d.]+)" cy="([\d.]+)"', html_b).groups()
    assert you_a != you_b
    assert f"lähimpänä ryhmää {pa['nearest']}" in html_a and f"lähimpänä ryhmää {pb['nearest']}" in html_b
    assert "Äänestä vähintään 3 ideaa" in c.get(f"/ideariihi/{rid}/tulokset").get_data(as_text=True)
    # The fragment the page swaps in after a live update carries the same, per participant.
    frag = a.get(f"/ideariihi/{rid}/kartta")
    assert frag.headers["Cache-Control"] == "no-store" and "data-you" in frag.get_data(as_text=True)

    # The positions exist only in those responses: not in any table, nor in any log line.
    round_ = services.get_round(rid)
    omap = live_results.shown_map(round_)
    key = anonymity.round_key(app.config["SECRET_KEY"], rid)
    full = []
    for client in (a, b):
        token = next(ck.value for ck in client._cookies.values() if ck.key == f"kuulas_idea_{rid}").split(".")[1]
        pos = live_results.my_position(omap, services.Participant(rid, anonymity.participant_hash(key, token)))
        assert (round(pos.x, 4), round(pos.y, 4)) in {(pa["x"], pa["y"]), (pb["x"], pb["y"])}
        full += [repr(pos.x)[:10], repr(pos.y)[:10], f"{pos.x:.4f}", f"{pos.y:.4f}"]
    db.session.remove()
    tables = _dump_tables()
    assert "idea_map_snapshot" in tables and "Kartan idea numero" in tables   # the dump is real
    logs = "\n".join(r.getMessage() for r in caplog.records)
    for needle in full[::4] + full[1::4]:
        assert needle not in tables, needle
    for needle in full:
        assert needle not in logs, needle
    # What is kept is the aggregate map only: no row per participant, no hash.
    snap = db.session.get(live_results.IdeaMapSnapshot, rid)
    stored = json.dumps(snap.data)
    assert not re.search(r"[0-9a-f]{64}", stored)
    assert set(snap.data) == {"participants", "grouped", "regions", "consensus", "divisive", "extent", "basis"}


def test_live_map_event_carries_aggregates_only(app, open_round, participant_client):
    rid = open_round.id
    watcher = socketio.test_client(app, namespace="/ideas", auth={"round": rid})
    assert watcher.is_connected("/ideas")
    ideas = _seed_camps(app, open_round)
    a = participant_client(rid)
    _vote(a, rid, ideas, CAMP_A)
    assert not [e for e in watcher.get_received("/ideas") if e["name"] == "map"]   # never per vote
    t = utcnow() + timedelta(minutes=2)
    _publish(app, t)
    maps = [e["args"][0] for e in watcher.get_received("/ideas") if e["name"] == "map"]
    assert len(maps) == 1
    payload = maps[0]
    assert set(payload) == {"participants", "grouped", "groups", "consensus", "divisive"}
    assert payload["participants"] == 18 and payload["grouped"]
    assert sorted(g["size"] for g in payload["groups"]) == [8, 10]
    assert all(set(g) == {"label", "size", "agrees", "disagrees"} for g in payload["groups"])
    public = {i.public_id for i in ideas}
    refs = set(payload["consensus"]) | set(payload["divisive"]) | {
        p for g in payload["groups"] for p in g["agrees"] + g["disagrees"]}
    assert refs and refs <= public                       # random public ids, never internal keys
    text = json.dumps(payload)
    assert "position" not in text and "nearest" not in text and "basis" not in text
    assert not re.search(r"[0-9a-f]{32}", text)
    # Another vote and batch within MAP_SECONDS: counts go out, the map waits.
    b = participant_client(rid)
    _vote(b, rid, ideas, CAMP_B)
    run_job(app, "ideas.counts", t + timedelta(seconds=5))
    assert run_job(app, "ideas.map", t + timedelta(seconds=10)) == "maps 0"
    assert run_job(app, "ideas.map", t + timedelta(seconds=live_results.MAP_SECONDS + 1)) == "maps 1"
    watcher.disconnect(namespace="/ideas")


def test_closed_round_results_draw_the_final_map(app, open_round, participant_client, preparer):
    rid = open_round.id
    ideas = _seed_camps(app, open_round)
    a = participant_client(rid)
    _vote(a, rid, ideas, CAMP_B)
    services.close_now(rid, actor=preparer, now=utcnow())
    db.session.commit()
    html = a.get(f"/ideariihi/{rid}/tulokset").get_data(as_text=True)
    assert "<svg" in html and "data-you" in html and html.count("<ellipse") == 2
    cards = re.findall(r'data-group="([A-Z])">\s*<h3>[^<]*: (\d+)', html)    # the group cards, once
    drawn = re.findall(r'data-map-group="([A-Z])" data-size="(\d+)"', html)
    assert len(cards) == 2 and sorted(cards) == sorted(drawn)    # the map and the cards agree
    assert "data-map-group-row" not in html                        # not repeated as a table
