"""Participation measurement "done when", in phone browsers: a participant answers the
experience questionnaire after an idea round; the coordinator enters a target and a process's
staff hours; the public participation page and the staff dashboard show the year against the
target; the annual report downloads as DOCX and PDF (the PDF rendered with pdftoppm and read
with pdftotext); axe finds no serious or critical violation on the pages."""
from __future__ import annotations

import io

import pytest

from tests.browser.conftest import assert_accessible
from tests.browser.test_outcomes import pdf_text, sign_in_staff

pytestmark = pytest.mark.browser


def test_experience_targets_dashboard_and_annual_report(app, live_server, new_page, make_staff, tmp_path):
    from kuulas.clock import utcnow
    from tests.outcomes.sources_helpers import finished_idea_round

    preparer = make_staff("preparer")
    round_id, _ideas, _later = finished_idea_round(app, preparer)
    base = live_server.url
    year = utcnow().year

    # A participant comes back to the closed round and tells how it was.
    resident = new_page("fi-FI")
    resident.goto(f"{base}/ideariihi/{round_id}")
    resident.get_by_role("link", name="Kerro, millaista oli osallistua").click()
    assert_accessible(resident)
    resident.get_by_role("button", name="Lähetä").click()                     # nothing chosen
    assert resident.get_by_text("Vastaa vähintään yhteen kysymykseen").first.is_visible()
    resident.locator("fieldset").nth(0).get_by_label("Täysin samaa mieltä").check()
    resident.locator("fieldset").nth(1).get_by_label("Samaa mieltä", exact=True).check()
    resident.locator("fieldset").nth(3).get_by_label("Täysin samaa mieltä").check()
    resident.get_by_role("button", name="Lähetä").click()
    assert resident.get_by_role("heading", name="Kiitos").is_visible()
    resident.goto(f"{base}/kokemus/ideas/{round_id}")
    resident.locator("fieldset").nth(0).get_by_label("Eri mieltä", exact=True).check()
    resident.get_by_role("button", name="Lähetä").click()
    assert resident.get_by_text("Olet jo kertonut kokemuksestasi").first.is_visible()   # once per browser

    # The coordinator sets a target and enters the round's staff hours.
    staff = new_page()
    sign_in_staff(staff, base, preparer)
    staff.goto(f"{base}/hallinta/osallisuus")
    assert_accessible(staff)
    staff.select_option("#indicator", label="Osallistujat")
    staff.fill("#value", "-3")
    staff.get_by_role("button", name="Tallenna tavoite").click()
    assert staff.locator("#value-error").get_by_text("nolla tai suurempi").is_visible()
    staff.fill("#value", "10")
    staff.get_by_role("button", name="Tallenna tavoite").click()
    assert staff.get_by_text("Tavoite tallennettiin").first.is_visible()
    staff.get_by_role("link", name="Kirjaa panokset").first.click()
    staff.fill("#staff_hours", "kolmekymmentä")
    staff.get_by_role("button", name="Tallenna").click()
    assert staff.locator("#staff_hours-error").is_visible()
    staff.fill("#staff_hours", "37,5")
    staff.fill("#costs_eur", "1 250,50")
    staff.get_by_label("Verkko").check()
    staff.get_by_role("button", name="Tallenna").click()
    assert staff.get_by_text("Panokset tallennettiin").first.is_visible()
    row = staff.get_by_role("row", name="Osallistujat", exact=False).first
    assert "✓ saavutettu" in row.inner_text()
    assert "37,5" in staff.get_by_role("row", name="Henkilöstön työtunnit").first.inner_text()
    assert staff.locator("svg.pm-chart").count() > 0
    assert_accessible(staff)

    # The public page shows the year against the target, without the staff-only inputs.
    public = new_page("sv-FI")
    public.goto(f"{base}/osallisuus")
    assert public.get_by_role("heading", name=f"Delaktighet i siffror {year}").is_visible()
    assert "✓ nått" in public.get_by_role("row", name="Deltagare").first.inner_text()
    assert "arbetstimmar" not in public.content()
    assert_accessible(public)
    public.set_viewport_size({"width": 320, "height": 640})
    assert_accessible(public)

    # The annual report as DOCX and PDF.
    with staff.expect_download() as download:
        staff.get_by_role("link", name="DOCX").click()
    from docx import Document
    doc = Document(io.BytesIO(open(download.value.path(), "rb").read()))
    assert f"Osallisuusraportti {year}" in "\n".join(p.text for p in doc.paragraphs)
    with staff.expect_download() as download:
        staff.get_by_role("link", name="PDF").click()
    pdf = tmp_path / "raportti.pdf"
    pdf.write_bytes(open(download.value.path(), "rb").read())
    text = pdf_text(pdf, tmp_path)
    assert f"Osallisuusraportti {year}" in text and "Osallistujat" in text
