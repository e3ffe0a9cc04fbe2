"""A resident with a panel registration, an invitation, a digiraati membership with
messages and a followed outcome downloads their data and deletes their account, on a phone
(390 px, and the deletion at 320 px) with axe on each page; afterwards no table holds their
e-mail or name, the statement they helped draft is unchanged, and the access log shows the
requests.  An administrator then exports the access log, which lists the test's staff
actions."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.personal.conftest import EMAIL, NAME, RAATI_NAME
from tests.outcomes.conftest import make_outcome, preparer  # noqa: F401  (fixtures)
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


def _follow_an_outcome(make_outcome, preparer) -> int:
    """The resident follows a published outcome with the same address (subscribe, then the
    confirmation link from the mail)."""
    import re

    from deliberation.follow import services as follow
    from deliberation.outcomes import services as outcomes
    from kuulas.clock import utcnow
    from kuulas.extensions import db
    from kuulas.mail.models import OutboxMail

    o = make_outcome(title="Kotihoidon tulevaisuus")
    outcomes.publish(o.id, actor=preparer, now=utcnow())
    db.session.commit()
    assert follow.subscribe("outcome", o.id, EMAIL, "fi", now=utcnow())
    db.session.commit()
    body = db.session.scalars(db.select(OutboxMail).where(OutboxMail.recipient == EMAIL)).all()[-1].body_text
    follow.confirm(re.search(r"/seuraa/vahvista/([\w-]+)", body).group(1), now=utcnow())
    db.session.commit()
    return o.id


def test_download_then_delete_my_account(app, live_server, new_page, world, dump_tables, statement_state,
                                         make_outcome, preparer, make_staff):
    from sqlalchemy import select

    from kuulas.audit import AuditEvent
    from kuulas.extensions import db
    from tests.browser.test_outcomes import sign_in_staff

    statement_before = statement_state(world.raati_id)
    followed = _follow_an_outcome(make_outcome, preparer)
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
    follow_rows = parts["follow.FollowAddress"]
    assert follow_rows and follow_rows[0]["email"] == EMAIL
    assert str(followed) in json.dumps(follow_rows)

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
    # The access log shows the person's own requests (by their kind, never the address).
    requests = [(a.action, a.actor_role) for a in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("privacy.request.%")).order_by(AuditEvent.id))]
    # (the readable page and the JSON file are each an export)
    assert requests == [("privacy.request.export", "resident")] * 2 + [("privacy.request.erase", "resident")]

    # An administrator looks the address up in the request tool (nothing is held any more)
    # and exports the access log: it lists the staff actions of this test.
    admin = make_staff("administrator", email="tietosuoja-admin@example.fi")
    staff_page = new_page()
    sign_in_staff(staff_page, live_server.url, admin)
    staff_page.goto(f"{live_server.url}/hallinta/tietosuoja/pyynnot")
    staff_page.fill("input[name=email]", EMAIL)
    staff_page.locator("form[action$='/hallinta/tietosuoja/pyynnot'] button[type=submit]").click()
    # All that is held under the address now is the record of the three requests (kept
    # as a keyed hash of the address, for the county's request records).
    rows = staff_page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Tietopyynnöt")
    expect(rows.first).to_contain_text("3")
    assert_accessible(staff_page)
    staff_page.goto(f"{live_server.url}/hallinta/lokit")
    with staff_page.expect_download() as download:
        staff_page.get_by_role("link", name="Lataa nämä rivit (CSV)").click()
    csv_text = open(download.value.path(), encoding="utf-8-sig").read()
    for action in ("auth.sign_in", "personal.requests", "privacy.request.export", "privacy.request.erase"):
        assert action in csv_text, action
    assert EMAIL not in csv_text and admin.email not in csv_text
