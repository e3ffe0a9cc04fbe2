"""Behaviour that depends on the real database: parallel identical votes make one row, and
parallel votes of many participants are all counted."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

pytestmark = pytest.mark.postgres


@pytest.fixture
def app_config(app_config, postgres_url):
    return dict(app_config, SQLALCHEMY_DATABASE_URI=postgres_url,
                SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 12, "max_overflow": 10})


def _parallel(funcs):
    barrier = threading.Barrier(len(funcs))
    results = []

    def run(f):
        barrier.wait()
        results.append(f())
    threads = [threading.Thread(target=run, args=(f,)) for f in funcs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_parallel_identical_votes_make_one_row(app, open_round, participant_client):
    from deliberation.ideas.models import Idea, IdeaVote
    from kuulas.extensions import db

    author = participant_client(open_round.id)
    author.post(f"/ideariihi/{open_round.id}/ideat", data={"text": "Rinnakkaisäänten kohde"})
    idea_id = db.session.scalar(select(Idea.public_id))
    voter = participant_client(open_round.id)
    cookie = voter.get_cookie(f"kuulas_idea_{open_round.id}", path=f"/ideariihi/{open_round.id}").value

    def one():
        c = app.test_client()
        c.set_cookie(f"kuulas_idea_{open_round.id}", cookie, path=f"/ideariihi/{open_round.id}")
        return c.post(f"/ideariihi/{open_round.id}/aani", data={"idea_id": idea_id, "value": "agree"}).status_code
    codes = _parallel([one] * 10)
    assert codes == [302] * 10
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(IdeaVote)) == 1


def test_parallel_votes_of_many_participants_all_count(app, open_round, participant_client):
    from deliberation.ideas import services
    from deliberation.ideas.models import Idea
    from kuulas.extensions import db

    participant_client(open_round.id).post(f"/ideariihi/{open_round.id}/ideat", data={"text": "Monen äänen kohde"})
    idea_id = db.session.scalar(select(Idea.public_id))
    voters = [participant_client(open_round.id) for _ in range(12)]
    values = ["agree", "disagree", "pass"]
    codes = _parallel([lambda c=c, v=values[n % 3]: c.post(f"/ideariihi/{open_round.id}/aani",
                                                           data={"idea_id": idea_id, "value": v}).status_code
                       for n, c in enumerate(voters)])
    assert codes == [302] * 12
    db.session.remove()
    assert services.idea_counts(db.session.scalar(select(Idea.id))) == services.tally.Counts(4, 4, 4)


@pytest.mark.parametrize("kind", ["vote", "vote-full", "idea", "comment"])
def test_write_in_flight_at_close_is_refused_on_postgres(app, open_round, preparer, participant_client, kind,
                                                         monkeypatch):
    from tests.ideas import race

    race.full_path_only(monkeypatch, kind)
    r, before, after = race.close_while_insert_is_pending(app, open_round, preparer, participant_client, kind)
    assert r.status_code == race.REFUSED[kind] and "Kierros on päättynyt" in r.get_data(as_text=True)
    assert after == before


@pytest.mark.parametrize("kind", ["vote", "vote-full", "idea", "comment"])
def test_close_waits_for_a_write_in_flight_on_postgres(app, open_round, preparer, participant_client, kind,
                                                       monkeypatch):
    from tests.ideas import race

    race.full_path_only(monkeypatch, kind)
    r, before, after = race.close_while_commit_is_pending(app, open_round, preparer, participant_client, kind)
    assert r.status_code == 302 and after == before + 1


def test_many_votes_racing_a_close_are_all_in_before_it_or_refused(app, open_round, preparer, participant_client):
    """Twelve voters and the close at the same moment: every stored vote was committed
    before the close (the count read right after the close commits never grows), and
    every refused one was told why."""
    from deliberation.ideas import services
    from deliberation.ideas.models import Idea, IdeaVote
    from kuulas.clock import utcnow
    from kuulas.extensions import db

    participant_client(open_round.id).post(f"/ideariihi/{open_round.id}/ideat", data={"text": "Kilpailtu idea"})
    idea_ref = db.session.scalar(select(Idea.public_id))
    voters = [participant_client(open_round.id) for _ in range(12)]
    staff_model, staff_id, round_id = type(preparer), preparer.id, open_round.id
    seen = {}

    def close():
        with app.app_context():
            services.close_now(round_id, actor=db.session.get(staff_model, staff_id), now=utcnow())
            db.session.commit()
            db.session.remove()
            seen["at_close"] = db.session.scalar(select(func.count()).select_from(IdeaVote))
        return "closed"

    calls = [lambda c=c: c.post(f"/ideariihi/{round_id}/aani", data={"idea_id": idea_ref, "value": "agree"})
             for c in voters] + [close]
    results = _parallel(calls)
    responses = [r for r in results if r != "closed"]
    assert len(responses) == 12 and all(r.status_code in (302, 403, 409) for r in responses)
    for r in responses:
        if r.status_code != 302:
            assert "Kierros on päättynyt" in r.get_data(as_text=True)
    db.session.remove()
    stored = db.session.scalar(select(func.count()).select_from(IdeaVote))
    assert stored == sum(1 for r in responses if r.status_code == 302) == seen["at_close"]
