"""Service feedback "done when", in phone browsers: a client scans a unit's QR link, gives a
rating and a text with a phone number in it (stored masked) and asks for an answer; a second
answer comes through the kiosk mode and it resets; the handler answers from the queue and the
contact address is deleted once the answer mail reaches the local SMTP server; three
feedbacks are gathered into a development item that is decided, published as an outcome and
shown on the unit's public page; the monthly summary exports."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.browser.conftest import assert_accessible
from tests.browser.test_outcomes import sign_in_staff

pytestmark = pytest.mark.browser
CONTACT = "vastaus.minulle@example.fi"


def test_feedback_from_qr_and_kiosk_to_a_published_change(app, live_server, new_page, make_staff, smtp_server):
    from deliberation.feedback import services
    from deliberation.feedback.models import Feedback, FeedbackContact
    from kuulas.clock import utcnow
    from kuulas.extensions import db
    from kuulas.scheduler import run_job

    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    base = live_server.url
    preparer, handler = make_staff("preparer"), make_staff("moderator")
    unit = services.create_unit(services.UnitData(name={"fi": "Hervannan terveysasema", "sv": "Hervanta hälsostation",
                                                        "en": "Hervanta health centre"}, area="health",
                                                  handler_ids=(handler.id,)), actor=preparer, now=utcnow())
    db.session.commit()

    # 1. A client scans the QR code on the poster: the poster's code points at the feedback page.
    client = new_page("fi-FI")
    client.goto(f"{base}/palaute/{unit.slug}/juliste")
    assert f"{base}/palaute/{unit.slug}" in client.content()
    client.goto(f"{base}/palaute/{unit.slug}")
    assert_accessible(client)
    client.get_by_role("button", name="Lähetä palaute").click()            # empty: refused at the control
    assert client.locator("#rating-error").get_by_text("Anna arvio tai kirjoita jotain").is_visible()
    client.locator("label.fb-face-2").click()
    client.fill("#text", "Puhelinjonossa meni 40 minuuttia. Soittakaa 040 123 4567")
    client.get_by_label("Haluan vastauksen").check()
    client.fill("#contact", CONTACT)
    client.get_by_role("button", name="Lähetä palaute").click()
    client.wait_for_url(f"**/palaute/{unit.slug}/kiitos")
    assert client.get_by_text("puhelinnumero").first.is_visible()
    assert_accessible(client)
    db.session.expire_all()
    first = db.session.scalar(select(Feedback))
    assert first.text == "Puhelinjonossa meni 40 minuuttia. Soittakaa [***]" and first.rating == 2

    # 2. A kiosk in the lobby: staff create it, the tablet takes one answer and resets.
    staff = new_page()
    sign_in_staff(staff, base, preparer)
    staff.goto(f"{base}/hallinta/palaute/yksikot/{unit.id}")
    assert_accessible(staff)
    staff.fill("#label", "Aulan tabletti")
    staff.fill("#pin", "2468")
    staff.get_by_role("button", name="Uusi kioski").click()
    link = re.search(r"(http://[^\"<\s]+/palaute/kioski/aloita/[^\"<\s]+)", staff.content()).group(1)
    tablet = new_page("sv-FI")
    tablet.goto(link)
    tablet.get_by_role("button", name="Starta kioskläget").click()
    tablet.wait_for_url("**/palaute/kioski")
    assert_accessible(tablet)
    assert tablet.get_by_role("link").count() == 0          # no way out of the page
    tablet.locator("label.fb-face-5").click()
    tablet.fill("#text", "Snabb och vänlig service")
    tablet.get_by_role("button", name="Skicka respons").click()
    assert tablet.get_by_text("Tack för din respons").first.is_visible()
    tablet.wait_for_selector("form[data-kiosk-idle]", timeout=15_000)      # back at the start by itself
    assert tablet.locator("#text").input_value() == ""
    assert tablet.context.cookies() and all(c["name"] == "kuulas_kiosk" for c in tablet.context.cookies())

    # 3. The handler answers from the queue; the address goes once the mail is delivered.
    desk = new_page()
    sign_in_staff(desk, base, handler)
    desk.goto(f"{base}/hallinta/palaute")
    assert_accessible(desk)
    desk.get_by_role("link", name=re.compile("Puhelinjonossa")).click()
    assert CONTACT not in desk.content()
    desk.fill("#reply", "Kiitos. Lisäämme takaisinsoittoja iltapäiviin.")
    desk.get_by_label(re.compile("Palaute koskee palvelua")).check()
    desk.get_by_role("button", name="Tallenna vastaus").click()
    assert desk.get_by_text("Vastaus tallennettiin").first.is_visible()
    assert_accessible(desk)
    run_job(app, "mail.send_due", utcnow())
    assert smtp_server.wait_for(1) and smtp_server.messages[0]["to"] == [CONTACT]
    assert "takaisinsoittoja" in smtp_server.messages[0]["message"].get_content()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(FeedbackContact)) == 0

    # 4. Three feedbacks on the phone line become a development item, decided and published.
    for text in ("Takaisinsoittoa ei tullut", "Jono oli liian pitkä"):
        services.give(unit, rating=1, text=text, kind="complaint", contact=None, locale="fi", channel="web",
                      now=utcnow())
    db.session.commit()
    desk.goto(f"{base}/hallinta/palaute/kohteet/uusi")
    desk.fill("#title_fi", "Puhelinpalvelun jonot")
    desk.fill("#theme", "puhelinpalvelu")
    desk.select_option("#unit_id", label="Hervannan terveysasema")
    for label in ("Puhelinjonossa", "Takaisinsoittoa", "Jono oli"):
        desk.get_by_label(re.compile(label)).check()
    desk.get_by_role("button", name="Tallenna").click()
    assert desk.get_by_text("3 palautetta koottu").is_visible()
    desk.fill("#decision_fi", "Takaisinsoitot laajennetaan iltapäiviin.")
    desk.fill("#change_fi", "Takaisinsoitot toimivat nyt klo 8–16.")
    desk.get_by_role("button", name="Kirjaa päätös").click()
    assert desk.get_by_text("Päätös kirjattiin").first.is_visible()
    assert_accessible(desk)

    staff.goto(f"{base}/hallinta/tulokset")
    staff.get_by_role("button", name="Luo tuloksen luonnos: Puhelinpalvelun jonot").click()
    staff.wait_for_url("**/hallinta/tulokset/*")
    staff.get_by_label("Heti").check()
    staff.get_by_label("Olen tarkistanut tuloksen").check()
    staff.get_by_role("button", name="Julkaise").click()
    assert staff.get_by_text("Tulos on julkaistu").first.is_visible()

    # 5. The unit's public page tells what changed, in the reader's language, with the outcome.
    reader = new_page("en-GB")
    reader.goto(f"{base}/palaute/{unit.slug}/yksikko")
    assert reader.get_by_text("Takaisinsoitot toimivat nyt klo 8–16.").is_visible()
    assert reader.get_by_text("Lisäämme takaisinsoittoja").is_visible()       # the public answer
    assert "040 123 4567" not in reader.content()
    assert_accessible(reader)
    reader.get_by_role("link", name="The decision and its follow-up").click()
    assert reader.get_by_role("heading", name="Puhelinpalvelun jonot").first.is_visible()

    # 6. The monthly summary exports.
    month = utcnow().strftime("%Y-%m")
    desk.goto(f"{base}/hallinta/palaute/yhteenveto?kuukausi={month}")
    assert_accessible(desk)
    with desk.expect_download() as download:
        desk.get_by_role("link", name="CSV").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[1].startswith(f"Hervannan terveysasema;{month};4;4;")


@pytest.mark.parametrize("locale,button", [("sv-FI", "Skicka respons"), ("en-GB", "Send feedback")])
def test_feedback_page_at_320px_in_swedish_and_english(app, live_server, browser, make_staff, locale, button):
    from deliberation.feedback import services
    from kuulas.clock import utcnow
    from kuulas.extensions import db

    unit = services.create_unit(services.UnitData(name={"fi": "Kotihoito", "sv": "Hemvården", "en": "Home care"}),
                                actor=make_staff("preparer"), now=utcnow())
    db.session.commit()
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale=locale, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/palaute/{unit.slug}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert_accessible(page)
        page.locator("label.fb-face-3").click()
        page.get_by_role("button", name=button).click()
        page.wait_for_url("**/kiitos")
        page.goto(f"{live_server.url}/palaute/{unit.slug}/yksikko")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert_accessible(page)
    finally:
        context.close()
