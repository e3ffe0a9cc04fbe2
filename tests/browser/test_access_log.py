"""The access log and retention pages on a phone (320 px): an administrator signs in, finds
their own sign-in in the log, downloads the CSV, and is told next to the field when a period
is below the county's minimum; axe finds no serious or critical violation."""
from __future__ import annotations

from tests.browser.conftest import assert_accessible
from tests.browser.test_outcomes import sign_in_staff


def test_admin_searches_exports_and_sets_periods(app, live_server, new_page, make_staff):
    admin = make_staff("administrator")
    page = new_page()
    page.set_viewport_size({"width": 320, "height": 700})
    base = live_server.url
    sign_in_staff(page, base, admin)
    page.goto(f"{base}/hallinta")
    page.get_by_role("link", name="Lokitiedot").click()
    page.fill("input[name=action]", "auth.")
    page.get_by_role("button", name="Hae").click()
    rows = page.locator("table tbody tr")
    assert rows.count() == 1 and "auth.sign_in" in rows.first.inner_text()
    # The wide table scrolls inside its wrapper; the page itself does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 321
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Lataa nämä rivit (CSV)").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert "auth.sign_in" in text and admin.email not in text

    page.goto(f"{base}/hallinta/sailytysajat")
    assert_accessible(page)
    page.fill("input[name=access_log]", "30")
    page.get_by_role("button", name="Tallenna").click()
    error = page.locator("#access_log-error")
    assert "Vähintään 365 päivää" in error.inner_text()
    assert page.locator("input[name=access_log]").input_value() == "30"   # the input is kept
    assert_accessible(page)
    page.fill("input[name=access_log]", "1500")
    page.get_by_role("button", name="Tallenna").click()
    assert page.get_by_text("Säilytysajat tallennettiin.").is_visible()
    assert page.locator("input[name=access_log]").input_value() == "1500"
