"""Issue 6 "done when", for an idea round, in a phone browser: a preparer publishes the
outcome of a real finished idea round and records a decision with impacts; the public
page, the Atom feed and the API show it; the participant who left an address gets both
notification mails through the local SMTP server and the address is deleted; the DOCX,
PDF and CSV downloads open."""
from __future__ import annotations

import csv
import io
from xml.etree import ElementTree

import pytest

from tests.browser.conftest import assert_accessible
from tests.browser.test_outcomes import pdf_text, sign_in_staff

pytestmark = pytest.mark.browser

ATOM = "{http://www.w3.org/2005/Atom}"
NOTIFY = "kuulkaa.minua@example.fi"


def test_preparer_closes_the_loop_of_an_idea_round(app, live_server, new_page, make_staff, smtp_server, tmp_path):
    from sqlalchemy import func, select

    from kuulas.clock import utcnow
    from kuulas.extensions import db
    from kuulas.scheduler import run_job
    from deliberation.ideas.models import IdeaNotifyRequest
    from tests.outcomes.sources_helpers import EXPECTED, FORMULA_IDEA, IDEA_TEXTS, finished_idea_round

    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    preparer = make_staff("preparer")
    round_id, _ids, _later = finished_idea_round(app, preparer, notify_email=NOTIFY)
    base = live_server.url

    def addresses() -> int:
        db.session.expire_all()
        return db.session.scalar(select(func.count()).select_from(IdeaNotifyRequest)
                                 .where(IdeaNotifyRequest.round_id == round_id))

    page = new_page()
    sign_in_staff(page, base, preparer)
    page.goto(f"{base}/hallinta/tulokset")
    assert_accessible(page)
    page.get_by_role("button", name="Luo tuloksen luonnos: Kotihoidon kehittäminen").click()
    page.wait_for_url("**/hallinta/tulokset/*")
    outcome_url = page.url
    outcome_id = int(outcome_url.rstrip("/").rsplit("/", 1)[-1])
    summary = page.locator("#summary").input_value()     # prefilled: one line with the round's figures
    assert str(EXPECTED["participants"]) in summary and IDEA_TEXTS["evening"] not in summary
    assert_accessible(page)
    assert page.request.get(f"{base}/api/v1/outcomes/{outcome_id}").status == 404

    page.get_by_label("Heti").check()
    page.get_by_label("Olen tarkistanut tuloksen").check()
    page.get_by_role("button", name="Julkaise").click()
    page.wait_for_url(outcome_url)
    assert page.get_by_text("Tulos on julkaistu").first.is_visible()
    assert addresses() == 1            # kept for the impact mail
    assert_accessible(page)

    # The decision with impacts on the two most agreed ideas (the impact points).
    page.get_by_role("link", name="Kirjaa päätös").click()
    assert_accessible(page)
    page.fill("#body", "Ikääntyneiden palvelujen lautakunta")
    page.fill("#meeting_date", "2026-06-01")
    page.fill("#item", "§ 45")
    page.fill("#minutes_url", "https://example.fi/poytakirjat/45")
    page.select_option("#status_0", "adopted")
    page.fill("#reason_0", "Iltakäynnit aloitetaan kaikissa kunnissa syksyllä.")
    page.select_option("#status_1", "partly")
    page.fill("#reason_1", "Yhteyshenkilö nimetään ensin kahdessa kunnassa.")
    page.get_by_role("button", name="Tallenna päätös").click()
    page.wait_for_url(f"{outcome_url}*")
    assert page.get_by_text("Päätös ja sen vaikutus kirjattiin.").is_visible()
    assert addresses() == 0            # told twice, then deleted

    # The public sees it without an account: page, feed, API.
    public = new_page()
    public.goto(f"{base}/tulokset")
    assert_accessible(public)
    public.get_by_role("link", name="Kotihoidon kehittäminen").click()
    assert public.get_by_role("heading", name="Kotihoidon kehittäminen", level=1).is_visible()
    assert public.get_by_text("Miten kotihoitoa pitäisi kehittää?").first.is_visible()
    assert public.get_by_text("Iltakäynnit aloitetaan kaikissa kunnissa syksyllä.").is_visible()
    assert public.locator("#impacts").get_by_text("Toteutetaan osittain").is_visible()  # the point-by-point details
    assert public.get_by_text("CC BY 4.0").first.is_visible()
    assert_accessible(public)
    feed = ElementTree.fromstring(public.request.get(f"{base}/tulokset/syote.atom").body())
    assert any(e.text == "Kotihoidon kehittäminen" for e in feed.iter(f"{ATOM}title"))
    api = public.request.get(f"{base}/api/v1/outcomes/{outcome_id}").json()
    assert api["kind"] == "ideas" and api["participation"] == EXPECTED
    assert api["decisions"][0]["item"] == "§ 45"
    assert [(i["point"], i["status"]) for i in api["impacts"] if i["status"]] == [
        ("idea-1", "adopted"), ("idea-2", "partly")]
    assert api["impacts"][0]["text"] == IDEA_TEXTS["evening"]
    assert set(api["results"]["consensus"]) == {IDEA_TEXTS["evening"], IDEA_TEXTS["contact"]}
    assert NOTIFY not in repr(api)

    # Both notifications reach the participant through the local SMTP server.
    assert run_job(app, "mail.send_due", utcnow())["sent"] == 2
    messages = smtp_server.wait_for(2)
    assert [m["to"] for m in messages] == [[NOTIFY], [NOTIFY]]
    subjects = [m["message"]["Subject"] for m in messages]
    assert subjects == ["Mitä siitä seurasi: Kotihoidon kehittäminen", "Päätös tehty: Kotihoidon kehittäminen"]
    impact_mail = messages[1]["message"].get_content()
    assert "Iltakäynnit aloitetaan kaikissa kunnissa syksyllä." in impact_mail and f"/tulokset/{outcome_id}" in impact_mail

    # Downloads open: DOCX through python-docx, the PDF through poppler, the CSV as a table.
    from docx import Document

    with public.expect_download() as info:
        public.get_by_role("link", name="Tulos (Word)").click()
    docx_text = "\n".join(p.text for p in Document(io.BytesIO(open(info.value.path(), "rb").read())).paragraphs)
    assert IDEA_TEXTS["evening"] in docx_text and "Yhteyshenkilö nimetään ensin kahdessa kunnassa." in docx_text
    with public.expect_download() as info:
        public.get_by_role("link", name="Tulos (PDF)").click()
    pdf = tmp_path / "tulos.pdf"
    info.value.save_as(pdf)
    text = " ".join(pdf_text(pdf, tmp_path).split())
    assert "Kotihoidon kehittäminen" in text and "Pirkanmaan hyvinvointialue" in text
    assert "Iltakäynnit aloitetaan kaikissa kunnissa syksyllä." in text
    with public.expect_download() as info:
        public.get_by_role("link", name="Verkkoavoriihen tulokset (CSV)").click()
    rows = list(csv.reader(io.StringIO(open(info.value.path(), "rb").read().decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + EXPECTED["ideas"] and "'" + FORMULA_IDEA in {r[2] for r in rows[1:]}
