"""The vote gateway (``deliberation.ideas.vote_gateway``) on the real PostgreSQL: it answers
the everyday vote of ideas.js as the Flask view does, and hands everything else to Flask,
which answers exactly as before."""
from __future__ import annotations

import random
import re

import pytest
from sqlalchemy import select, update

from kuulas.extensions import db
from tests.ideas.test_voting import _ideas, _rows

pytestmark = pytest.mark.postgres
JS = {"X-Requested-With": "ideas.js", "Accept": "application/json"}


@pytest.fixture
def app_config(app_config, postgres_url):
    return dict(app_config, SQLALCHEMY_DATABASE_URI=postgres_url)


@pytest.fixture
def gateway(app):
    return app.extensions["kuulas_vote_gateway"]


def _votes(**where):
    db.session.commit()      # a new transaction: what the other connections committed
    return _rows(**where)


def _vote(client, round_id, ref, value="agree", headers=JS, **extra):
    return client.post(f"/ideariihi/{round_id}/aani", data={"idea_id": ref, "value": value, **extra},
                       headers=headers)


def _token(client, round_id):
    page = client.get(f"/ideariihi/{round_id}").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


@pytest.fixture
def voter(open_round, participant_client):
    """A participant whose first vote (which counts the browser for the year) is behind them."""
    c = participant_client(open_round.id)
    warm, = _ideas(open_round.id, 1, author="someone-else")
    assert _vote(c, open_round.id, warm.public_id).status_code == 200
    return c


def test_the_everyday_vote_is_answered_by_the_gateway_as_the_view_answers(app, open_round, voter, gateway,
                                                                          monkeypatch):
    a, b = _ideas(open_round.id, 2)
    before = gateway.handled
    r = _vote(voter, open_round.id, a.public_id)
    assert gateway.handled == before + 1
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.json == {"ok": True, "idea_id": a.public_id,
                      "next": {"id": b.public_id, "text": b.text,
                               "url": f"/ideariihi/{open_round.id}/ideat/{b.public_id}"}}
    # the headers every answer carries, and the same Vary as Flask's answer
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"):
        assert r.headers.get(name), name
    assert r.headers["Vary"] == "Cookie" and "Set-Cookie" not in r.headers
    # the same vote through the Flask view: the same JSON
    from deliberation.ideas import vote_gateway

    monkeypatch.setattr(vote_gateway.VoteGateway, "_vote", lambda *a, **k: None)
    flask_answer = _vote(voter, open_round.id, a.public_id)
    assert gateway.handled == before + 1
    assert flask_answer.status_code == 200 and flask_answer.json == r.json
    assert _votes(idea_id=a.id) == 1


def test_refusals_go_to_flask_and_keep_their_answers(app, open_round, voter, gateway, participant_client):
    from deliberation.ideas.models import CLOSED, IdeaRound

    idea, = _ideas(open_round.id, 1)
    hidden, = _ideas(open_round.id, 1, status="hidden")
    before = gateway.handled
    r = _vote(voter, open_round.id, hidden.public_id)     # the body reached Flask: it names the idea
    assert r.status_code == 409 and "moderaattori" in r.json["detail"].lower()
    assert _vote(voter, open_round.id, "NoSuchIdea12").status_code == 404
    assert _vote(voter, open_round.id, idea.public_id, value="maybe").status_code == 400
    # a JSON body is the view's to read (and it takes it)
    r = voter.post(f"/ideariihi/{open_round.id}/aani", json={"idea_id": idea.public_id, "value": "pass"}, headers=JS)
    assert r.status_code == 200 and r.json["idea_id"] == idea.public_id
    forged = participant_client(open_round.id)
    forged.set_cookie(f"kuulas_idea_{open_round.id}", "v1.abc.def", path=f"/ideariihi/{open_round.id}")
    r = _vote(forged, open_round.id, idea.public_id)
    assert r.status_code == 400 and f"kuulas_idea_{open_round.id}=" in r.headers.get("Set-Cookie", "")
    # not from ideas.js: the form's redirect and flash, as before
    r = _vote(voter, open_round.id, idea.public_id, headers={})
    assert r.status_code == 302
    assert gateway.handled == before
    db.session.execute(update(IdeaRound).where(IdeaRound.id == open_round.id).values(state=CLOSED))
    db.session.commit()
    r = _vote(voter, open_round.id, idea.public_id, value="disagree")
    assert r.status_code in (403, 409) and r.json["detail"]
    assert gateway.handled == before
    from deliberation.ideas.models import IdeaVote

    db.session.commit()
    assert db.session.scalar(select(IdeaVote.value).where(IdeaVote.idea_id == idea.id)) == 1   # the form's vote


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_csrf_is_checked_as_flask_wtf_checks_it(app, open_round, participant_client, gateway, csrf_on):
    idea, other = _ideas(open_round.id, 2)
    c = participant_client(open_round.id)
    token = _token(c, open_round.id)
    assert _vote(c, open_round.id, other.public_id, csrf_token=token).status_code == 200   # the year's count
    before = gateway.handled
    from itsdangerous import URLSafeTimedSerializer

    elsewhere = URLSafeTimedSerializer("another site's secret", salt="wtf-csrf-token").dumps("0" * 40)
    for bad in (None, "", token[:-3] + "abc", elsewhere):
        extra = {} if bad is None else {"csrf_token": bad}
        r = _vote(c, open_round.id, idea.public_id, **extra)
        assert r.status_code == 400 and "lomake" in r.json["detail"].lower(), bad
    assert gateway.handled == before and _votes(idea_id=idea.id) == 0
    # HTTPS: Flask-WTF's same-origin referrer (none, or another site's, is refused)
    https = {"base_url": "https://localhost"}
    for referrer in (None, "https://evil.example/ideariihi"):
        headers = dict(JS, **({"Referer": referrer} if referrer else {}))
        r = c.post(f"/ideariihi/{open_round.id}/aani", data={"idea_id": idea.public_id, "value": "agree",
                                                              "csrf_token": token}, headers=headers, **https)
        assert r.status_code == 400, referrer
    assert gateway.handled == before and _votes(idea_id=idea.id) == 0
    r = c.post(f"/ideariihi/{open_round.id}/aani", data={"idea_id": idea.public_id, "value": "agree",
                                                          "csrf_token": token},
               headers=dict(JS, Referer=f"https://localhost/ideariihi/{open_round.id}"), **https)
    assert r.status_code == 200 and gateway.handled == before + 1 and _votes(idea_id=idea.id) == 1


def test_a_verified_token_still_expires(app, open_round, participant_client, gateway, csrf_on, monkeypatch):
    """The gateway remembers tokens it has verified, but checks their age on every vote."""
    import time

    idea, other, third = _ideas(open_round.id, 3)
    c = participant_client(open_round.id)
    token = _token(c, open_round.id)
    assert _vote(c, open_round.id, other.public_id, csrf_token=token).status_code == 200   # the year's count
    before = gateway.handled
    assert _vote(c, open_round.id, third.public_id, csrf_token=token).status_code == 200
    assert gateway.handled == before + 1                       # verified, and now remembered
    later = time.time() + app.config["WTF_CSRF_TIME_LIMIT"] + 60
    monkeypatch.setattr(time, "time", lambda: later)           # for itsdangerous (Flask-WTF) too
    r = _vote(c, open_round.id, idea.public_id, csrf_token=token)
    assert r.status_code == 400 and "lomake" in r.json["detail"].lower()
    assert gateway.handled == before + 1 and _votes(idea_id=idea.id) == 0


def test_a_signed_in_user_goes_through_flask(app, open_round, participant_client, gateway, make_staff, login):
    idea, other = _ideas(open_round.id, 2)
    c = participant_client(open_round.id)
    login(make_staff("moderator"), c)
    c.get(f"/ideariihi/{open_round.id}")
    assert _vote(c, open_round.id, other.public_id).status_code == 200
    before = gateway.handled
    r = _vote(c, open_round.id, idea.public_id)
    assert r.status_code == 200 and gateway.handled == before
    assert r.headers.get("Cache-Control") == "no-store"      # Flask's answer for a signed-in user


def test_an_error_in_the_gateway_leaves_the_vote_to_flask(app, open_round, voter, gateway, monkeypatch, caplog):
    from deliberation.ideas import vote_gateway

    idea, = _ideas(open_round.id, 1)

    def broken(*args):
        raise RuntimeError("voter-hash-value must not be logged")
    monkeypatch.setattr(vote_gateway, "_cast", broken)
    before = gateway.handled
    r = _vote(voter, open_round.id, idea.public_id)
    assert r.status_code == 200 and r.json["idea_id"] == idea.public_id and gateway.handled == before
    assert _votes(idea_id=idea.id) == 1
    assert "RuntimeError" in caplog.text and "voter-hash-value" not in caplog.text


def test_a_hidden_idea_is_never_dealt_even_from_a_loaded_pool(app, open_round, participant_client, gateway):
    from deliberation.ideas.models import HIDDEN, Idea

    ideas = _ideas(open_round.id, 12)
    voters = [participant_client(open_round.id) for _ in range(6)]
    first = ideas[0]
    for c in voters:          # the pool is loaded, and every voter's browser counted
        assert _vote(c, open_round.id, first.public_id).status_code == 200
    gone = ideas[1:6]
    db.session.execute(update(Idea).where(Idea.id.in_([i.id for i in gone])).values(status=HIDDEN))
    db.session.commit()
    before, dealt = gateway.handled, []
    rng = random.Random(5)
    for c in voters:
        for idea in rng.sample(ideas[6:], 4):
            r = _vote(c, open_round.id, idea.public_id)
            assert r.status_code == 200
            if r.json["next"]:
                dealt.append(r.json["next"]["id"])
    assert gateway.handled == before + 24 and dealt
    assert not {i.public_id for i in gone} & set(dealt)


def test_a_new_idea_joins_the_deal_at_once(app, open_round, voter, gateway):
    a, = _ideas(open_round.id, 1)
    r = _vote(voter, open_round.id, a.public_id)
    assert r.json["next"] is None                       # nothing else to vote on
    new, = _ideas(open_round.id, 1)
    r = _vote(voter, open_round.id, a.public_id, value="pass")
    assert r.json["next"]["id"] == new.public_id and r.json["next"]["text"] == new.text


def test_an_edited_withdrawn_or_deleted_idea_changes_the_pool(app, open_round, voter, gateway):
    """The trigger counts each change in the change's own transaction; the next vote in any
    process sees the new count and deals from the ideas as they are now."""
    from deliberation.ideas.models import WITHDRAWN, Idea, IdeaPoolVersion

    target, edited, withdrawn, deleted = _ideas(open_round.id, 4)

    def count():
        db.session.commit()
        return db.session.get(IdeaPoolVersion, open_round.id).n
    n0 = count()
    db.session.execute(update(Idea).where(Idea.id == edited.id).values(text="Muokattu teksti"))
    db.session.execute(update(Idea).where(Idea.id == withdrawn.id).values(status=WITHDRAWN))
    db.session.delete(db.session.get(Idea, deleted.id))
    db.session.execute(update(Idea).where(Idea.id == target.id).values(edited=True))   # not a pool change
    assert count() == n0 + 3
    dealt = set()
    for value in ("agree", "disagree", "pass", "agree", "pass"):
        r = _vote(voter, open_round.id, target.public_id, value=value)
        dealt.add((r.json["next"]["id"], r.json["next"]["text"]))
    assert dealt == {(edited.public_id, "Muokattu teksti")}


class TestLimits:
    @pytest.fixture
    def app_config(self, app_config):
        return dict(app_config, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")

    def test_one_count_whichever_door(self, app, open_round, participant_client, gateway):
        """30 votes a minute per participant: the gateway's and the view's votes are counted
        together, once each, and the 31st is refused with the translated 429."""
        from kuulas.extensions import limiter

        limiter.reset()
        ideas = _ideas(open_round.id, 40)
        c = participant_client(open_round.id)
        codes, before = [], gateway.handled
        for k, idea in enumerate(ideas[:31]):
            codes.append(_vote(c, open_round.id, idea.public_id, headers=JS if k % 3 else {}).status_code)
        assert codes[:30] == [200 if k % 3 else 302 for k in range(30)] and codes[30] == 429
        assert gateway.handled - before == sum(1 for k in range(1, 30) if k % 3)
        r = _vote(c, open_round.id, ideas[35].public_id)
        assert r.status_code == 429 and r.json["detail"]
        assert _votes() == 30
        # another participant behind the same address votes on
        other = participant_client(open_round.id)
        assert _vote(other, open_round.id, ideas[0].public_id).status_code == 200
        limiter.reset()
