"""The public pages in a phone-sized Chromium, in Finnish, Swedish and English, with
axe-core finding no serious or critical violations; and the sign-in flows."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

PAGES = [("/", "h1"), ("/kirjaudu", "h1"), ("/kirjaudu/henkilosto", "h1"),
         ("/saavutettavuus", "h1"), ("/tietosuoja", "h1"), ("/saavutettavuus/palaute", "h1")]
LOCALES = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}


@pytest.mark.parametrize("lang", list(LOCALES))
def test_public_pages_are_accessible_in_each_language(live_server, new_page, lang):
    page = new_page(LOCALES[lang])
    for path, _heading in PAGES:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == lang, path
        assert_accessible(page)
        # Nothing scrolls sideways on a 390 px phone.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path


def test_narrow_screen_and_zoom(live_server, browser):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(live_server.url + "/tietosuoja")
    assert page.evaluate("document.documentElement.scrollWidth <= 321")
    page.evaluate("document.body.style.zoom = '200%'")  # not blocked: CSP covers markup, not script
    assert page.get_by_role("heading", level=1).is_visible()
    context.close()


@pytest.mark.parametrize("width,zoom", [(320, 1), (640, 2)])
def test_public_pages_are_accessible_at_320px_and_200_percent_zoom(live_server, browser, width, zoom):
    """What the accessibility statement promises: axe-core at 320 px, and at 200 % zoom
    (a 1280-pixel window zoomed to 200 % lays out as a 640-pixel one, text twice as big)."""
    context = browser.new_context(viewport={"width": width, "height": 640}, device_scale_factor=zoom)
    page = context.new_page()
    try:
        for path, _heading in PAGES:
            page.goto(live_server.url + path)
            assert_accessible(page)
            assert page.evaluate(f"document.documentElement.scrollWidth <= {width + 1}"), path
    finally:
        context.close()


def test_keyboard_alone_requests_a_link_and_sends_accessibility_feedback(live_server, page, app):
    """The keyboard walk-throughs the statement names: no mouse, only Tab, typing and Enter."""
    from kuulas.extensions import db
    from kuulas.pages.models import AccessibilityFeedback

    def tab_to(selector: str, limit: int = 40):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        raise AssertionError(f"Tab never reached {selector}")

    page.goto(live_server.url + "/saavutettavuus")
    tab_to("a[href='/saavutettavuus/palaute']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/saavutettavuus/palaute")
    tab_to("input[name=name]")
    page.keyboard.type("Maija")
    tab_to("input[name=email]")
    page.keyboard.type("maija@example.fi")
    tab_to("textarea[name=description]")
    page.keyboard.type("Valikko ei aukea näppäimistöllä.")
    tab_to("button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/saavutettavuus/palaute/kiitos")
    assert page.get_by_role("heading", level=1).is_visible()
    db.session.expire_all()
    assert db.session.query(AccessibilityFeedback).one().description == "Valikko ei aukea näppäimistöllä."

    page.goto(live_server.url + "/kirjaudu")
    tab_to("input[name=email]")
    page.keyboard.type("asukas@example.fi")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Tarkista sähköpostisi").wait_for()


def test_language_switcher_and_skip_link(live_server, page):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="På svenska").click()
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.get_by_role("heading", level=1).inner_text() == "Delta i beslutsfattandet"
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Hoppa till innehållet"


def test_language_switch_keeps_what_was_typed(live_server, page):
    """Switching fi/sv/en on a half-filled form keeps the input (issue item 15); the
    kept values are gone from the tab's storage once they are back in the form."""
    email = page.locator("input[name=email]")
    page.goto(live_server.url + "/kirjaudu")
    email.fill("maija@example.fi")
    page.get_by_role("link", name="På svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")   # the new page
    page.wait_for_load_state("load")          # and its script has put the kept input back
    expect(email).to_have_value("maija@example.fi")
    expect(page.locator("[data-lang-kept]")).to_be_visible()
    assert page.evaluate("window.sessionStorage.length") == 0
    # The kept value is still the person's input, so it travels on; an emptied form does not.
    page.get_by_role("link", name="In English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.wait_for_load_state("load")
    expect(email).to_have_value("maija@example.fi")
    email.fill("")
    page.get_by_role("link", name="Suomeksi").click()
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    page.wait_for_load_state("load")
    expect(email).to_have_value("")
    expect(page.locator("[data-lang-kept]")).to_be_hidden()


def test_resident_signs_in_with_a_link(live_server, page, make_resident, app):
    from kuulas.extensions import db
    from kuulas.mail.models import OutboxMail

    make_resident("maija@example.fi")
    page.goto(live_server.url + "/kirjaudu")
    page.get_by_label("Sähköpostiosoite").fill("Maija@Example.fi")
    page.get_by_role("button", name="Lähetä minulle kirjautumislinkki").click()
    assert page.get_by_role("heading", name="Tarkista sähköpostisi").is_visible()
    db.session.expire_all()
    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.recipient == "maija@example.fi")).one()
    link = re.search(r"http\S+", mail.body_text).group(0)
    page.goto(link)
    assert_accessible(page)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    assert page.get_by_role("heading", name="Omat tiedot").is_visible()
    # The link is spent: opening it again explains what to do.
    page.goto(link)
    assert page.get_by_role("heading", name="Linkki ei toimi").is_visible()
    assert_accessible(page)


def test_staff_sign_in_and_admin_pages(live_server, page, make_staff):
    admin = make_staff("administrator", email="yllapito@example.fi")
    page.goto(live_server.url + "/kirjaudu/henkilosto")
    page.get_by_role("button", name="Kirjaudu sisään").click()  # empty form: errors, tied to fields
    assert page.get_by_role("alert").first.is_visible()
    assert_accessible(page)
    page.get_by_label("Sähköpostiosoite").fill(admin.email)
    page.get_by_label("Salasana").fill("correct horse battery staple")
    page.get_by_role("button", name="Kirjaudu sisään").click()
    assert page.get_by_role("heading", name="Henkilöstö").is_visible()
    assert_accessible(page)
    for path in ("/hallinta/henkilosto", "/hallinta/henkilosto/uusi", "/hallinta/postilaatikko",
                 "/hallinta/sivut/privacy/sv", "/tili/kaksivaiheinen"):
        assert page.goto(live_server.url + path).status == 200, path
        assert_accessible(page)


def test_confirmation_step_opens_as_a_dialog_and_works_without_it(live_server, page, make_staff, browser):
    """The kernel's confirmation pattern (issue item 18): with JavaScript a <dialog>, and
    the same step as its own page when scripts are off."""
    from kuulas.extensions import db
    from kuulas.pages.models import SitePage

    admin = make_staff("administrator", email="vahvistus@example.fi")
    page.goto(live_server.url + "/kirjaudu/henkilosto")
    page.get_by_label("Sähköpostiosoite").fill(admin.email)
    page.get_by_label("Salasana").fill("correct horse battery staple")
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.get_by_role("heading", name="Henkilöstö").wait_for()
    page.goto(live_server.url + "/hallinta/sivut/privacy/fi")
    page.get_by_label("Otsikko").fill("Muokattu")
    page.locator("textarea[name=body]").fill("Muokattu teksti")
    page.get_by_role("button", name="Tallenna").click()
    page.get_by_role("link", name="Palauta oletusteksti…").click()
    dialog = page.get_by_role("dialog")
    assert dialog.is_visible() and page.url.endswith("/hallinta/sivut/privacy/fi")
    assert_accessible(page)
    dialog.get_by_role("button", name="Peruuta").click()
    assert not dialog.is_visible()
    db.session.expire_all()
    assert db.session.query(SitePage).count() == 1
    page.get_by_role("link", name="Palauta oletusteksti…").click()
    page.get_by_role("dialog").get_by_role("button", name="Poista muokattu teksti").click()
    page.wait_for_url("**/hallinta/sivut/privacy/fi")
    db.session.expire_all()
    assert db.session.query(SitePage).count() == 0

    # Without JavaScript the link leads to the same step as a page.
    context = browser.new_context(java_script_enabled=False, locale="fi-FI",
                                  user_agent=page.evaluate("navigator.userAgent"),
                                  storage_state=page.context.storage_state())
    plain = context.new_page()
    try:
        plain.goto(live_server.url + "/hallinta/sivut/privacy/fi")
        plain.get_by_label("Otsikko").fill("Taas muokattu")
        plain.locator("textarea[name=body]").fill("Teksti")
        plain.get_by_role("button", name="Tallenna").click()
        plain.get_by_role("link", name="Palauta oletusteksti…").click()
        assert plain.url.endswith("/palauta")
        plain.get_by_role("button", name="Poista muokattu teksti").click()
        plain.wait_for_url("**/hallinta/sivut/privacy/fi")
        db.session.expire_all()
        assert db.session.query(SitePage).count() == 0
    finally:
        context.close()
