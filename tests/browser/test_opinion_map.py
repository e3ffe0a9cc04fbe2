"""The live opinion map on a phone, in Finnish, Swedish and English: a participant of the
open demo round votes, opens the live results and sees the map with their own position
(and the group they are closest to); axe finds nothing serious at 390 and 320 px."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest

from kuulas.clock import utcnow
from kuulas.scheduler import run_job
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

TEXTS = {
    "fi-FI": {"agree": "Samaa mieltä", "disagree": "Eri mieltä", "link": "Katso tulokset nyt ja mielipidekartta",
              "heading": "Mielipidekartta", "here": "Olet tässä:", "group": "äänesi ovat lähimpänä ryhmää",
              "title": "Mielipidekartta: samalla tavalla äänestäneet ovat lähellä toisiaan"},
    "sv-FI": {"agree": "Håller med", "disagree": "Håller inte med", "link": "Se resultaten just nu och åsiktskartan",
              "heading": "Åsiktskarta", "here": "Du är här:", "group": "dina röster ligger närmast grupp",
              "title": "Åsiktskarta: deltagare som röstat lika är nära varandra"},
    "en-GB": {"agree": "Agree", "disagree": "Disagree", "link": "See the live results and the opinion map",
              "heading": "Opinion map", "here": "You are here:", "group": "your votes are closest to group",
              "title": "Opinion map: participants who voted alike are close to each other"},
}


@pytest.fixture
def demo_round(app, make_staff):
    from deliberation.ideas import demo
    from kuulas.extensions import db

    demo.seed(utcnow(), random.Random(1), [], actor=make_staff("preparer"))
    db.session.commit()
    rid = demo.LAST_IDS["open"]
    at = utcnow() + timedelta(minutes=2)
    run_job(app, "ideas.counts", at)
    assert run_job(app, "ideas.map", at) == "maps 1"   # the first published map of the round
    return rid


@pytest.mark.parametrize("locale", list(TEXTS))
def test_participant_sees_the_live_map_with_their_position(app, live_server, new_page, demo_round, locale):
    t = TEXTS[locale]
    page = new_page(locale)
    page.goto(f"{live_server.url}/ideariihi/{demo_round}")
    card = page.locator("[data-vote-form]")
    for n in range(4):   # dealt one at a time, without reloading
        before = page.locator("[data-dealt-text]").inner_text()
        card.get_by_role("button", name=t["agree"] if n % 2 == 0 else t["disagree"], exact=True).click()
        page.wait_for_function("(b) => { const e = document.querySelector('[data-dealt-text]');"
                               " return !e || e.innerText !== b; }", arg=before)
    page.get_by_role("link", name=t["link"]).click()
    page.get_by_role("heading", name=t["heading"], exact=True).wait_for()
    svg = page.get_by_role("img", name=t["title"])
    assert svg.is_visible()
    assert page.locator("svg [data-map-group]").count() >= 2
    assert page.locator("svg [data-you]").count() == 1
    you = page.locator("[data-my-position]").inner_text()
    assert t["here"] in you and t["group"] in you
    # The map fits the phone screen: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 720})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator(".map-svg").bounding_box()["width"] <= 320
    assert_accessible(page)


def test_live_update_redraws_the_map_and_keeps_the_position(app, live_server, new_page, demo_round):
    """A new published map reaches an open page over Socket.IO; the page fetches its own
    map again (with its own position) and says so to screen readers."""
    from deliberation.ideas import live_results
    from kuulas.extensions import db

    page = new_page("en-GB")
    page.goto(f"{live_server.url}/ideariihi/{demo_round}")
    for _ in range(3):
        before = page.locator("[data-dealt-text]").inner_text()
        page.locator("[data-vote-form]").get_by_role("button", name="Agree", exact=True).click()
        page.wait_for_function("(b) => { const e = document.querySelector('[data-dealt-text]');"
                               " return !e || e.innerText !== b; }", arg=before)
    page.goto(f"{live_server.url}/ideariihi/{demo_round}/tulokset")
    page.locator("svg [data-you]").wait_for()
    page.wait_for_function("() => window.io && document.querySelector('[data-opinion-map]')")
    page.wait_for_timeout(500)  # let the socket connect
    page.evaluate("document.querySelector('[data-opinion-map]').setAttribute('data-old', '1')")
    at = utcnow() + timedelta(minutes=10)
    run_job(app, "ideas.counts", at)   # the three votes make a batch
    assert run_job(app, "ideas.map", at) == "maps 1"
    page.wait_for_function("() => !document.querySelector('[data-opinion-map]').hasAttribute('data-old')")
    assert page.locator("[data-map-status]").inner_text() == "The opinion map was updated."
    assert page.locator("svg [data-you]").count() == 1
    db.session.remove()
    assert db.session.get(live_results.IdeaMapSnapshot, demo_round).counts_published_at == at
