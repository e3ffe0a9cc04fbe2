"""The public face on a phone in Finnish, Swedish and English (each at 320 px, Finnish also at
390 px): from the
front page via Results to an outcome and its decision; the public digiraati page; tables
that scroll in their own focusable region instead of the page; axe finds nothing serious."""
from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE_WALKS, assert_accessible
from tests.publicface.conftest import raati, world  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

LABELS = {
    "fi": {"results": "Tulokset", "decided": "Päätettiin:", "who": "Ketkä osallistuivat",
           "title": "Kotihoidon ideariihen tulos"},
    "sv": {"results": "Resultat", "decided": "Beslut:", "who": "Vilka deltog",
           "title": "Resultatet av idérundan om hemvård"},
    "en": {"results": "Results", "decided": "Decided:", "who": "Who took part",
           "title": "Kotihoidon ideariihen tulos"},   # no English translation: the original
}


def no_page_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def phone(new_page, width):
    p = new_page()
    p.set_viewport_size({"width": width, "height": 800})
    return p


@pytest.mark.parametrize("width,code", PHONE_WALKS)
def test_reader_goes_from_front_page_via_results_to_an_outcome(app, live_server, new_page, world, code, width):
    base, words = live_server.url, LABELS[code]
    page = phone(new_page, width)
    page.goto(f"{base}/kieli/{code}")
    assert page.locator("html").get_attribute("lang") == code
    assert no_page_overflow(page)
    assert_accessible(page)
    page.get_by_role("navigation", name={"fi": "Päävalikko", "sv": "Huvudmeny", "en": "Main menu"}[code]) \
        .get_by_role("link", name=words["results"], exact=True).click()
    page.wait_for_url("**/tulokset")
    assert no_page_overflow(page)
    assert_accessible(page)
    card = page.locator("li.card", has_text=words["title"])
    assert words["decided"] in card.inner_text()
    card.get_by_role("link", name=words["title"]).click()
    page.wait_for_url(f"**/tulokset/{world.outcome}")
    assert page.get_by_role("heading", level=1).inner_text() == words["title"]
    assert page.locator("#on-this-page").is_visible()
    assert no_page_overflow(page)
    assert_accessible(page)


def test_front_page_list_leads_to_the_outcome(app, live_server, new_page, world):
    page = phone(new_page, 320)
    page.goto(f"{live_server.url}/kieli/fi")
    page.get_by_role("link", name="Kotihoidon ideariihi").click()
    page.wait_for_url(f"**/tulokset/{world.outcome}")
    page.locator("#on-this-page a", has_text="Mitä päätettiin").click()
    assert page.evaluate("location.hash") == "#decided"


@pytest.mark.parametrize("width,code", PHONE_WALKS)
def test_public_raati_page_on_a_phone(app, live_server, new_page, raati, code, width):  # noqa: F811
    from tests.publicface.test_raati_public import _lock

    _lock(raati)      # the statement, its 64-character hash and the approval record are shown
    page = phone(new_page, width)
    page.goto(f"{live_server.url}/kieli/{code}")
    page.goto(f"{live_server.url}/raati/{raati.id}/esittely")
    assert page.get_by_role("heading", name=LABELS[code]["who"]).is_visible()
    assert "SALAINEN CHATTIVIESTI" not in page.content()
    assert page.get_by_text("ab" * 32, exact=False).is_visible()
    assert no_page_overflow(page)
    # Words are not broken mid-character: only text that cannot fit wraps.
    assert page.evaluate("getComputedStyle(document.body).overflowWrap") == "normal"
    assert page.evaluate("getComputedStyle(document.querySelector('.table-scroll td')).overflowWrap") != "anywhere"
    region = page.locator("div.table-scroll[role=region]").first
    assert region.get_attribute("tabindex") == "0" and region.get_attribute("aria-labelledby")
    # The figures under a chart sit in a closed <details>: open it as a reader would.
    closed = region.locator("xpath=ancestor::details")
    if closed.count():
        closed.first.locator("summary").click()
    # The region is reached with the keyboard and scrolls with the arrow keys when it is wider.
    region.focus()
    assert page.evaluate("document.activeElement.classList.contains('table-scroll')")
    if region.evaluate("el => el.scrollWidth > el.clientWidth"):
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        # Keyboard scrolling may be animated: wait until the region has moved.
        page.wait_for_function("() => document.activeElement.scrollLeft > 0")
    assert_accessible(page)


@pytest.mark.parametrize("path", ["/osallisuus", "/tietosuoja", "/haku?q=kotihoito"])
def test_table_and_long_pages_at_320_and_at_200_percent_zoom(app, live_server, new_page, world, path):
    for width in (320, 640):      # 640 CSS px = a 1280 px window at 200 % zoom
        page = phone(new_page, width)
        page.goto(f"{live_server.url}/kieli/fi")
        page.goto(f"{live_server.url}{path}")
        assert no_page_overflow(page), (path, width)
        for region in page.locator("div.table-scroll").all():
            assert region.get_attribute("tabindex") == "0"
        assert_accessible(page)
