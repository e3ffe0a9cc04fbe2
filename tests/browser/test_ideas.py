"""Idea round end to end on a phone: staff set up, two anonymous participants write, vote
(live, without reloading) and comment, one reports, a moderator hides with a reason, the
scheduler closes the round, and the summary and export show the right counts and groups."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from kuulas import scheduler
from kuulas.clock import utcnow
from tests.browser.conftest import assert_accessible
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def staff_sign_in(page, live_server, account):
    page.goto(f"{live_server.url}/kirjaudu/henkilosto")
    page.get_by_label("Sähköpostiosoite").fill(account.email)
    page.get_by_label("Salasana").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Kirjaudu").click()


def test_idea_round_end_to_end(app, live_server, new_page, make_staff):
    from deliberation.ideas import services
    from kuulas.extensions import db

    preparer = make_staff("preparer")
    moderator = make_staff("moderator")
    staff = new_page()
    staff_sign_in(staff, live_server, preparer)
    staff.goto(f"{live_server.url}/hallinta/ideariihi/uusi")
    assert_accessible(staff)
    now = utcnow()
    local = lambda dt: (dt + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")  # noqa: E731 (Helsinki, roughly)
    staff.get_by_label("Otsikko suomeksi").fill("Tulevaisuuden kotihoito")
    staff.get_by_label("Otsikko ruotsiksi").fill("Framtidens hemvård")
    staff.get_by_label("Kysymys suomeksi").fill("Millaisena näet tulevaisuuden kotihoidon?")
    staff.get_by_label("Kysymys ruotsiksi").fill("Hur ser du på framtidens hemvård?")
    staff.get_by_label("Avautuu", exact=True).fill(local(now - timedelta(days=1)))
    staff.get_by_label("Sulkeutuu", exact=True).fill(local(now + timedelta(hours=2)))
    staff.get_by_label("Julkaise").check()
    staff.get_by_label("Ymmärrän, että kun kierros on avautunut").check()   # publishing cannot be undone
    staff.get_by_role("button", name="Tallenna").click()
    staff.get_by_text("Ideakierros tallennettiin.").wait_for()
    assert_accessible(staff)
    round_ = services.rounds()[0]
    assert round_.state == "open"
    url = f"{live_server.url}/ideariihi/{round_.id}"

    p1, p2 = new_page(), new_page()
    p1.goto(url)
    assert_accessible(p1)
    p1.get_by_label("Ideasi", exact=True).fill("Iltaisin lisää kotikäyntejä")
    p1.get_by_role("button", name="Lähetä idea").click()
    p1.get_by_text("Kiitos! Ideasi on nyt julkinen.").wait_for()
    p2.goto(url)
    p2.get_by_label("Ideasi", exact=True).fill("Etäyhteys omaisille kotihoidon kautta")
    p2.get_by_role("button", name="Lähetä idea").click()
    p2.get_by_text("Kiitos! Ideasi on nyt julkinen.").wait_for()
    # p1's page was open: p2's idea arrived live.
    p1.locator(".idea-list").get_by_text("Etäyhteys omaisille kotihoidon kautta").wait_for()

    # Each votes on the other's idea, dealt one at a time, without reloading.
    p1.reload()  # the card was empty when p1's page loaded; the list updated live
    for page in (p1, p2):
        page.locator("[data-vote-form]").get_by_role("button", name="Samaa mieltä").click()
        page.get_by_text("Olet käynyt läpi kaikki ideat toistaiseksi").wait_for()
    assert_accessible(p2)

    # p2 comments on p1's idea and reports it.
    p2.locator(".idea-list li", has_text="Iltaisin lisää kotikäyntejä").get_by_role("link").click()
    p2.get_by_label("Kommenttisi").fill("Tämä auttaisi myös omaishoitajia")
    p2.get_by_role("button", name="Lähetä kommentti").click()
    p2.get_by_text("Kiitos! Kommenttisi on nyt julkinen.").wait_for()
    assert_accessible(p2)
    p2.get_by_role("link", name="Ilmoita moderaattorille").click()
    p2.get_by_label("Jokin muu").check()
    p2.get_by_role("button", name="Lähetä ilmoitus").click()
    p2.get_by_text("Kiitos. Moderaattori katsoo asian.").wait_for()

    # A third participant writes something to hide.
    p3 = new_page()
    p3.goto(url)
    p3.get_by_label("Ideasi", exact=True).fill("Sopimaton mainosteksti tähän")
    p3.get_by_role("button", name="Lähetä idea").click()
    p3.get_by_text("Kiitos! Ideasi on nyt julkinen.").wait_for()

    mod = new_page()
    staff_sign_in(mod, live_server, moderator)
    mod.goto(f"{live_server.url}/hallinta/ideariihi/{round_.id}")
    mod.get_by_text("Osallistujien ilmoittamat").wait_for()
    assert_accessible(mod)
    item = mod.locator(".mod-list li", has_text="Sopimaton mainosteksti tähän").last
    item.get_by_label("Julkinen syy poistamiselle").fill("Mainontaa")
    item.get_by_role("button", name="Piilota näkyvistä").click()
    mod.get_by_text("Piilotettu; syy näytetään julkisesti.").wait_for()
    p1.locator(".idea-list").get_by_text("Mainontaa").wait_for()  # live
    p1.reload()
    assert p1.get_by_text("Sopimaton mainosteksti tähän").count() == 0

    # The scheduler closes the round.
    assert scheduler.run_job(app, "ideas.rounds", round_.closes_at + timedelta(minutes=1)) == "opened 0, closed 1"
    p2.goto(url)
    p2.get_by_text("Kierros on päättynyt. Kiitos osallistumisesta!").wait_for()
    assert p2.get_by_role("button", name="Lähetä idea").count() == 0

    staff.goto(f"{live_server.url}/hallinta/ideariihi/{round_.id}/yhteenveto")
    assert_accessible(staff)
    assert staff.locator('[data-figure="participants"]').inner_text() == "3"
    assert staff.locator('[data-figure="ideas"]').inner_text() == "2"
    assert staff.locator('[data-figure="votes"]').inner_text() == "2"
    assert staff.locator('[data-figure="comments"]').inner_text() == "1"
    assert staff.get_by_role("heading", name="Mielipideryhmät").is_visible()
    with staff.expect_download() as download:
        staff.get_by_role("link", name="Lataa CSV").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read()), delimiter=";"))
    assert len(rows) == 3 and sum(int(r[5]) for r in rows[1:]) == 2
    db.session.remove()


def test_opinion_groups_in_summary(app, live_server, new_page, make_staff):
    """With the demo data, the summary shows opinion groups."""
    import random

    from deliberation.ideas import demo
    from kuulas.extensions import db

    out: list[str] = []
    demo.seed(utcnow(), random.Random(1), out, actor=make_staff("preparer"))
    db.session.commit()
    closed = [line for line in out if "closed" in line]
    assert closed
    staff = new_page()
    staff_sign_in(staff, live_server, make_staff("moderator"))
    rid = demo.LAST_IDS["open"]
    staff.goto(f"{live_server.url}/hallinta/ideariihi/{rid}/yhteenveto")
    assert staff.locator("[data-group]").count() >= 2
    assert_accessible(staff)
    staff.goto(f"{live_server.url}/ideariihi/{rid}")
    assert_accessible(staff)
