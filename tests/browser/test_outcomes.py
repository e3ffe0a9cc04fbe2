"""Closing the loop in a phone browser: a preparer publishes the outcome of a real
finished process, records a decision with impacts; the public page, feed and API show
it; the notification mail reaches the local SMTP server; DOCX and PDF downloads open."""
from __future__ import annotations

import io
import subprocess
from xml.etree import ElementTree

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def sign_in_staff(page, base: str, account) -> None:
    """Sign a staff member in through the real sign-in page."""
    page.goto(f"{base}/kirjaudu/henkilosto")
    page.fill("input[name=email]", account.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()


def pdf_text(pdf_path, tmp_path, stem: str = "sivu") -> str:
    """Render the PDF's first page to a picture (it must draw something) and return its text."""
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf_path), str(tmp_path / stem)],
                   check=True)
    assert (tmp_path / f"{stem}-1.png").stat().st_size > 1000
    return subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True).stdout


def test_preparer_closes_the_loop(app, live_server, new_page, make_staff, smtp_server, tmp_path):
    from kuulas.clock import utcnow
    from kuulas.scheduler import run_job
    from tests.outcomes.sources_helpers import finished_raati

    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    preparer = make_staff("preparer")
    admin = make_staff("administrator")
    with app.test_request_context():
        raati_id = finished_raati(admin, utcnow(), member_emails=("jasen.yksi@example.fi", "jasen.kaksi@example.fi"))
    base = live_server.url

    page = new_page()
    sign_in_staff(page, base, preparer)
    page.goto(f"{base}/hallinta/tulokset")
    assert_accessible(page)
    page.get_by_role("button", name="Luo tuloksen luonnos: Kotihoidon iltakäynnit").click()
    page.wait_for_url("**/hallinta/tulokset/*")
    outcome_url = page.url
    outcome_id = int(outcome_url.rstrip("/").rsplit("/", 1)[-1])
    summary = page.locator("#summary").input_value()     # prefilled: one line, not the statement again
    assert "digiraati" in summary and "Iltakäynnit kaikille" not in summary
    assert_accessible(page)

    # Bad input first: publishing at a past time keeps the draft.
    page.get_by_label("Tiettynä aikana").check()
    page.fill("#publish_at", "2020-01-01T09:00")
    page.get_by_label("Olen tarkistanut tuloksen").check()
    page.get_by_role("button", name="Julkaise").click()
    assert page.get_by_text("Ajastettu aika on menneisyydessä").first.is_visible()
    assert_accessible(page)
    assert page.request.get(f"{base}/api/v1/outcomes/{outcome_id}").status == 404

    page.goto(outcome_url)
    page.get_by_label("Heti").check()
    page.get_by_role("button", name="Julkaise").click()
    # Not confirmed: refused with the reason next to the box, nothing published.
    assert page.get_by_text("Vahvista julkaisu rastittamalla ruutu").first.is_visible()
    assert page.request.get(f"{base}/api/v1/outcomes/{outcome_id}").status == 404
    page.get_by_label("Heti").check()
    page.get_by_label("Olen tarkistanut tuloksen").check()
    page.get_by_role("button", name="Julkaise").click()
    page.wait_for_url(outcome_url)
    assert page.get_by_text("Tulos on julkaistu").first.is_visible()

    # Record the decision with impacts.
    page.get_by_role("link", name="Kirjaa päätös").click()
    assert_accessible(page)
    page.fill("#body", "Aluehallitus")
    page.fill("#meeting_date", "2026-06-01")
    page.fill("#item", "§ 123")
    page.fill("#minutes_url", "https://example.fi/poytakirjat/123")
    page.select_option("#status_0", "adopted")
    page.fill("#reason_0", "Iltakäynnit lisätään kaikille asiakkaille syksyllä.")
    page.select_option("#status_1", "partly")
    page.fill("#reason_1", "Videopuheluita kokeillaan kahdessa kunnassa.")
    page.get_by_role("button", name="Tallenna päätös").click()
    page.wait_for_url(f"{outcome_url}*")
    assert page.get_by_text("Päätös ja sen vaikutus kirjattiin.").is_visible()

    # The public sees it without an account: page, feed, API.
    public = new_page()
    public.goto(f"{base}/tulokset")
    assert_accessible(public)
    public.get_by_role("link", name="Kotihoidon iltakäynnit").click()
    assert public.get_by_role("heading", name="Kotihoidon iltakäynnit", level=1).is_visible()
    assert public.get_by_text("Iltakäynnit lisätään kaikille asiakkaille syksyllä.").is_visible()
    assert public.locator("#impacts").get_by_text("Toteutetaan osittain").is_visible()  # the point-by-point details
    assert public.get_by_text("CC BY 4.0").first.is_visible()
    assert_accessible(public)
    feed = ElementTree.fromstring(public.request.get(f"{base}/tulokset/syote.atom").body())
    assert any(e.text == "Kotihoidon iltakäynnit" for e in feed.iter("{http://www.w3.org/2005/Atom}title"))
    api = public.request.get(f"{base}/api/v1/outcomes/{outcome_id}").json()
    assert api["decisions"][0]["item"] == "§ 123"
    assert {i["status"] for i in api["impacts"]} == {"adopted", "partly"}

    # Notifications: published + impact, to every raati member.
    assert run_job(app, "mail.send_due", utcnow())["sent"] >= 2
    messages = smtp_server.wait_for(2)
    recipients = {r for m in messages for r in m["to"]}
    assert {"jasen.yksi@example.fi", "jasen.kaksi@example.fi"} <= recipients
    subjects = {m["message"]["Subject"] for m in messages}
    assert "Mitä siitä seurasi: Kotihoidon iltakäynnit" in subjects and "Päätös tehty: Kotihoidon iltakäynnit" in subjects

    # Downloads open: DOCX through python-docx, the PDF through poppler.
    from docx import Document

    with public.expect_download() as info:
        public.get_by_role("link", name="Julkilausuma (Word)").click()
    docx_text = "\n".join(p.text for p in Document(io.BytesIO(open(info.value.path(), "rb").read())).paragraphs)
    assert "Raati suosittaa iltakäyntejä kaikille kotihoidon asiakkaille." in docx_text
    with public.expect_download() as info:
        public.get_by_role("link", name="Julkilausuma (PDF)").click()
    pdf = tmp_path / "lausuma.pdf"
    info.value.save_as(pdf)
    text = pdf_text(pdf, tmp_path)
    assert "Raati suosittaa iltakäyntejä kaikille" in text and "Pirkanmaan hyvinvointialue" in text

    # A Swedish version of the outcome's own texts, saved on the staff page (CSRF on), reaches
    # Swedish readers marked lang="sv".
    page.goto(outcome_url)
    page.fill("#sv-title", "Kvällsbesök i hemvården")
    page.fill("#sv-summary", "Rådet rekommenderar kvällsbesök för alla.")
    page.get_by_role("button", name="Tallenna käännös").first.click()
    expect(page.get_by_text("Käännös tallennettiin.")).to_be_visible()
    assert_accessible(page)
    public.goto(f"{base}/kieli/sv?next=/tulokset/{outcome_id}")
    expect(public.locator("h1")).to_have_text("Kvällsbesök i hemvården")
    assert public.locator("h1").get_attribute("lang") == "sv"
    assert public.locator("html").get_attribute("lang") == "sv"
    assert_accessible(public)
