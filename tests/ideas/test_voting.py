"""The lean vote path (``deliberation.ideas.voting``): what it stores, what it refuses, what
it deals, and that it leaves the commit to its caller.  SQLite here; test_voting_postgres.py
runs the same tests on PostgreSQL, where the vote and the deal are one SQL statement."""
from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from kuulas.clock import utcnow
from kuulas.extensions import db


def _ideas(round_id, n, *, author="author-hash", status="visible"):
    from deliberation.ideas.models import Idea

    ideas = [Idea(round_id=round_id, author_hash=author, text=f"Idea numero {k}", status=status,
                  created_at=utcnow().replace(minute=0, second=0, microsecond=0)) for k in range(n)]
    db.session.add_all(ideas)
    db.session.commit()
    return ideas


def _rows(**where):
    from deliberation.ideas.models import IdeaVote

    query = select(func.count()).select_from(IdeaVote)
    for k, v in where.items():
        query = query.where(getattr(IdeaVote, k) == v)
    return db.session.scalar(query)


def _cast(round_, idea, voter="voter-hash", value=1, *, deal=False, now=None, rng=None):
    from deliberation.ideas import voting

    return voting.cast(round_.id, idea.public_id, voter, value, now=now or utcnow(), deal=deal, rng=rng)


def test_a_vote_is_one_row_and_voting_again_changes_it(app, open_round):
    idea, = _ideas(open_round.id, 1)
    assert _cast(open_round, idea, value=1).public_id == idea.public_id
    db.session.commit()
    assert _cast(open_round, idea, value=1) is not None     # the same vote again: still one row
    assert _cast(open_round, idea, value=-1) is not None
    db.session.commit()
    from deliberation.ideas.models import IdeaVote

    assert db.session.execute(select(IdeaVote.voter_hash, IdeaVote.value)).all() == [("voter-hash", -1)]


def test_the_caller_commits_a_rollback_leaves_nothing(app, open_round):
    idea, = _ideas(open_round.id, 1)
    assert _cast(open_round, idea) is not None
    db.session.rollback()
    assert _rows() == 0


def test_a_vote_that_is_not_allowed_stores_nothing_and_answers_none(app, open_round, make_round):
    from deliberation.ideas.models import CLOSED

    visible, hidden, pending, withdrawn = (_ideas(open_round.id, 1, status=s)[0]
                                           for s in ("visible", "hidden", "pending", "withdrawn"))
    for idea in (hidden, pending, withdrawn):
        assert _cast(open_round, idea) is None
    other_round = make_round()
    elsewhere, = _ideas(other_round.id, 1)
    assert _cast(open_round, elsewhere) is None            # another round's idea under this round
    from deliberation.ideas import voting

    assert voting.cast(open_round.id, "NoSuchIdea12", "v", 1, now=utcnow(), deal=True) is None
    # the round's own clock: before it opens, at and after its close
    assert _cast(open_round, visible, now=open_round.opens_at - timedelta(seconds=1)) is None
    assert _cast(open_round, visible, now=open_round.closes_at) is None
    open_round.state = CLOSED
    db.session.commit()
    assert _cast(open_round, visible) is None
    db.session.commit()
    assert _rows() == 0
    with pytest.raises(ValueError):
        _cast(open_round, visible, value=2)


def _expected_deal(round_, voter, voted_idea_id, seed):
    """What the full service path deals after this vote: ``tally.deal`` over the candidates
    of ``reading._candidates`` (the vote just cast excluded), with the same random numbers."""
    from deliberation.ideas import common, reading, tally
    from deliberation.ideas.models import Idea

    candidates = [c for c in reading._candidates(round_.id, common.Participant(round_.id, voter))
                  if c[0] != voted_idea_id]
    chosen = tally.deal(candidates, random.Random(seed))
    return chosen and db.session.get(Idea, chosen).public_id


def test_the_deal_is_tally_deal_over_the_published_counts(app, open_round):
    """Same candidates, same weights 1/(1+n)^2 over the snapshot, same pick for the same
    random numbers: the lean deal is the dealer of the full path."""
    from deliberation.ideas.models import IdeaCountSnapshot

    ideas = _ideas(open_round.id, 14) + _ideas(open_round.id, 2, author="voter-0")
    # uneven published counts (some ideas missing from the snapshot), so the weights differ
    counts = {str(i.id): [k % 4, k % 3, (k * 7) % 5] for k, i in enumerate(ideas) if k % 5}
    db.session.add(IdeaCountSnapshot(round_id=open_round.id, counts=counts))
    db.session.commit()
    target = ideas[3]
    dealt = []
    for seed in range(40):
        voter = f"voter-{seed % 3}"
        got = _cast(open_round, target, voter=voter, deal=True, rng=random.Random(seed))
        assert got is not None
        assert (got.next and got.next[0]) == _expected_deal(open_round, voter, target.id, seed)
        dealt.append(got.next[0])
        db.session.rollback()
    assert len(set(dealt)) >= 4   # the seeds really gave different picks (4 ideas carry most weight)
    assert target.public_id not in dealt


def test_the_deal_skips_own_and_voted_ideas_and_ends(app, open_round):
    ideas = _ideas(open_round.id, 5)
    own, = _ideas(open_round.id, 1, author="voter-hash")
    texts = {i.public_id: i.text for i in ideas}
    current, voted = ideas[0].public_id, []
    from deliberation.ideas import voting

    while current is not None:
        got = voting.cast(open_round.id, current, "voter-hash", 0, now=utcnow(), deal=True)
        db.session.commit()
        voted.append(current)
        current = got.next and got.next[0]
        if current is not None:
            assert current not in voted and current != own.public_id and got.next[1] == texts[current]
    assert sorted(voted) == sorted(texts) and _rows(voter_hash="voter-hash") == 5


def _json_vote(client, round_id, idea_ref, value="agree", **extra):
    return client.post(f"/ideariihi/{round_id}/aani", data={"idea_id": idea_ref, "value": value, **extra},
                       headers={"X-Requested-With": "ideas.js", "Accept": "application/json"})


def test_through_the_view_a_vote_takes_the_lean_path(app, open_round, participant_client, monkeypatch):
    from deliberation.ideas import voting

    a, b = ideas = _ideas(open_round.id, 2)
    voter = participant_client(open_round.id)
    calls = []
    real = voting.cast
    monkeypatch.setattr(voting, "cast", lambda *args, **kw: calls.append(args) or real(*args, **kw))
    r = _json_vote(voter, open_round.id, a.public_id)
    assert r.status_code == 200 and r.json["idea_id"] == a.public_id and r.json["next"]["id"] == b.public_id
    assert r.json["next"]["text"] == b.text and r.json["next"]["url"].endswith(f"/ideariihi/{open_round.id}/ideat/{b.public_id}")
    r = voter.post(f"/ideariihi/{open_round.id}/aani", data={"idea_id": b.public_id, "value": "pass", "back": "idea"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/ideariihi/{open_round.id}/ideat/{b.public_id}")
    assert len(calls) == 2 and _rows() == 2 and len(ideas) == 2


def test_through_the_view_refusals_answer_as_before(app, open_round, participant_client):
    """The lean path steps aside; the full path answers (the same codes and messages)."""
    idea, = _ideas(open_round.id, 1)
    hidden, = _ideas(open_round.id, 1, status="hidden")
    voter = participant_client(open_round.id)
    r = _json_vote(voter, open_round.id, hidden.public_id)
    assert r.status_code == 409 and "moderaattori" in r.json["detail"].lower()
    assert _json_vote(voter, open_round.id, "NoSuchIdea12").status_code == 404
    assert _json_vote(voter, open_round.id, idea.public_id, value="maybe").status_code == 400
    # no participation key: refused, nothing stored, and a fresh key comes with the answer
    stranger = app.test_client()
    r = _json_vote(stranger, open_round.id, idea.public_id)
    assert r.status_code == 400 and f"kuulas_idea_{open_round.id}=" in r.headers.get("Set-Cookie", "")
    assert _rows() == 0


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_the_lean_path_keeps_csrf(app, open_round, participant_client, csrf_on):
    idea, = _ideas(open_round.id, 1)
    voter = participant_client(open_round.id)
    assert _json_vote(voter, open_round.id, idea.public_id).status_code == 400
    assert _rows() == 0
    page = voter.get(f"/ideariihi/{open_round.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert _json_vote(voter, open_round.id, idea.public_id, csrf_token=token).status_code == 200
    assert _rows() == 1


def statements_of_one_vote(app, client, round_id, idea_ref) -> list[str]:
    seen = []

    def note(conn, cursor, statement, params, context, executemany):
        seen.append(statement.split(None, 1)[0].upper())
    event.listen(db.engine, "before_cursor_execute", note)
    try:
        r = _json_vote(client, round_id, idea_ref)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert r.status_code == 200
    return seen


def test_a_vote_costs_few_statements(app, open_round, participant_client, monkeypatch):
    ideas = _ideas(open_round.id, 3)
    voter = participant_client(open_round.id)
    assert _json_vote(voter, open_round.id, ideas[0].public_id).status_code == 200   # the year's count
    if db.engine.dialect.name == "postgresql":
        # The vote gateway answers on its own connection: count the statements it runs.
        from deliberation.ideas import voting

        seen, real = [], voting.cast_pg

        def counted(run, *args, **kw):
            return real(lambda sql, params: seen.append(sql.split(None, 1)[0].upper()) or run(sql, params),
                        *args, **kw)
        monkeypatch.setattr(voting, "cast_pg", counted)
        gateway = app.extensions["kuulas_vote_gateway"]
        before = gateway.handled
        assert _json_vote(voter, open_round.id, ideas[1].public_id).status_code == 200
        assert gateway.handled == before + 1
        # one statement: the vote with the round's lock, the voter's earlier votes and the
        # round's count of idea changes; the pool of ideas was loaded by the first vote and
        # is kept while that count and the snapshot stay the same
        assert seen == ["WITH"]
    else:
        seen = statements_of_one_vote(app, voter, open_round.id, ideas[1].public_id)
        assert seen == ["INSERT", "SELECT", "SELECT", "SELECT"]   # upsert, snapshot, candidates, text
