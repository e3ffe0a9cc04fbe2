"""One transaction owner: the idea-round services never commit, and what they want broadcast
goes out only when their caller commits (never after a rollback)."""
from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import func, select

from deliberation.ideas import moderation, participating, rounds
from deliberation.ideas.common import Participant
from deliberation.ideas.models import CLOSED, Idea, IdeaRound, IdeaVote
from kuulas import effects
from kuulas.clock import utcnow
from kuulas.extensions import db, socketio

AREA = Path(__file__).resolve().parents[2] / "deliberation" / "ideas"


def _events(sc):
    return [(e["name"], e["args"][0]) for e in sc.get_received("/ideas")]


def test_no_module_of_the_area_commits_or_rolls_back():
    found = []
    for path in sorted(AREA.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("commit", "rollback"):
                found.append(f"{path.name}:{node.lineno}")
    assert len(list(AREA.glob("*.py"))) > 10
    assert found == []


def test_a_broadcast_waits_for_the_commit_and_a_rollback_drops_it(app, open_round):
    watcher = socketio.test_client(app, namespace="/ideas", auth={"round": open_round.id})
    assert watcher.is_connected("/ideas")
    _events(watcher)
    writer = Participant(open_round.id, "c" * 64)
    participating.post_idea(open_round.id, writer, "Ei koskaan tallessa", now=utcnow())
    assert [args[0] for _fn, args, _kw in effects.pending()] == ["idea"]
    assert _events(watcher) == []            # declared, not sent
    db.session.rollback()
    db.session.commit()
    assert _events(watcher) == []            # dropped with the write
    assert db.session.scalar(select(func.count()).select_from(Idea)) == 0
    idea = participating.post_idea(open_round.id, writer, "Tallessa oleva idea", now=utcnow())
    public_id = idea.public_id
    db.session.commit()
    got = _events(watcher)
    assert [name for name, _payload in got] == ["idea"] and got[0][1]["id"] == public_id
    watcher.disconnect(namespace="/ideas")


def test_a_vote_is_saved_by_its_callers_commit(app, open_round):
    author, voter = Participant(open_round.id, "d" * 64), Participant(open_round.id, "e" * 64)
    idea = participating.post_idea(open_round.id, author, "Äänestettävä idea", now=utcnow())
    db.session.commit()
    participating.vote(idea.public_id, voter, 1, now=utcnow())
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(IdeaVote)) == 0
    participating.vote(idea.public_id, voter, 1, now=utcnow())
    participating.vote(idea.public_id, voter, -1, now=utcnow())   # a changed vote: still one row
    db.session.commit()
    assert db.session.execute(select(IdeaVote.value)).scalars().all() == [-1]


def test_close_and_moderation_broadcast_after_the_commit(app, open_round, preparer, moderator):
    watcher = socketio.test_client(app, namespace="/ideas", auth={"round": open_round.id})
    idea = participating.post_idea(open_round.id, Participant(open_round.id, "f" * 64), "Piilotettava", now=utcnow())
    db.session.commit()
    _events(watcher)
    moderation.moderate(open_round.id, "idea", idea.public_id, "hide", actor=moderator, now=utcnow(),
                        reason="Sääntöjen vastainen")
    rounds.close_now(open_round.id, actor=preparer, now=utcnow())
    assert _events(watcher) == []
    db.session.commit()
    assert _events(watcher) == [
        ("changed", {"id": idea.public_id, "status": "hidden", "reason": "Sääntöjen vastainen"}),
        ("closed", {"round": open_round.id}),
    ]
    assert db.session.get(IdeaRound, open_round.id).state == CLOSED
    watcher.disconnect(namespace="/ideas")
