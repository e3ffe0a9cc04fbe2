"""The round in the URL scopes every item route: an idea or comment of another round is
"not there" (404), refused by the service before anything is written."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from deliberation.ideas import common, moderation, participating
from deliberation.ideas.common import Participant
from deliberation.ideas.models import VISIBLE, Idea, IdeaComment, IdeaFlag, IdeaTag, IdeaVote
from kuulas.clock import utcnow
from kuulas.errors import NotFound
from kuulas.extensions import db


@pytest.fixture
def two_rounds(make_round, participant_client):
    """Round ``here`` (the URL's) and round ``there`` with an idea and a comment written by
    the same browser that then acts on round ``here``."""
    here, there = make_round(), make_round()
    browser = participant_client(there.id)
    r = browser.post(f"/ideariihi/{there.id}/ideat", data={"text": "Toisen kierroksen idea"})
    assert r.status_code == 302
    idea = db.session.scalar(select(Idea).where(Idea.round_id == there.id))
    r = browser.post(f"/ideariihi/{there.id}/ideat/{idea.public_id}/kommentit", data={"text": "Toisen kommentti"})
    assert r.status_code == 302
    comment = db.session.scalar(select(IdeaComment).where(IdeaComment.round_id == there.id))
    assert browser.get(f"/ideariihi/{here.id}").status_code == 200   # a key for round ``here`` too
    return here.id, there.id, idea.public_id, comment.public_id, browser


def _state(there_id):
    db.session.expire_all()
    idea = db.session.scalar(select(Idea).where(Idea.round_id == there_id))
    comment = db.session.scalar(select(IdeaComment).where(IdeaComment.round_id == there_id))
    return (idea.status, idea.text, idea.edited, comment.status, comment.text,
            db.session.scalar(select(func.count()).select_from(IdeaVote)),
            db.session.scalar(select(func.count()).select_from(IdeaFlag)),
            db.session.scalar(select(func.count()).select_from(IdeaComment)),
            db.session.scalar(select(func.count()).select_from(IdeaTag)))


PUBLIC_ROUTES = {
    "vote": lambda h, i, c: ("/aani", {"idea_id": i, "value": "agree"}),
    "edit_idea": lambda h, i, c: (f"/ideat/{i}/muokkaa", {"text": "Kaapattu teksti"}),
    "withdraw_idea": lambda h, i, c: (f"/ideat/{i}/poista", {"confirm": "1"}),
    "post_comment": lambda h, i, c: (f"/ideat/{i}/kommentit", {"text": "Väärän kierroksen kommentti"}),
    "edit_comment": lambda h, i, c: (f"/kommentit/{c}/muokkaa", {"text": "Kaapattu kommentti"}),
    "withdraw_comment": lambda h, i, c: (f"/kommentit/{c}/poista", {"confirm": "1"}),
    "flag": lambda h, i, c: (f"/ideat/{i}/ilmianna", {"reason": "spam"}),
}


@pytest.mark.parametrize("route", sorted(PUBLIC_ROUTES))
def test_public_item_routes_refuse_another_rounds_item(app, two_rounds, route):
    here, there, idea, comment, browser = two_rounds
    before = _state(there)
    path, data = PUBLIC_ROUTES[route](here, idea, comment)
    r = browser.post(f"/ideariihi/{here}{path}", data=data)
    assert r.status_code == 404
    assert _state(there) == before
    # The same request to the item's own round is accepted (the route itself works).
    r = browser.post(f"/ideariihi/{there}{path}", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:300]


def test_staff_moderation_refuses_another_rounds_item(app, client, login, moderator, two_rounds):
    here, there, idea, comment, _browser = two_rounds
    login(moderator)
    before = _state(there)
    for kind, ref in (("idea", idea), ("comment", comment)):
        r = client.post(f"/hallinta/ideariihi/{here}/moderoi",
                        data={"kind": kind, "item_id": ref, "action": "hide", "reason": "Väärä kierros"})
        assert r.status_code == 404
    assert _state(there) == before
    r = client.post(f"/hallinta/ideariihi/{there}/moderoi",
                    data={"kind": "idea", "item_id": idea, "action": "hide", "reason": "Oikea kierros"})
    assert r.status_code == 302
    assert _state(there)[0] != VISIBLE


def test_staff_tags_refuse_another_rounds_idea(app, client, login, moderator, two_rounds):
    here, there, idea, _comment, _browser = two_rounds
    login(moderator)
    before = _state(there)
    r = client.post(f"/hallinta/ideariihi/{here}/ideat/{idea}/teemat", data={"tags": "vieras"})
    assert r.status_code == 404
    assert _state(there) == before
    r = client.post(f"/hallinta/ideariihi/{there}/ideat/{idea}/teemat", data={"tags": "oma"})
    assert r.status_code == 302
    assert [t.name for t in db.session.scalar(select(Idea).where(Idea.public_id == idea)).tags] == ["oma"]


def test_services_take_the_round_and_refuse_another_rounds_items(app, moderator, two_rounds):
    """Without any view: the round given to the service scopes the item."""
    here, there, idea, comment, _browser = two_rounds
    now = utcnow()
    before = _state(there)
    stranger = Participant(here, "b" * 64)
    calls = [
        lambda: moderation.moderate(here, "idea", idea, "hide", actor=moderator, now=now, reason="Väärä"),
        lambda: moderation.moderate(here, "comment", comment, "hide", actor=moderator, now=now, reason="Väärä"),
        lambda: moderation.set_tags(here, idea, ["vieras"], actor=moderator, now=now),
        lambda: participating.vote(idea, stranger, 1, now=now),
        lambda: participating.post_comment(idea, stranger, "Väärä kierros", now=now),
        lambda: participating.flag(idea, stranger, "spam", None, now=now),
        lambda: participating.edit_idea(idea, stranger, "Kaapattu", now=now),
        lambda: participating.withdraw_comment(comment, stranger, now=now),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
        db.session.rollback()
    assert _state(there) == before
    assert common.find_idea(idea).round_id == there
