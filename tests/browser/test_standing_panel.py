"""Joining a standing panel with service use and leaving it, on a phone viewport with axe on
each page: the separate consent, the service checkboxes, confirmation by the e-mailed link,
the member's own page (also at 320 px), and leaving with its confirmation step."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def _link(category: str) -> str:
    from kuulas.extensions import db
    from kuulas.mail.models import OutboxMail

    db.session.remove()
    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.category == category)
                              .order_by(OutboxMail.id.desc())).first()
    return re.search(r"https?://\S+", mail.body_text).group(0)


def test_join_standing_panel_with_services_and_leave(app, live_server, new_page, make_staff):
    from kuulas.clock import utcnow
    from kuulas.extensions import db
    from panel.clients import services as clients
    from panel.clients.models import ServiceUse
    from panel.recruitment.models import Volunteer
    from tests.panel.helpers import make_panel

    staff = make_staff("preparer")
    panel = make_panel(staff, standing=True, consent_months=24, recruitment_closes_at=None)
    for position, (key, fi, sv) in enumerate([("family_doctor", "Omalääkäri", "Egenläkare"),
                                              ("home_care", "Kotihoito", "Hemvård"),
                                              ("child_welfare", "Lastensuojelu", "Barnskydd")]):
        clients.create_service({"key": key, "name_fi": fi, "name_sv": sv, "position": position},
                               actor=staff, now=utcnow())
    db.session.commit()
    panel_id = panel.id
    url = live_server.url

    page = new_page()
    page.goto(f"{url}/paneelit/{panel_id}")
    expect(page.locator("main")).to_contain_text("24 kuukautta")
    assert_accessible(page)
    page.fill("input[name=email]", "jasen@example.fi")
    page.fill("input[name=display_name]", "Selainjäsen")
    page.check("input[name=f_gender][value=female]")
    page.check("input[name=f_age][value=old]")
    page.check("input[name=services][value=home_care]")      # without the separate consent
    page.check("input[name=consent]")
    page.click("main form button[type=submit]")
    expect(page.locator(".flash:visible, [role=alert]:visible").first).to_contain_text("erillinen suostumus")
    assert page.input_value("input[name=email]") == "jasen@example.fi"
    assert_accessible(page)
    page.check("input[name=sensitive_consent]")
    page.check("input[name=services][value=home_care]")
    page.check("input[name=consent]")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_be_visible()
    page.goto(_link("panel_confirm"))
    page.click("main form button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/paneelit/{panel_id}/jasenyys$"))
    expect(page.locator("input[name=services-services][value=home_care]")).to_be_checked()
    expect(page.locator("input[name=services-services][value=family_doctor]")).not_to_be_checked()
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(page)

    page.click("a[href$='/jasenyys/eroa']")
    expect(page.locator("main")).to_contain_text("poistetaan heti")
    assert_accessible(page)
    page.click("main form button[type=submit]")
    expect(page.locator("main")).to_contain_text("henkilötietosi poistettiin")
    assert_accessible(page)
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 0
    assert db.session.scalar(select(func.count()).select_from(ServiceUse)) == 0
