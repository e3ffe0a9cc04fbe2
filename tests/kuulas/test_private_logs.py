"""Logs do not link people to what they did (issue item 4).

A database error is forced inside each anonymous or personal path (the database driver
itself fails the statement that writes the vote, the idea, the comment, the sign-up, the
confirmation or the chat message, with the real statement and parameters).  Whatever
every logger captured, traceback text included, must hold none of the parameter values.
"""
from __future__ import annotations

import logging
import re
import traceback
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from kuulas.extensions import db

# The areas' own fixtures: a published idea round with anonymous participants, a digiraati.
from ..ideas.conftest import make_round, open_round, participant_client, preparer  # noqa: F401
from ..raati.conftest import room  # noqa: F401


@contextmanager
def failing_statement(pattern: str):
    """The database driver fails every statement matching ``pattern`` (a regex) with an
    OperationalError, as a full disk or a lost connection would; the parameters the
    statement carried are collected for the test to look for in the logs."""
    engine = db.engine
    dbapi_error = engine.dialect.loaded_dbapi.OperationalError
    seen: list = []

    def fail(cursor, statement, parameters, context):
        if re.match(pattern, statement.strip(), re.IGNORECASE):
            seen.append(parameters)
            raise dbapi_error("disk I/O error")
        return False

    event.listen(engine, "do_execute", fail)
    event.listen(engine, "do_executemany", fail)
    try:
        yield seen
    finally:
        event.remove(engine, "do_execute", fail)
        event.remove(engine, "do_executemany", fail)


_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d")


def _flatten(parameters) -> list[str]:
    values = []
    if isinstance(parameters, dict):
        parameters = list(parameters.values())
    for value in parameters or ():
        if isinstance(value, (list, tuple, dict)):
            values += _flatten(value)
        elif isinstance(value, str) and len(value) >= 10 and not _TIMESTAMP.match(value):
            values.append(value)   # short words are states ("visible"), not anyone's data
    return values


def logged_text(caplog) -> str:
    """Everything the captured records would print, traceback text included."""
    parts = [caplog.text]
    for record in caplog.records:
        parts.append(record.getMessage())
        if record.exc_info and record.exc_info[0] is not None:
            parts.append("".join(traceback.format_exception(*record.exc_info)))
        if record.exc_text:
            parts.append(record.exc_text)
        parts.append(logging.Formatter().format(record))
    return "\n".join(parts)


def assert_logged_without(caplog, seen, *known: str) -> None:
    assert seen, "the statement was never run: the test did not reach the database"
    text = logged_text(caplog)
    assert "OperationalError" in text, "the forced error was not logged at all"
    values = {v for params in seen for v in _flatten(params)} | set(known)
    leaked = sorted(v for v in values if v in text)
    assert not leaked, f"logged: {leaked}"


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.INFO)
    return caplog


def test_idea_vote_post_and_comment_errors_log_no_values(app, logs, open_round, participant_client):
    from deliberation.ideas.models import Idea

    a = participant_client(open_round.id)
    b = participant_client(open_round.id)
    text = "Iltakäyntejä lisää kotihoitoon"
    with failing_statement(r"INSERT INTO idea\b") as seen:
        assert a.post(f"/ideariihi/{open_round.id}/ideat", data={"text": text}).status_code == 500
    assert_logged_without(logs, seen, text)

    logs.clear()
    assert a.post(f"/ideariihi/{open_round.id}/ideat", data={"text": text}).status_code == 302
    idea = db.session.scalar(select(Idea))
    with failing_statement(r"INSERT INTO idea_vote") as seen:
        response = b.post(f"/ideariihi/{open_round.id}/aani",
                          data={"idea_id": idea.public_id, "value": "agree"})
        assert response.status_code == 500
    assert_logged_without(logs, seen)

    logs.clear()
    comment = "Hyvä ajatus, kannatan lämpimästi"
    with failing_statement(r"INSERT INTO idea_comment") as seen:
        response = b.post(f"/ideariihi/{open_round.id}/ideat/{idea.public_id}/kommentit",
                          data={"text": comment})
        assert response.status_code == 500
    assert_logged_without(logs, seen, comment)


def test_panel_sign_up_and_confirmation_errors_log_no_values(app, logs, client, make_staff):
    from kuulas.mail.models import OutboxMail

    from ..panel.helpers import make_panel

    panel = make_panel(make_staff("preparer"))
    data = {"email": "maija.virtanen@example.fi", "display_name": "Maija Virtanen",
            "f_gender": "female", "f_age": "old", "consent": "y"}
    with failing_statement(r"INSERT INTO panel_volunteer") as seen:
        assert client.post(f"/paneelit/{panel.id}", data=data).status_code == 500
    assert_logged_without(logs, seen, data["email"], data["display_name"])

    logs.clear()
    assert client.post(f"/paneelit/{panel.id}", data=data).status_code == 200
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.category == "panel_confirm"))
    path = re.search(r"https?://\S+", mail.body_text).group(0).split("localhost", 1)[1]
    token = path.rsplit("/", 1)[1]
    with failing_statement(r"UPDATE panel_volunteer") as seen:
        assert client.post(path).status_code == 500
    assert_logged_without(logs, seen, data["email"], token)


def test_raati_chat_message_error_logs_no_values(app, logs, room):
    from ..raati.conftest import emit

    socket = room.socket("a")
    body = "Minusta omalääkäri on tärkein asia"
    with failing_statement(r"INSERT INTO raati_(message|event)") as seen:
        ack = emit(socket, "message", {"body": body})
    assert not ack["ok"]
    assert_logged_without(logs, seen, body)


def test_a_database_error_given_as_a_log_argument_is_withheld(app, logs):
    """``log.warning("... failed: %s", exc)`` (as jobs do) must not print the values either,
    nor a database message that quotes them (PostgreSQL's DETAIL)."""
    from sqlalchemy.exc import IntegrityError

    exc = IntegrityError("INSERT INTO panel_volunteer (email) VALUES (%(email)s)",
                         {"email": "quoted@example.fi"},
                         Exception('duplicate key\nDETAIL: Key (email)=(quoted@example.fi) exists'))
    logging.getLogger("panel.jobs").warning("replacement draw for panel %s failed: %s", 3, exc)
    try:
        raise exc
    except IntegrityError:
        logging.getLogger("kuulas.raati").exception("raati: event %s failed", "message")
    text = logged_text(logs)
    assert "replacement draw for panel 3 failed" in text and "raati: event message failed" in text
    assert "quoted@example.fi" not in text


def test_one_time_tokens_in_access_logs_are_redacted(app, logs):
    """The development server (Werkzeug) and gunicorn print the request line; a sign-in
    link's token in it would let anyone who reads the log sign in."""
    from werkzeug._internal import _log

    secret = "s3cr3t-Token_value"
    for path in (f"/kirjaudu/linkki/{secret}", f"/tili/salasana/{secret}",
                 f"/paneelit/vahvista/{secret}", f"/raati/asiantuntija/{secret}",
                 f"/paneelit/kutsu/{secret}?x=1", f"/palaute/kioski/aloita/{secret}"):
        _log("info", '127.0.0.1 - - [02/Dec/2026 06:00:00] "%s" %s %s', f"POST {path} HTTP/1.1", "302", "-")
    logging.getLogger("gunicorn.access").info("%(r)s %(s)s", {"r": f"GET /kirjaudu/linkki/{secret} HTTP/1.1", "s": "200"})
    assert secret not in logged_text(logs)
    messages = [r.getMessage() for r in logs.records]
    assert sum("[token]" in m for m in messages) == 7
    # A language code is not a secret.
    _log("info", '127.0.0.1 - - [x] "%s" %s %s', "GET /kieli/sv?next=/ HTTP/1.1", "302", "-")
    assert "/kieli/sv" in logs.records[-1].getMessage()
    assert any("/paneelit/kutsu/[token]?x=1" in m for m in messages)


def test_every_engine_hides_parameters(app, runner):
    """Tests, the CLI and production all build the engine in create_app."""
    assert db.engine.hide_parameters
    from app import create_app

    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False}})
    with other.app_context():
        assert db.engine.hide_parameters
