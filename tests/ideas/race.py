"""A write in flight while the round closes, made to happen deterministically: the
participant's request is held just before its INSERT (or just before its COMMIT) while
staff close the round, then let go.  Shared by the SQLite and PostgreSQL tests."""
from __future__ import annotations

import threading

from sqlalchemy import event, func, select

from kuulas.clock import utcnow
from kuulas.extensions import db

TABLES = {"vote": "idea_vote", "vote-full": "idea_vote", "idea": "idea", "comment": "idea_comment"}
# The answer to a write that the close overtook.  The lean vote checks the round and writes
# in one statement, so for it the close simply came first (403, as for any vote after the
# close); the full path had checked the round before the close and refuses at its re-check.
REFUSED = {"vote": 403, "vote-full": 409, "idea": 409, "comment": 409}


def full_path_only(monkeypatch, kind) -> None:
    """``vote-full``: the vote takes the full service path (the lean one steps aside)."""
    if kind == "vote-full":
        from deliberation.ideas import voting_web

        monkeypatch.setattr(voting_web, "cast", lambda *args, **kwargs: None)


def _prepare(app, round_, participant_client):
    from deliberation.ideas.models import Idea

    author = participant_client(round_.id)
    assert author.post(f"/ideariihi/{round_.id}/ideat", data={"text": "Kohde sulkemisen kilpajuoksuun"}).status_code == 302
    idea = db.session.scalar(select(Idea).where(Idea.round_id == round_.id))
    return idea.public_id, participant_client(round_.id)


def _request(kind, client, round_id, idea_ref):
    if kind.startswith("vote"):
        return client.post(f"/ideariihi/{round_id}/aani", data={"idea_id": idea_ref, "value": "agree"})
    if kind == "idea":
        return client.post(f"/ideariihi/{round_id}/ideat", data={"text": "Idea juuri sulkemishetkellä"})
    return client.post(f"/ideariihi/{round_id}/ideat/{idea_ref}/kommentit", data={"text": "Kommentti sulkemishetkellä"})


def _rows(kind, round_id) -> int:
    from deliberation.ideas.models import Idea, IdeaComment, IdeaVote

    model = {"vote": IdeaVote, "vote-full": IdeaVote, "idea": Idea, "comment": IdeaComment}[kind]
    db.session.remove()
    return int(db.session.scalar(select(func.count()).select_from(model).where(model.round_id == round_id)))


def close_while_insert_is_pending(app, round_, preparer, participant_client, kind):
    """The write has checked the round (open) and is about to INSERT when the close commits.
    Returns (status of the write, rows of that kind before, rows after)."""
    from deliberation.ideas import services

    idea_ref, writer = _prepare(app, round_, participant_client)
    staff_model, staff_id, round_id = type(preparer), preparer.id, round_.id
    before = _rows(kind, round_id)
    reached, go = threading.Event(), threading.Event()
    table = TABLES[kind]
    holder = {}

    def hold(conn, cursor, statement, params, context, executemany):
        if threading.current_thread() is holder.get("thread") and \
                f"INSERT INTO {table.upper()} " in statement.upper():
            reached.set()
            go.wait(20)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", hold)
    result = {}

    def run():
        result["r"] = _request(kind, writer, round_id, idea_ref)

    try:
        thread = threading.Thread(target=run)
        holder["thread"] = thread
        thread.start()
        assert reached.wait(20), "the write never reached its INSERT"
        services.close_now(round_id, actor=db.session.get(staff_model, staff_id), now=utcnow())
        db.session.commit()
        go.set()
        thread.join(30)
    finally:
        go.set()
        event.remove(engine, "before_cursor_execute", hold)
    return result["r"], before, _rows(kind, round_id)


def close_while_commit_is_pending(app, round_, preparer, participant_client, kind):
    """The write is done and about to COMMIT when staff start closing: the close waits (or
    the write is simply earlier); the write counts and the round ends up closed."""
    from deliberation.ideas import services
    from deliberation.ideas.models import CLOSED, IdeaRound

    idea_ref, writer = _prepare(app, round_, participant_client)
    staff_model, staff_id, round_id = type(preparer), preparer.id, round_.id
    before = _rows(kind, round_id)
    reached, go = threading.Event(), threading.Event()
    holder = {}

    def hold(conn):
        if threading.current_thread() is holder.get("thread"):
            reached.set()
            go.wait(20)

    engine = db.engine
    event.listen(engine, "commit", hold)
    result = {}

    def run():
        result["r"] = _request(kind, writer, round_id, idea_ref)

    def close():
        with app.app_context():
            services.close_now(round_id, actor=db.session.get(staff_model, staff_id), now=utcnow())
            db.session.commit()
            result["closed"] = True

    try:
        thread = threading.Thread(target=run)
        holder["thread"] = thread
        thread.start()
        assert reached.wait(20), "the write never reached its COMMIT"
        closer = threading.Thread(target=close)
        closer.start()
        closer.join(1.0)      # the close waits for the write's lock (PostgreSQL, SQLite)
        go.set()
        thread.join(30)
        closer.join(30)
    finally:
        go.set()
        event.remove(engine, "commit", hold)
    db.session.remove()
    assert db.session.get(IdeaRound, round_id).state == CLOSED and result.get("closed")
    return result["r"], before, _rows(kind, round_id)
