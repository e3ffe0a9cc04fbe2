"""A resident with a panel registration, an invitation and a digiraati membership with
messages downloads their data and deletes their account, on a phone (390 px, and the
deletion at 320 px) with axe on each page; afterwards no table holds their e-mail or name
and the statement they helped draft is unchanged."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.personal.conftest import EMAIL, NAME, RAATI_NAME
from tests.personal.conftest import dump_tables, statement_state, world  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, account):
    from kuulas.accounts import services
    from kuulas.clock import utcnow
    from kuulas.extensions import db

    token = services.issue_token(account, services.PURPOSE_LOGIN, now=utcnow(), next_path="/oma")
    db.session.commit()
    page.goto(f"{live_server.url}/kirjaudu/linkki/{token}")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("Omat tiedot")


def test_download_then_delete_my_account(app, live_server, new_page, world, dump_tables, statement_state):
    from kuulas.extensions import db

    statement_before = statement_state(world.raati_id)
    page = new_page()
    _sign_in(page, live_server, world.account)
    assert_accessible(page)

    page.click("text=Tietoni (luettava sivu)")
    expect(page.locator("h1")).to_have_text("Tietoni")
    for text in ("Paneeli-ilmoittautuminen", "Paneelikutsut", "Digiraadin jäsenyys", RAATI_NAME,
                 "Jatkuvuus on tärkeintä"):
        expect(page.locator("main")).to_contain_text(text)
    assert_accessible(page)

    with page.expect_download() as info:
        page.click("main a[href$='tietoni.json']")
    parts = {p["key"]: p["rows"] for p in json.loads(open(info.value.path(), encoding="utf-8").read())["parts"]}
    assert parts["accounts.Account"][0]["email"] == EMAIL
    assert parts["panel.Volunteer"][0]["display_name"] == NAME
    assert parts["panel.Invitation"][0]["state"] == "pending"
    assert parts["raati.Member"][0]["display_name"] == RAATI_NAME
    assert "Omalääkäri auttaisi pitkäaikaissairaita" in {r["text"] for r in parts["raati.Message"]}

    # The deletion on the narrowest phone.
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/oma")
    page.click("main a[href$='/oma/poista']")
    expect(page.locator("h1")).to_have_text("Poista tilini")
    expect(page.locator(".confirm-step")).to_contain_text("entisen jäsenen")
    assert_accessible(page)
    page.click(".confirm-step button[type=submit]")
    expect(page.locator("main, body").first).to_contain_text("Tilisi ja henkilötietosi on poistettu")
    assert_accessible(page)
    page.goto(f"{live_server.url}/oma")
    expect(page).to_have_url(f"{live_server.url}/kirjaudu?next=/oma")

    db.session.remove()
    tables = dump_tables()
    assert "Jatkuvuus on tärkeintä" in tables                     # the dump is real
    for needle in (EMAIL, NAME, RAATI_NAME, EMAIL.split("@")[0]):
        assert needle not in tables, needle
    assert statement_state(world.raati_id) == statement_before
