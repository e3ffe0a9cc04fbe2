"""A survey to a client group of the standing panel, on a phone viewport with axe on each
page: a resident joins and says which services they use; staff build and send a survey to
the home-care clients; three members answer (one stops and continues); the results page
shows weighted and unweighted shares with intervals and suppressed small cells; the
preparer publishes them as an outcome and records a decision; the member's own page shows
the survey and its outcome; the member leaves, their data goes and the figures stay."""
from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.conftest import assert_accessible
from tests.browser.test_outcomes import sign_in_staff

pytestmark = pytest.mark.browser


def _mail_link(to: str, category: str) -> str:
    from kuulas.extensions import db
    from kuulas.mail.models import OutboxMail

    db.session.remove()
    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.category == category,
                                                       OutboxMail.recipient == to)
                              .order_by(OutboxMail.id.desc())).first()
    return re.search(r"https?://\S+", mail.body_text).group(0)


def _main_text(page) -> str:
    return re.sub(r"\s+", " ", page.locator("main").inner_text())


def test_survey_to_a_client_group_from_join_to_leave(app, live_server, new_page, make_staff):
    from kuulas.clock import utcnow
    from kuulas.extensions import db
    from panel.clients import services as clients
    from panel.recruitment.models import Volunteer
    from panel.surveys import answering, tokens
    from panel.surveys.models import Recipient, Survey, SurveyResponse
    from tests.panel.helpers import make_panel
    from tests.panel.surveys.helpers import join, uses

    staff = make_staff("preparer")
    now = utcnow()
    panel = make_panel(staff, standing=True, consent_months=24, recruitment_closes_at=None,
                       now=now - timedelta(days=2))
    home = clients.create_service({"key": "home_care", "name_fi": "Kotihoito", "name_sv": "Hemvård",
                                   "position": 0}, actor=staff, now=now)
    clients.create_service({"key": "family_doctor", "name_fi": "Omalääkäri", "name_sv": "Egenläkare",
                            "position": 1}, actor=staff, now=now)
    db.session.commit()
    others = []
    for n in range(10):     # home-care clients already in the pool
        member = join(panel, 200 + n, gender="female" if n % 3 else "male", age="old" if n % 2 else "young",
                      sensitive=True, now=now - timedelta(days=1))
        uses(member, home)
        others.append(member.id)
    join(panel, 300, now=now - timedelta(days=1))      # a member who uses no service
    panel_id = panel.id
    staff_login = SimpleNamespace(email=staff.email)
    base = live_server.url

    # A resident joins on a phone and says they use home care.
    resident = new_page()
    resident.goto(f"{base}/paneelit/{panel_id}")
    resident.fill("input[name=email]", "asiakas@example.fi")
    resident.fill("input[name=display_name]", "Kotihoidon asiakas")
    resident.check("input[name=f_gender][value=female]")
    resident.check("input[name=f_age][value=old]")
    resident.check("input[name=sensitive_consent]")
    resident.check("input[name=services][value=home_care]")
    resident.check("input[name=consent]")
    resident.click("main form button[type=submit]")
    expect(resident.locator("h1")).to_be_visible()
    resident.goto(_mail_link("asiakas@example.fi", "panel_confirm"))
    resident.click("main form button[type=submit]")
    expect(resident).to_have_url(re.compile(rf"/paneelit/{panel_id}/jasenyys$"))

    # Staff build the survey for the home-care clients and send it.
    page = new_page()
    sign_in_staff(page, base, staff_login)
    page.goto(f"{base}/hallinta/kyselyt/uusi")
    assert_accessible(page)
    page.fill("#title_fi", "Kotihoidon kysely")
    page.fill("#title_sv", "Enkät om hemvården")
    page.check("input[name=audience][value=client_group]")
    page.check("input[name=service_keys][value=home_care]")
    page.check("input[name=weighting][value=gender]")
    page.check("input[name=weighting][value=age]")
    page.click("main form button[type=submit]")
    expect(page.get_by_text("Kysely luotiin")).to_be_visible()
    page.select_option("#kind", "single")
    page.fill("#text_fi", "Ehtivätkö hoitajat kuunnella?")
    page.fill("#options_fi", "Aina\nJoskus\nEi koskaan")
    page.check("#required")
    page.get_by_role("button", name="Lisää kysymys").click()
    expect(page.get_by_text("Kysymys lisättiin.")).to_be_visible()
    page.select_option("#kind", "text")
    page.fill("#text_fi", "Mitä muuttaisit?")
    page.get_by_role("button", name="Lisää kysymys").click()
    expect(page.get_by_text("Kysymys lisättiin.")).to_be_visible()
    assert_accessible(page)
    survey_id = int(re.search(r"/hallinta/kyselyt/(\d+)", page.url).group(1))
    page.goto(f"{base}/hallinta/kyselyt/{survey_id}/esikatselu")
    expect(page.locator(".phone-frame")).to_contain_text("Ehtivätkö hoitajat kuunnella?")
    assert_accessible(page)
    page.goto(f"{base}/hallinta/kyselyt/{survey_id}")
    page.fill("#closes_at", (now + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Lähetä tai ajasta kysely").click()
    expect(page.get_by_text("Kysely lähetettiin.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Lähetetty 11 jäsenelle")

    # The resident answers from the mail on the phone, without signing in: stops, continues.
    link = _mail_link("asiakas@example.fi", "panel-survey")
    member = new_page()
    member.goto(link)
    assert_accessible(member)
    member.get_by_label("Joskus").check()
    member.get_by_role("button", name="Tallenna ja jatka myöhemmin").click()
    expect(member.get_by_text("Voit jatkaa myöhemmin samalla linkillä")).to_be_visible()
    later = new_page()
    later.goto(link)
    expect(later.get_by_label("Joskus")).to_be_checked()
    later.get_by_label("Aina").check()
    later.fill("textarea", "Soittakaa minulle 040 123 4567, iltaisin kiire.")
    later.get_by_role("button", name="Lähetä vastaukseni").click()
    expect(later.get_by_text("Poistimme vastauksestasi henkilötietoja")).to_be_visible()
    assert "040 123 4567" not in later.content()
    assert_accessible(later)
    later.set_viewport_size({"width": 320, "height": 640})
    assert later.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # Two more members answer in their phones; the rest of the group through the service.
    key = tokens.survey_key(app.secret_key, survey_id)
    for vid in others[:2]:
        p = new_page()
        p.goto(f"{base}/paneelit/kysely/{survey_id}/{tokens.member_token(key, vid)}")
        p.get_by_label("Aina").check()
        p.get_by_role("button", name="Lähetä vastaukseni").click()
        expect(p.get_by_text("Kiitos! Vastauksesi tallennettiin.")).to_be_visible()
    db.session.remove()
    survey = db.session.get(Survey, survey_id)
    q = {x.kind: x.id for x in survey.questions}
    for n, vid in enumerate(others[2:]):
        answering.save(survey_id, tokens.member_token(key, vid), {f"q{q['single']}": ["1" if n < 4 else "3"]},
                       submit=True, now=utcnow())
    db.session.commit()
    db.session.remove()

    # Staff close it; the results page shows weighted and unweighted shares, intervals and
    # "under 5" cells.
    page.goto(f"{base}/hallinta/kyselyt/{survey_id}")
    page.get_by_role("button", name="Sulje kysely nyt").click()
    expect(page.get_by_text("Kysely suljettiin.")).to_be_visible()
    page.goto(f"{base}/hallinta/kyselyt/{survey_id}/tulokset")
    results = _main_text(page)
    for text in ("Painotettu osuus", "Painottamaton osuus", "95 %:n luottamusväli", "alle 5",
                 "Efektiivinen otoskoko", "Vastausaste"):
        assert text in results, text
    assert page.locator("svg.bars").count() >= 1
    assert_accessible(page)

    # The preparer publishes the results as an outcome and records a decision.
    page.get_by_role("button", name="Julkaise tulokset tuloksena").click()
    page.wait_for_url("**/hallinta/tulokset/*")
    outcome_url = page.url
    outcome_id = int(outcome_url.rstrip("/").rsplit("/", 1)[-1])
    page.get_by_label("Heti").check()
    page.get_by_label("Olen tarkistanut tuloksen").check()
    page.get_by_role("button", name="Julkaise").click()
    page.wait_for_url(outcome_url)
    page.get_by_role("link", name="Kirjaa päätös").click()
    page.fill("#body", "Aluehallitus")
    page.fill("#meeting_date", (now + timedelta(days=1)).strftime("%Y-%m-%d"))
    page.fill("#item", "§ 42")
    page.get_by_role("button", name="Tallenna päätös").click()
    page.wait_for_url(f"{outcome_url}*")
    public = new_page()
    public.goto(f"{base}/tulokset/{outcome_id}")
    assert_accessible(public)
    published = _main_text(public)
    assert "Kotihoidon kysely" in published and "Aluehallitus" in published and "alle 5" in published
    page.goto(f"{base}/hallinta/kyselyt/{survey_id}/tulokset")
    frozen = _main_text(page)

    # The member's own page shows the survey, that they answered, and its outcome.
    resident.goto(f"{base}/paneelit/{panel_id}/jasenyys")
    own = resident.locator("main")
    expect(own).to_contain_text("Kotihoidon kysely")
    expect(own).to_contain_text("Vastattu")
    expect(resident.get_by_role("link", name="Tulokset julkaistu")).to_have_attribute("href", f"/tulokset/{outcome_id}")
    assert_accessible(resident)

    # The member leaves: their data goes at once, the published figures stay the same.
    db.session.remove()
    leaver = db.session.scalar(select(Volunteer).where(Volunteer.email == "asiakas@example.fi"))
    leaver_id = leaver.id
    responses = db.session.scalar(select(func.count()).select_from(SurveyResponse))
    resident.click("a[href$='/jasenyys/eroa']")
    resident.click("main form button[type=submit]")
    expect(resident.locator("main")).to_contain_text("henkilötietosi poistettiin")
    db.session.remove()
    assert db.session.get(Volunteer, leaver_id) is None
    assert db.session.scalar(select(func.count()).select_from(Recipient)
                             .where(Recipient.volunteer_id == leaver_id)) == 0
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == responses
    public.goto(f"{base}/tulokset/{outcome_id}")
    assert _main_text(public) == published
    page.goto(f"{base}/hallinta/kyselyt/{survey_id}/tulokset")
    assert _main_text(page) == frozen
