"""The accessibility statement and its feedback channel (issue item 21; Act on the
Provision of Digital Services 306/2019 §18: a reply within 14 days)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from kuulas.clock import utcnow
from kuulas.extensions import db
from kuulas.mail.models import OutboxMail
from kuulas.pages.models import AccessibilityFeedback

STATEMENT = {
    "fi": ("Tunnetut puutteet", "2.12.2026", "Etelä-Suomen aluehallintovirasto"),
    "sv": ("Kända brister", "2.12.2026", "Regionförvaltningsverket i Södra Finland"),
    "en": ("Known shortcomings", "2 December 2026", "Regional State Administrative Agency for Southern Finland"),
}


@pytest.mark.parametrize("lang", list(STATEMENT))
def test_statement_says_how_it_was_evaluated_what_is_known_and_where_to_turn(client, lang):
    known, date, authority = STATEMENT[lang]
    html = client.get("/saavutettavuus", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert known in html and date in html and authority in html and "axe-core" in html
    assert "320" in html and "200" in html
    # The known shortcomings are listed, not denied.
    # (split at the heading itself: the "on this page" menu names it too)
    section = html.split(known + "</h2>", 1)[1].split("<h2", 1)[0]
    assert section.count("<li>") >= 4
    for denial in ("Emme tällä hetkellä tiedä", "We currently know of no", "känner vi inte till"):
        assert denial not in html
    assert 'href="/saavutettavuus/palaute"' in html
    assert 'href="https://www.saavutettavuusvaatimukset.fi' in html


def test_feedback_form_keeps_input_on_error_and_stores_with_a_14_day_deadline(client, clock):
    client.set_cookie("kuulas_lang", "sv")
    assert client.get("/saavutettavuus/palaute").status_code == 200
    text = "Knappen i anmälan kan inte nås med tangentbordet."
    response = client.post("/saavutettavuus/palaute", data={"email": "inte en adress",
                                                            "description": text})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert text in html and 'aria-invalid="true"' in html
    assert db.session.scalar(select(AccessibilityFeedback)) is None

    response = client.post("/saavutettavuus/palaute", data={"email": "Anna@Example.fi",
                                                            "description": text})
    assert response.status_code == 302 and response.headers["Location"] == "/saavutettavuus/palaute/kiitos"
    assert "14" in client.get(response.headers["Location"]).get_data(as_text=True)
    item = db.session.scalar(select(AccessibilityFeedback))
    assert item.name == "" and item.contact_email == "anna@example.fi" and item.locale == "sv"
    assert (item.created_at, item.due_at) == (clock.now, clock.now + timedelta(days=14))


def _feedback(days_ago: float, email="palaute@example.fi", **kw) -> AccessibilityFeedback:
    from kuulas.pages import feedback

    item = feedback.submit(name=kw.get("name", ""), email=email, page="", locale="fi",
                           description=kw.get("description", "Kaavio ei aukea ruudunlukijalla."),
                           now=utcnow() - timedelta(days=days_ago))
    db.session.commit()
    return item


def test_staff_queue_shows_due_dates_and_highlights_overdue(client, make_staff, login):
    late = _feedback(15, description="Myöhässä oleva palaute")
    soon = _feedback(12, description="Pian erääntyvä palaute")
    fresh = _feedback(1, description="Tuore palaute")
    preparer_client = login(make_staff("preparer"), client.application.test_client())
    assert preparer_client.get("/hallinta/saavutettavuuspalaute").status_code == 403
    login(make_staff("administrator"))
    assert "/hallinta/saavutettavuuspalaute" in client.get("/hallinta").get_data(as_text=True)
    html = client.get("/hallinta/saavutettavuuspalaute", headers={"Accept-Language": "en"}).get_data(as_text=True)
    # Nearest deadline first; the overdue row says so in text, not only in colour.
    assert html.index("Myöhässä oleva") < html.index("Pian erääntyvä") < html.index("Tuore palaute")
    row = html.split("Myöhässä oleva")[0].rsplit("<tr", 1)[1]
    assert 'class="row-overdue"' in row and "Overdue" in row
    assert "Due soon" in html.split("Pian erääntyvä")[0].rsplit("<tr", 1)[1]
    from flask_babel import force_locale

    from kuulas.i18n import format_date
    with force_locale("en"):
        assert format_date(late.due_at) in html and format_date(fresh.due_at) in html
    assert soon.id


def test_reply_is_mailed_then_the_contact_address_is_deleted(app, client, make_staff, login,
                                                             smtp_server):
    from kuulas.scheduler import run_job

    item = _feedback(2, email="vastaus@example.fi")
    login(make_staff("administrator"))
    assert client.post(f"/hallinta/saavutettavuuspalaute/{item.id}", data={"reply": ""}).status_code == 400
    response = client.post(f"/hallinta/saavutettavuuspalaute/{item.id}",
                           data={"reply": "Korjasimme kaavion tekstivastineen."})
    assert response.status_code == 302
    db.session.expire_all()
    item = db.session.get(AccessibilityFeedback, item.id)
    assert item.replied_at is not None and item.contact_email is None
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.recipient == "vastaus@example.fi"))
    assert "Korjasimme kaavion tekstivastineen." in mail.body_text
    assert "saavutettavuusvaatimukset.fi" in mail.body_text
    # A second reply (another admin at the same moment) sends nothing more.
    other = login(make_staff("administrator"), app.test_client())
    assert other.post(f"/hallinta/saavutettavuuspalaute/{item.id}", data={"reply": "Toinen"}).status_code == 409
    # Once delivered, the outbox forgets the address too.
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    run_job(app, "mail.send_due", utcnow())
    assert smtp_server.wait_for(1)[0]["to"] == ["vastaus@example.fi"]
    db.session.expire_all()
    assert db.session.get(OutboxMail, mail.id).recipient == "-"
    assert "vastaus@example.fi" not in client.get(f"/hallinta/saavutettavuuspalaute/{item.id}").get_data(as_text=True)


def test_reminder_job_mails_administrators_near_and_after_the_deadline(app, make_staff):
    from kuulas.accounts import services as accounts
    from kuulas.scheduler import run_job

    admin = make_staff("administrator", email="paakayttaja@example.fi")
    inactive = make_staff("administrator", email="entinen@example.fi")
    accounts.update_staff(inactive.id, roles={"administrator"}, active=False, actor=admin, now=utcnow())
    make_staff("preparer", email="valmistelija@example.fi")
    _feedback(1)                 # due in 13 days: no reminder yet
    _feedback(12)                # due in 2 days
    late = _feedback(20)         # overdue
    db.session.commit()

    def reminders():
        return db.session.scalars(select(OutboxMail.recipient).where(OutboxMail.category == "staff")).all()

    now = utcnow()
    assert run_job(app, "pages.accessibility_feedback_reminders", now) == 2
    assert reminders() == ["paakayttaja@example.fi"]
    body = db.session.scalar(select(OutboxMail.body_text).where(OutboxMail.category == "staff"))
    assert "/hallinta/saavutettavuuspalaute" in body and "palaute@example.fi" not in body
    # Idempotent within the day; again the next day while still unanswered.
    assert run_job(app, "pages.accessibility_feedback_reminders", now + timedelta(hours=2)) == 0
    from kuulas.pages import feedback

    feedback.reply(late.id, "Vastaus", actor=admin, now=now)
    db.session.commit()
    assert run_job(app, "pages.accessibility_feedback_reminders", now + timedelta(days=1, minutes=1)) == 1
    assert len(reminders()) == 2


def test_deleting_an_edited_page_goes_through_a_confirmation_step(client, make_staff, login):
    """GET shows what will happen; a POST without the confirmation changes nothing; the
    confirming POST deletes the edited text (issue item 18)."""
    from kuulas.pages.models import SitePage

    login(make_staff("administrator"))
    client.post("/hallinta/sivut/privacy/en", data={"title": "Edited", "body": "Edited text"})
    assert db.session.scalar(select(SitePage)) is not None
    editor = client.get("/hallinta/sivut/privacy/en", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'href="/hallinta/sivut/privacy/en/palauta"' in editor and "<dialog" in editor
    page = client.get("/hallinta/sivut/privacy/en/palauta", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "deleted for good" in page.get_data(as_text=True)
    assert client.post("/hallinta/sivut/privacy/en/palauta").status_code == 200
    assert db.session.scalar(select(SitePage)) is not None
    response = client.post("/hallinta/sivut/privacy/en/palauta", data={"confirmed": "yes"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(SitePage)) is None
    assert "Edited text" not in client.get("/tietosuoja", headers={"Accept-Language": "en"}).get_data(as_text=True)
