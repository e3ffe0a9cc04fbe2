"""The resident's own data pages, the staff request tool, the register and the notice."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from kuulas.extensions import db
from kuulas.personal.models import DataRequest

from .conftest import EMAIL, NAME, RAATI_NAME

LANGS = {"fi": ("Tietoni", "Digiraadin jäsenyys", "Poista tilini"),
         "sv": ("Mina uppgifter", "Medlemskap i digiraati", "Radera mitt konto"),
         "en": ("My data", "Digiraati membership", "Delete my account")}


def _lang(client, lang):
    client.get(f"/kieli/{lang}")


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_resident_pages_in_each_language(world, client, login, lang):
    login(world.account)
    _lang(client, lang)
    title, part, delete = LANGS[lang]
    home = client.get("/oma").get_data(as_text=True)
    assert "/oma/tietoni" in home and delete in home
    html = client.get("/oma/tietoni")
    assert html.status_code == 200 and html.headers["Cache-Control"] == "no-store"
    page = html.get_data(as_text=True)
    assert title in page and part in page and RAATI_NAME in page and "Jatkuvuus on tärkeintä" in page
    confirm = client.get("/oma/poista").get_data(as_text=True)
    assert delete in confirm and 'name="confirmed" value="yes"' in confirm


def test_json_download_holds_each_area(world, client, login):
    login(world.account)
    response = client.get("/oma/tietoni.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    parts = {p["key"]: p["rows"] for p in json.loads(response.get_data(as_text=True))["parts"]}
    assert {"accounts.Account", "panel.Volunteer", "panel.Invitation", "raati.Member", "raati.Message"} <= set(parts)
    assert db.session.scalar(select(func.count()).select_from(DataRequest)) == 1


def test_downloads_need_sign_in(client):
    for url in ("/oma/tietoni", "/oma/tietoni.json", "/oma/poista"):
        response = client.get(url)
        assert response.status_code == 302 and "/kirjaudu" in response.headers["Location"]


def test_delete_needs_the_confirmation_step_then_ends_the_session(world, client, login, dump_tables):
    login(world.account)
    first = client.post("/oma/poista", data={})
    assert first.status_code == 200 and EMAIL in dump_tables()          # only the step shown
    done = client.post("/oma/poista", data={"confirmed": "yes"})
    assert done.status_code == 302
    tables = dump_tables()
    assert EMAIL not in tables and NAME not in tables and RAATI_NAME not in tables
    assert client.get("/oma").status_code == 302                         # signed out


def test_chair_sees_why_and_nothing_changes(world, client, login, dump_tables):
    login(world.chair)
    page = client.get("/oma/poista")
    assert page.status_code == 409 and "Omalääkärimalli" in page.get_data(as_text=True)
    before = dump_tables()
    refused = client.post("/oma/poista", data={"confirmed": "yes"})
    assert refused.status_code == 409 and "puheenjohtaja" in refused.get_data(as_text=True)
    assert dump_tables() == before


def test_transcript_and_statement_show_a_former_member(world, client, login):
    from kuulas.clock import utcnow
    from kuulas.personal import services

    services.own_erase(actor=world.account, now=utcnow(), secret="k")
    db.session.commit()
    login(world.secretary)
    transcript = client.get(f"/raati/{world.raati_id}/poytakirja").get_data(as_text=True)
    assert "Jatkuvuus on tärkeintä" in transcript and "entinen jäsen" in transcript
    assert RAATI_NAME not in transcript
    statement = client.get(f"/raati/{world.raati_id}/kannanotto").get_data(as_text=True)
    assert "Jokaiselle oma lääkäri." in statement and "entinen jäsen" in statement


def test_request_tool_is_for_administrators_only(world, client, login, make_staff):
    login(make_staff("preparer"))
    assert client.get("/hallinta/tietosuoja/pyynnot").status_code == 403
    assert client.get("/hallinta/tietosuoja/seloste").status_code == 403


def test_find_unknown_address_is_a_clear_message(world, client, login):
    login(world.staff)
    response = client.post("/hallinta/tietosuoja/pyynnot", data={"email": "nobody@example.fi"})
    assert response.status_code == 404
    assert "Kuulaassa ei ole henkilötietoja" in response.get_data(as_text=True)
    assert client.post("/hallinta/tietosuoja/pyynnot", data={"email": "x"}).status_code == 400


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_staff_find_export_and_erase(world, client, login, dump_tables, lang):
    login(world.staff)
    _lang(client, lang)
    found = client.post("/hallinta/tietosuoja/pyynnot", data={"email": EMAIL.upper()})
    assert found.status_code == 200
    html = found.get_data(as_text=True)
    assert LANGS[lang][1] in html and "/hallinta/tietosuoja/pyynnot/poisto" in html
    no_basis = client.post("/hallinta/tietosuoja/pyynnot/vienti", data={"email": EMAIL, "basis": ""})
    assert no_basis.status_code == 400
    exported = client.post("/hallinta/tietosuoja/pyynnot/vienti",
                           data={"email": EMAIL, "basis": "dnro 1/2026", "format": "json"})
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    readable = client.post("/hallinta/tietosuoja/pyynnot/vienti",
                           data={"email": EMAIL, "basis": "dnro 1/2026", "format": "html"})
    assert readable.status_code == 200 and RAATI_NAME in readable.get_data(as_text=True)
    step = client.post("/hallinta/tietosuoja/pyynnot/poisto", data={"email": EMAIL, "basis": "dnro 1/2026"})
    assert step.status_code == 200 and 'name="confirmed" value="yes"' in step.get_data(as_text=True)
    assert RAATI_NAME in dump_tables()
    done = client.post("/hallinta/tietosuoja/pyynnot/poisto",
                       data={"email": EMAIL, "basis": "dnro 1/2026", "confirmed": "yes"})
    assert done.status_code == 302
    assert RAATI_NAME not in dump_tables() and NAME not in dump_tables()
    kinds = db.session.scalars(select(DataRequest.kind).order_by(DataRequest.id)).all()
    assert kinds == ["export", "export", "erase"]


def test_staff_erase_of_a_chair_is_refused(world, client, login, dump_tables):
    login(world.staff)
    page = client.post("/hallinta/tietosuoja/pyynnot", data={"email": "pj@example.fi"}).get_data(as_text=True)
    assert "Omalääkärimalli" in page and "/hallinta/tietosuoja/pyynnot/poisto" not in page
    before = dump_tables()
    refused = client.post("/hallinta/tietosuoja/pyynnot/poisto",
                          data={"email": "pj@example.fi", "basis": "x", "confirmed": "yes"})
    assert refused.status_code == 409
    assert dump_tables() == before


@pytest.mark.parametrize("lang,heading", [("fi", "Mitä tallennamme"), ("sv", "Vad vi sparar"),
                                          ("en", "What we hold")])
def test_privacy_notice_and_register_are_generated_from_the_map(world, client, login, lang, heading):
    _lang(client, lang)
    notice = client.get("/tietosuoja").get_data(as_text=True)
    assert heading in notice and LANGS[lang][1] in notice
    login(world.staff)
    _lang(client, lang)
    register = client.get("/hallinta/tietosuoja/seloste")
    assert register.status_code == 200
    text = register.get_data(as_text=True)
    assert "raati_member" in text and "panel_volunteer" in text and "raati_messages" in text
    assert "/hallinta/tietosuoja/pyynnot" in client.get("/hallinta").get_data(as_text=True)


def test_pdf_downloads(world, client, login):
    login(world.account)
    own = client.get("/oma/tietoni.pdf")
    assert own.status_code == 200 and own.mimetype == "application/pdf" and own.data.startswith(b"%PDF")


def test_staff_pdf_export(world, client, login):
    login(world.staff)
    response = client.post("/hallinta/tietosuoja/pyynnot/vienti",
                           data={"email": EMAIL, "basis": "dnro 2/2026", "format": "pdf"})
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
