"""A reader on a phone (390 and 320 px wide) in Finnish, Swedish and English goes from the
outcome list to the demo's outcomes and sees the top section's charts: who took part
against the population (the panel survey), the votes per idea (the idea round) and the
impact per point, and the digiraati's members against the population; axe finds no serious or critical violation at either width."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

LOCALES = {
    "fi": ("fi-FI", "Ikäryhmä: osallistujat verrattuna väestöön", "Äänet 5 eniten kannatusta saaneesta ideasta",
           "Ketkä osallistuivat"),
    "sv": ("sv-FI", "Ikäryhmä: deltagarna jämfört med befolkningen", "Rösterna om de 5 idéerna med mest stöd",
           "Vilka deltog"),
    "en": ("en-GB", "Ikäryhmä: participants compared with the population", "Votes on the 5 ideas with the most support",
           "Who took part"),
}


@pytest.fixture(scope="module")
def app(module_app):
    """The readers only read the demo: one app and one demo for the three languages."""
    return module_app


@pytest.fixture(scope="module")
def demo(app):
    from kuulas import demo as kuulas_demo
    from kuulas.extensions import db
    from deliberation.outcomes.models import Outcome

    kuulas_demo.run()
    ids = {o.source_kind: o.id for o in db.session.scalars(select(Outcome))}
    db.session.remove()
    return ids


def fits(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= width      # nothing overflows sideways


def chart(page, ident: str):
    svg = page.locator(f"svg#{ident}")
    assert svg.is_visible() and svg.get_attribute("role") == "img"
    assert svg.get_attribute("aria-labelledby") == f"{ident}-title {ident}-desc"
    box = svg.bounding_box()
    assert box["width"] > 200 and box["x"] + box["width"] <= page.viewport_size["width"]
    return svg.locator("title").text_content()


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_reader_sees_the_outcome_charts_on_a_phone(live_server, new_page, demo, lang):
    locale, who_title, votes_title, who_heading = LOCALES[lang]
    base = live_server.url
    page = new_page(locale)
    page.goto(f"{base}/tulokset")
    page.locator(f"a[href$='/tulokset/{demo['surveys']}']").first.click()
    page.wait_for_url(f"**/tulokset/{demo['surveys']}")
    assert page.get_by_role("heading", name=who_heading, level=2).is_visible()
    for width in (390, 320):
        fits(page, width)
        assert chart(page, "took-part-1") == who_title
        assert chart(page, "impact-chart")
        assert_accessible(page)
    # The text equivalent opens beside the chart.
    page.locator("#who details summary").first.click()
    assert page.locator("#who details table").first.is_visible()

    page.goto(f"{base}/tulokset/{demo['ideas']}")
    for width in (390, 320):
        fits(page, width)
        assert chart(page, "votes") == votes_title
        assert chart(page, "impact-chart")
        assert_accessible(page)
    # The digiraati's members against the population (the demo's 10 members: small groups hidden).
    page.goto(f"{base}/tulokset/{demo['raati']}")
    fits(page, 320)
    assert chart(page, "took-part-1")
    assert_accessible(page)
    # The top section (asked .. impact) of the idea round fits in about two phone screens.
    page.goto(f"{base}/tulokset/{demo['ideas']}")
    page.set_viewport_size({"width": 390, "height": 844})
    top = page.evaluate("document.querySelector('.glance').getBoundingClientRect().height")
    assert top < 2 * 844
