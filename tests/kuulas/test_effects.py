"""After-commit side effects (kuulas.effects): run on commit, in order, never after a rollback."""
from __future__ import annotations

import logging
from datetime import datetime

import pytest
from sqlalchemy.exc import IntegrityError

from kuulas import effects
from kuulas.extensions import db
from kuulas.scheduler import JobLease


def _lease(name):
    db.session.add(JobLease(name=name, holder="t", locked_until=datetime(2030, 1, 1)))


def test_effects_run_after_commit_in_order_and_only_once(app):
    seen = []
    _lease("a")
    effects.after_commit(seen.append, 1)
    effects.after_commit(seen.append, 2)
    assert seen == []                      # nothing before the commit
    db.session.flush()
    assert seen == []                      # nor on a flush
    db.session.commit()
    assert seen == [1, 2]
    db.session.commit()                    # a later commit does not repeat them
    assert seen == [1, 2]


def test_rollback_drops_what_was_declared(app):
    seen = []
    _lease("b")
    effects.after_commit(seen.append, "lost")
    db.session.rollback()
    db.session.commit()
    assert seen == []
    assert effects.pending() == []


def test_failed_flush_drops_effects_of_that_transaction(app):
    seen = []
    _lease("c")
    db.session.commit()
    _lease("c")                            # duplicate primary key
    effects.after_commit(seen.append, "never")
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    _lease("d")
    effects.after_commit(seen.append, "next")
    db.session.commit()
    assert seen == ["next"]


def test_savepoint_rollback_drops_only_its_own_effects(app):
    seen = []
    _lease("e")
    effects.after_commit(seen.append, "outer")
    with pytest.raises(RuntimeError):
        with db.session.begin_nested():
            effects.after_commit(seen.append, "inner-rolled-back")
            raise RuntimeError("undo the savepoint")
    with db.session.begin_nested():
        effects.after_commit(seen.append, "inner-released")
    assert seen == []                      # a released savepoint is not the commit
    db.session.commit()
    assert seen == ["outer", "inner-released"]


def test_a_failing_effect_is_logged_and_the_rest_still_run(app, caplog):
    seen = []

    def broken():
        raise ValueError("socket gone")

    _lease("f")
    effects.after_commit(broken)
    effects.after_commit(seen.append, "after")
    with caplog.at_level(logging.ERROR, logger="kuulas.effects"):
        db.session.commit()
    assert seen == ["after"]
    assert "after-commit effect" in caplog.text


def test_transaction_helper_commits_or_rolls_back(app):
    seen = []
    with effects.transaction():
        _lease("g")
        effects.after_commit(seen.append, "cli")
    assert seen == ["cli"]
    assert db.session.get(JobLease, "g") is not None
    with pytest.raises(KeyError):
        with effects.transaction():
            _lease("h")
            effects.after_commit(seen.append, "no")
            raise KeyError("x")
    assert seen == ["cli"]
    assert db.session.get(JobLease, "h") is None


def test_emit_broadcasts_to_a_socketio_client_only_after_commit(app):
    from flask_socketio import Namespace

    from kuulas.extensions import socketio

    class Probe(Namespace):
        def on_connect(self, auth=None):
            from flask_socketio import join_room
            join_room("probe-room")

    socketio.on_namespace(Probe("/probe"))
    client = socketio.test_client(app, namespace="/probe")
    _lease("i")
    effects.emit("hello", {"n": 1}, to="probe-room", namespace="/probe")
    assert client.get_received("/probe") == []
    db.session.commit()
    received = client.get_received("/probe")
    assert [(r["name"], r["args"]) for r in received] == [("hello", [{"n": 1}])]
    _lease("j")
    effects.emit("hello", {"n": 2}, to="probe-room", namespace="/probe")
    db.session.rollback()
    assert client.get_received("/probe") == []
    client.disconnect(namespace="/probe")
