"""Voting on a phone against PostgreSQL, where the vote gateway answers the votes of
ideas.js: three participants (fi, sv, en) go through every idea dealt to them one at a
time, with CSRF on; each sees every idea once, then the end-of-ideas note."""
from __future__ import annotations

from datetime import timedelta

import pytest

from kuulas.clock import utcnow
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

NOMORE = {"fi": "Olet käynyt läpi kaikki ideat toistaiseksi",
          "sv": "Du har gått igenom alla idéer",
          "en": "You have gone through all the ideas for now"}
AGREE = {"fi": "Samaa mieltä", "sv": "Håller med", "en": "Agree"}


@pytest.fixture
def app_config(app_config, postgres_url):
    return dict(app_config, SQLALCHEMY_DATABASE_URI=postgres_url, WTF_CSRF_ENABLED=True,
                SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 8, "max_overflow": 4})


def test_participants_vote_through_the_gateway(app, live_server, new_page, make_staff):
    from deliberation.ideas import services
    from deliberation.ideas.models import Idea
    from kuulas.extensions import db

    now = utcnow()
    round_ = services.create_round({
        "title": {"fi": "Kotihoito", "sv": "Hemvård", "en": "Home care"},
        "question": {"fi": "Mitä ajattelet?", "sv": "Vad tycker du?", "en": "What do you think?"},
        "opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=1),
        "moderation": "post", "comments_enabled": True, "max_length": 300},
        actor=make_staff("preparer"), now=now, publish=True)
    db.session.flush()
    texts = [f"Valmis idea numero {k}" for k in range(6)]
    db.session.add_all(Idea(round_id=round_.id, author_hash=f"someone-{k}", text=t, status="visible",
                            created_at=now.replace(minute=0, second=0, microsecond=0)) for k, t in enumerate(texts))
    db.session.commit()
    gateway = app.extensions["kuulas_vote_gateway"]
    before = gateway.handled
    url = f"{live_server.url}/ideariihi/{round_.id}"

    pages = {}
    for lang, locale in (("fi", "fi-FI"), ("sv", "sv-SE"), ("en", "en-GB")):
        page = new_page(locale)
        page.goto(f"{live_server.url}/kieli/{lang}?next=/ideariihi/{round_.id}")
        page.wait_for_url(url)
        pages[lang] = page

    for lang, page in pages.items():
        seen = []
        card = page.locator("[data-dealt-text]")
        for _ in range(len(texts)):
            current = card.inner_text()
            seen.append(current)
            page.locator("[data-vote-form]").get_by_role("button", name=AGREE[lang], exact=True).click()
            page.wait_for_function(
                "([old, end]) => { const t = document.querySelector('[data-dealt-text]');"
                " const d = document.querySelector('[data-dealt]');"
                " return (t && t.textContent !== old) || (d && d.textContent.includes(end)); }",
                arg=[current, NOMORE[lang]])
        page.get_by_text(NOMORE[lang]).wait_for()
        assert_accessible(page)
        assert sorted(seen) == sorted(texts), seen      # each idea dealt once
    # Every vote after a browser's first (which counts the browser for the year, in Flask)
    # was answered by the gateway.
    assert gateway.handled - before == 3 * (len(texts) - 1)
    db.session.remove()
    from sqlalchemy import func, select

    from deliberation.ideas.models import IdeaVote

    assert db.session.scalar(select(func.count()).select_from(IdeaVote).where(IdeaVote.round_id == round_.id)) == 18
