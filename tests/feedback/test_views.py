"""The public feedback page, the kiosk and the staff pages through the Flask test client:
what a person sees (status, message next to the control, language), and what is saved."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from deliberation.feedback.models import Feedback, FeedbackContact, Kiosk
from kuulas.extensions import db


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_give_feedback_on_a_phone_in_three_languages(client, unit):
    for lang, heading in (("fi", "Millaista palvelu oli?"), ("sv", "Hur var servicen?"),
                          ("en", "How was the service?")):
        page = client.get(f"/palaute/{unit.slug}", headers={"Accept-Language": lang}).get_data(as_text=True)
        assert heading in page
        assert "112" in page                          # where emergencies go
    r = client.post(f"/palaute/{unit.slug}", data={"rating": "4", "text": "Soita 040 123 4567 jos voit"},
                    headers={"Accept-Language": "fi"})
    assert r.status_code == 303
    thanks = client.get(r.headers["Location"], headers={"Accept-Language": "fi"}).get_data(as_text=True)
    assert "puhelinnumero" in thanks and "[***]" in thanks     # the writer is told what was masked
    assert db.session.scalar(select(Feedback.text)) == "Soita [***] jos voit"


@pytest.mark.parametrize("data,message,field", [
    ({"text": ""}, "Anna arvio tai kirjoita jotain", "rating"),
    ({"rating": "9"}, "Virheellinen valinta", "rating"),
    ({"rating": "3", "wants_answer": "y", "contact": ""}, "Anna sähköpostiosoite", "contact"),
    ({"rating": "3", "wants_answer": "y", "contact": "ei-osoite"}, "Tämä ei ole sähköpostiosoite", "contact"),
    ({"rating": "3", "text": "x" * 2001}, "pidempi kuin 2000", "text"),
    ({"rating": "3", "text": "nul\x00byte"}, "ohjausmerkki", "text"),
])
def test_bad_input_is_shown_next_to_the_control_and_nothing_is_saved(client, unit, data, message, field):
    r = client.post(f"/palaute/{unit.slug}", data=data, headers={"Accept-Language": "fi"})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    error = re.search(rf'<p class="error-text" id="{field}-error">(.*?)</p>', page, re.S)
    assert error, page[:3000]
    assert message in error.group(1)
    assert _count(Feedback) == 0 and _count(FeedbackContact) == 0


def test_kept_input_after_an_error(client, unit):
    r = client.post(f"/palaute/{unit.slug}", data={"rating": "2", "text": "Jono oli pitkä", "wants_answer": "y",
                                                   "contact": "huono@"})
    page = r.get_data(as_text=True)
    assert "Jono oli pitkä" in page and 'value="2" checked' in page


def test_honeypot_pretends_and_saves_nothing(client, unit):
    r = client.post(f"/palaute/{unit.slug}", data={"rating": "5", "website": "http://spam.example"})
    assert r.status_code == 303
    assert _count(Feedback) == 0


def test_closed_unit_and_unknown_unit(client, unit, preparer):
    from deliberation.feedback import services
    from kuulas.clock import utcnow

    assert client.get("/palaute/ei-ole-olemassa").status_code == 404
    services.set_unit_active(unit.id, False, actor=preparer, now=utcnow())
    db.session.commit()
    r = client.get(f"/palaute/{unit.slug}", headers={"Accept-Language": "sv"})
    assert r.status_code == 410
    assert "tar inte längre emot respons" in r.get_data(as_text=True)
    assert client.post(f"/palaute/{unit.slug}", data={"rating": "3"}).status_code == 410
    assert _count(Feedback) == 0


def test_poster_has_the_qr_code_in_three_languages(client, unit):
    page = client.get(f"/palaute/{unit.slug}/juliste").get_data(as_text=True)
    assert "<svg" in page and 'lang="sv"' in page and 'lang="en"' in page
    assert f"/palaute/{unit.slug}" in page


def test_kiosk_admits_one_answer_per_start_screen_and_keeps_no_session(app, client, login, unit, preparer):
    login(preparer)
    r = client.post(f"/hallinta/palaute/yksikot/{unit.id}/kioskit", data={"label": "Aulan tabletti", "pin": "4321"})
    assert r.status_code == 200
    link = re.search(r'href="http://localhost(/palaute/kioski/aloita/[^"]+)"', r.get_data(as_text=True)).group(1)
    tablet = app.test_client()
    assert tablet.get(link).status_code == 200
    r = tablet.post(link)
    assert r.status_code == 303
    assert tablet.post(link).status_code == 404                  # the set-up link works once
    start = tablet.get("/palaute/kioski")
    assert start.status_code == 200
    assert "Set-Cookie" not in start.headers                     # nothing of a person is kept
    nonce = re.search(r'name="nonce" value="([^"]+)"', start.get_data(as_text=True)).group(1)
    done = tablet.post("/palaute/kioski", data={"nonce": nonce, "rating": "5", "text": "Kiitos!"})
    assert done.status_code == 200 and "data-kiosk-reset" in done.get_data(as_text=True)
    again = tablet.post("/palaute/kioski", data={"nonce": nonce, "rating": "1", "text": "tulva"})
    assert again.status_code == 409
    assert [f.channel for f in db.session.scalars(select(Feedback))] == ["kiosk"]
    # Leaving kiosk mode needs the code.
    assert tablet.post("/palaute/kioski/avaa", data={"pin": "0000"}).status_code == 403
    assert tablet.post("/palaute/kioski/avaa", data={"pin": "4321"}).status_code == 303
    assert tablet.get("/palaute/kioski").status_code == 404
    # A switched-off kiosk stops at once.
    kiosk = db.session.scalar(select(Kiosk))
    assert kiosk.activated_at is not None


def test_staff_pages_need_a_handler(client, login, make_staff, unit, give):
    feedback = give()
    outsider = make_staff("moderator")
    login(outsider)
    assert client.get(f"/hallinta/palaute/{feedback.id}").status_code == 403
    assert client.post(f"/hallinta/palaute/{feedback.id}/ota").status_code == 303
    assert db.session.get(Feedback, feedback.id).state == "new"


def test_handler_answers_through_the_page(client, login, handler, unit, give):
    feedback = give(contact="kysyja@example.fi")
    login(handler)
    page = client.get(f"/hallinta/palaute/{feedback.id}", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    assert "kysyja@example.fi" not in page                        # the address is never shown
    r = client.post(f"/hallinta/palaute/{feedback.id}/vastaa", data={"reply": ""}, headers={"Accept-Language": "fi"})
    assert r.status_code == 400
    r = client.post(f"/hallinta/palaute/{feedback.id}/vastaa", data={"reply": "Kiitos, korjaamme."})
    assert r.status_code == 303
    assert db.session.get(FeedbackContact, feedback.id) is None


def test_monthly_summary_exports(client, login, handler, unit, give):
    from kuulas.clock import utcnow

    for rating in (5, 4, 2):
        give(rating=rating)
    login(handler)
    month = utcnow().strftime("%Y-%m")
    page = client.get(f"/hallinta/palaute/yhteenveto?kuukausi={month}", headers={"Accept-Language": "fi"})
    assert page.status_code == 200 and "Hervannan terveysasema" in page.get_data(as_text=True)
    csv = client.get(f"/hallinta/palaute/yhteenveto.csv?kuukausi={month}")
    assert csv.status_code == 200
    body = csv.data.decode("utf-8-sig")
    assert body.splitlines()[1].startswith("Hervannan terveysasema;" + month + ";3;3;3.67")
    xlsx = client.get(f"/hallinta/palaute/yhteenveto.xlsx?kuukausi={month}&ryhma=area")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert client.get("/hallinta/palaute/yhteenveto?kuukausi=2026-99").status_code == 200   # falls back
