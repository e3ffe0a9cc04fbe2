"""Socket.IO namespace /ideas: registered on every new app, broadcasts after commit,
refuses other sites' pages."""
from __future__ import annotations

from kuulas.extensions import socketio


def _events(sc):
    return {e["name"]: e["args"][0] for e in sc.get_received("/ideas")}


def test_new_idea_votes_and_hiding_are_broadcast(app, client, login, moderator, open_round, participant_client):
    watcher = socketio.test_client(app, namespace="/ideas", auth={"round": open_round.id})
    assert watcher.is_connected("/ideas")
    a = participant_client(open_round.id)
    a.post(f"/ideariihi/{open_round.id}/ideat", data={"text": "Live-idea näkyy heti"})
    got = _events(watcher)
    assert got["idea"]["text"] == "Live-idea näkyy heti" and set(got["idea"]) == {"id", "text", "written"}
    idea_id = got["idea"]["id"]
    b = participant_client(open_round.id)
    b.post(f"/ideariihi/{open_round.id}/aani", data={"idea_id": idea_id, "value": "agree"})
    assert "counts" not in _events(watcher)   # never one event per vote
    from datetime import timedelta

    from kuulas.clock import utcnow
    from kuulas.scheduler import run_job
    run_job(app, "ideas.counts", utcnow())                             # a lone vote is held back ...
    assert "counts" not in _events(watcher)
    run_job(app, "ideas.counts", utcnow() + timedelta(minutes=2))      # ... until the longer delay
    assert _events(watcher)["counts"] == {"ideas": [{"id": idea_id, "agree": 1, "disagree": 0, "pass": 0}]}
    login(moderator)
    client.post(f"/hallinta/ideariihi/{open_round.id}/moderoi",
                data={"kind": "idea", "item_id": idea_id, "action": "hide", "reason": "Sääntöjen vastainen"})
    assert _events(watcher)["changed"] == {"id": idea_id, "status": "hidden", "reason": "Sääntöjen vastainen"}
    watcher.disconnect(namespace="/ideas")


def test_connect_refusals(app, open_round, make_round):
    draft = make_round(publish=False)
    assert not socketio.test_client(app, namespace="/ideas", auth={"round": draft.id}).is_connected("/ideas")
    assert not socketio.test_client(app, namespace="/ideas", auth={"round": "x"}).is_connected("/ideas")
    evil = socketio.test_client(app, namespace="/ideas", auth={"round": open_round.id},
                                headers={"Origin": "https://evil.example"})
    assert not evil.is_connected("/ideas")


def test_namespace_registered_for_each_new_app(app, app_config, tmp_path):
    from app import create_app

    for n in range(2):
        other = create_app(dict(app_config, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / f'o{n}.sqlite3'}"))
        assert "/ideas" in socketio.server.namespace_handlers
        with other.app_context():
            from kuulas.extensions import db
            db.create_all()
            sc = socketio.test_client(other, namespace="/ideas", auth={"round": 1})
            assert not sc.is_connected("/ideas")  # no such round, but the handler ran (refused)
            db.session.remove()
            db.engine.dispose()
