"""A reader on a phone opens the demo outcome in Finnish, Swedish and English (each at 320 px,
Finnish also at 390 px): the decision and its impacts in their language, dates in the locale's format, the
easy-to-read Finnish switch working in place; axe finds nothing serious or critical."""
from __future__ import annotations

import random

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE_WALKS, assert_accessible

pytestmark = pytest.mark.browser

EXPECTED = {
    "fi": ("fi-FI", "Aluehallitus", "Ehdotus otetaan käyttöön palvelusuunnitelmassa vuodelle 2027."),
    "sv": ("sv-FI", "Regionstyrelsen", "Förslaget tas in i serviceplanen för 2027."),
    "en": ("en-GB", "Regional Executive Board", "The proposal is included in the service plan for 2027."),
}


@pytest.fixture(scope="module")
def app(module_app):
    """The readers only read the demo outcome: one app and one demo for every walk."""
    return module_app


@pytest.fixture(scope="module")
def demo_outcome(app):
    """The demo's staff, idea rounds and their outcomes (with the translated decision)."""
    from kuulas import demo as kernel_demo
    from kuulas.clock import utcnow
    from kuulas.extensions import db
    from deliberation.ideas import demo as ideas_demo
    from deliberation.outcomes import demo as outcomes_demo
    from deliberation.outcomes.models import Outcome

    now, out = utcnow(), []
    with app.test_request_context():
        kernel_demo.seed_staff(now, random.Random(1), out)
        ideas_demo.seed(now, random.Random(1), out)
        outcomes_demo.seed_outcomes(now, random.Random(1), out)
        db.session.commit()
        outcome = db.session.query(Outcome).filter(Outcome.plain_summary != "").one()
        return outcome.id, outcome.decisions[0].meeting_date


@pytest.mark.parametrize("width,lang", PHONE_WALKS)
def test_reader_sees_the_decision_in_their_language(live_server, browser, demo_outcome, lang, width):
    from kuulas import formats

    outcome_id, meeting = demo_outcome
    locale, body, reasoning = EXPECTED[lang]
    context = browser.new_context(viewport={"width": width, "height": 800}, locale=locale, is_mobile=True,
                                  has_touch=True, extra_http_headers={"Accept-Language": lang})
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/tulokset/{outcome_id}")
        assert page.locator("html").get_attribute("lang") == lang
        decision = page.locator(".decision h3").first
        expect(decision).to_contain_text(f"{body}, {formats.format_date(meeting, 'long', locale=lang)}")
        expect(page.locator(".impact-reasoning").first).to_have_text(reasoning)
        expect(page.locator(".impact-reasoning").first).to_have_attribute("lang", lang)
        text = page.locator("main").inner_text()
        assert "AM" not in text and "PM" not in text
        # The easy-to-read Finnish summary: closed, opened in place, marked as Finnish.
        toggle = page.locator(".plain-toggle")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(page.locator("#selkokieli")).to_be_hidden()
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(page.locator("#selkokieli")).to_be_visible()
        expect(page.locator("#selkokieli")).to_have_attribute("lang", "fi")
        assert page.url.endswith("?selko=1#selkokieli")
        assert_accessible(page)
        toggle.click()
        expect(page.locator("#selkokieli")).to_be_hidden()
    finally:
        context.close()
