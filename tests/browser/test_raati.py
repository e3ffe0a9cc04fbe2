"""Done-when for the digiraati: a moderator and three members in separate browser contexts
run a session through its phases over real websockets at a phone viewport."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, account, raati_id):
    from kuulas.accounts import services
    from kuulas.clock import utcnow
    from kuulas.extensions import db

    if account.is_staff:
        page.goto(f"{live_server.url}/kirjaudu/henkilosto")
        page.fill("input[name=email]", account.email)
        page.fill("input[name=password]", TEST_PASSWORD)
        page.click("button[type=submit]")
    else:
        token = services.issue_token(account, services.PURPOSE_LOGIN, now=utcnow(),
                                     next_path=f"/raati/{raati_id}")
        db.session.commit()
        page.goto(f"{live_server.url}/kirjaudu/linkki/{token}")
        page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/raati/{raati_id}")


def test_session_through_its_phases(app, live_server, new_page, make_staff, make_resident):
    from deliberation.raati import services
    from deliberation.raati.models import Raati
    from kuulas.clock import utcnow
    from kuulas.extensions import db

    now = utcnow()
    preparer = make_staff("preparer")
    raati = services.save_raati(None, {"title_fi": "Omalääkärimalli", "question_fi": "Miten malli otetaan käyttöön?"},
                                actor=preparer, now=now)
    moderator = make_staff("moderator")
    services._ensure_member(raati, moderator.id, "moderator", now).display_name = "Mirja"
    accounts = {}
    for key, role in [("chair", "chair"), ("secretary", "secretary"), ("member", "member")]:
        accounts[key] = make_resident()
        services._ensure_member(raati, accounts[key].id, role, now)
    from datetime import timedelta

    session = services.add_session(raati.id, "Ilta", now + timedelta(days=3), now + timedelta(days=3, hours=2),
                                   actor=preparer, now=now, invite=False)
    db.session.commit()
    rid, session_id = raati.id, session.id
    phases = [p.id for p in db.session.get(Raati, rid).phases]

    mod = new_page()
    _sign_in(mod, live_server, moderator, rid)
    pages = {}
    for key, name in [("chair", "Pekka"), ("secretary", "Sanna"), ("member", "Liisa")]:
        p = new_page()
        _sign_in(p, live_server, accounts[key], rid)
        expect(p.locator("h1")).to_have_text("Valitse näkyvä nimi")
        p.fill("#display_name", name)
        p.click("main button[type=submit]")
        expect(p.locator("#conn-status")).to_have_text(re.compile("Yhdistetty|Connected"))
        pages[key] = p
    chair, sec, member = pages["chair"], pages["secretary"], pages["member"]
    expect(mod.locator("#conn-status")).to_have_text(re.compile("Yhdistetty|Connected"))
    assert_accessible(member)

    # orientation: phase and countdown
    mod.select_option("#phase-select", str(phases[0]))
    mod.click("#phase-form button")
    expect(member.locator("#phase-name")).to_have_text("Perehdytys")
    expect(member.locator("#timer")).to_have_text(re.compile(r"^(29|30):\d\d$"))

    # chat
    member.fill("#message-body", "Hyvä aihe, kiitos!")
    member.click("#message-form button")
    for p in (mod, chair, sec):
        expect(p.locator("#messages")).to_contain_text("Hyvä aihe, kiitos!")

    # raised hand called in order
    chair.click("#hand-up")
    member.click("#hand-up")
    expect(mod.locator("#hand-queue li")).to_have_count(2)
    mod.click("#call-next")
    expect(member.locator("#speaker")).to_have_text("Pekka")
    expect(member.locator("#hand-queue li")).to_have_count(1)
    # the moderator gives the floor out of the queue; the queued hand counts as called
    mod.get_by_role("button", name="Anna puheenvuoro: Liisa").click()
    expect(chair.locator("#speaker")).to_have_text("Liisa")
    expect(member.locator("#hand-queue li")).to_have_count(0)

    # expert hearing: a question upvoted
    mod.select_option("#phase-select", str(phases[1]))
    mod.click("#phase-form button")
    expect(member.locator("#phase-name")).to_have_text("Asiantuntijakuuleminen")
    member.fill("#question-body", "Paljonko lisää lääkäreitä tarvitaan?")
    member.click("#question-form button")
    chair.get_by_role("button", name=re.compile("Kannata")).click()
    expect(mod.locator("#questions")).to_contain_text("1 kannattaja")
    assert "1 kannattajaa" not in mod.locator("#questions").inner_text()

    # a poll with live results
    mod.fill("#poll-question", "Sopiiko etävastaanotto?")
    mod.fill("#poll-options", "Kyllä\nEi")
    mod.click("#poll-form button")
    member.get_by_label(re.compile("^Kyllä")).check()
    member.locator("form.poll button[type=submit]").click()
    expect(mod.locator("#polls")).to_contain_text("Kyllä: 1")

    # staff change the agenda on their own page; the open room redraws it at once
    staff = new_page()
    _sign_in(staff, live_server, preparer, rid)
    staff.goto(f"{live_server.url}/hallinta/raati/{rid}/vaiheet/{phases[2]}")
    assert_accessible(staff)
    staff.fill("#phase-minutes", "50")
    staff.click("main button[type=submit]")
    expect(staff.locator("main")).to_contain_text("Tallennettu.")
    assert_accessible(staff)
    expect(member.locator("#agenda")).to_contain_text("Keskustelu (50 min)")
    expect(member.locator("#announcer")).to_have_text("Esityslistaa muutettiin.")
    expect(mod.locator("#agenda li.current")).to_contain_text("Asiantuntijakuuleminen")
    expect(mod.locator("#phase-select option")).to_have_count(len(phases))
    staff.goto(f"{live_server.url}/hallinta/raati/{rid}/istunnot/{session_id}")
    expect(staff.locator("h1")).to_have_text("Muuta istuntoa")
    assert_accessible(staff)
    staff.close()

    # a dropped connection that catches up
    member.context.set_offline(True)
    member.evaluate("window.KuulasRaati.socket.disconnect()")
    expect(member.locator("#conn-status")).to_have_text(re.compile("katkesi|lost"))
    chair.fill("#message-body", "Tämän sinä menetit hetkeksi")
    chair.click("#message-form button")
    sec.fill("#message-body", "Ja tämänkin")
    sec.click("#message-form button")
    expect(mod.locator("#messages")).to_contain_text("Ja tämänkin")
    assert "Ja tämänkin" not in member.locator("#messages").inner_text()
    member.context.set_offline(False)
    member.evaluate("window.KuulasRaati.socket.connect()")
    expect(member.locator("#messages")).to_contain_text("Ja tämänkin")
    texts = member.locator("#messages .msg-body").all_inner_texts()
    assert texts == ["Hyvä aihe, kiitos!", "Tämän sinä menetit hetkeksi", "Ja tämänkin"]

    # statement: drafted, approved, locked
    mod.select_option("#phase-select", str(phases[3]))
    mod.click("#phase-form button")
    expect(sec.locator("#phase-name")).to_have_text("Kannanoton kirjoittaminen")
    sec.fill("#section-title", "Hoidon jatkuvuus")
    sec.fill("#section-text", "Sama lääkäri hoitaa.")
    sec.click("#section-form button[type=submit]")
    expect(member.locator("#sections")).to_contain_text("Sama lääkäri hoitaa.")
    sec.select_option("#section-id", label="Hoidon jatkuvuus")
    sec.fill("#section-text", "Sama lääkäri hoitaa.\nMyös etänä.")
    sec.click("#section-form button[type=submit]")
    # Each reviewer acts on version 2 once their page shows it (a live update re-renders the
    # review form, as a person would see before ticking the box).
    for p in (member, chair):
        expect(p.locator("#sections")).to_contain_text("Versio 2")
    for approvals, p in enumerate((member, chair), start=1):
        p.get_by_label("Hyväksyn").check()
        p.locator("form.review button[type=submit]").click()
        expect(mod.locator("#sections")).to_contain_text(f"Hyväksyy: {approvals}")
    assert_accessible(chair)
    # locking has its own confirmation step (a page, no JavaScript needed)
    chair.click("#lock-statement")
    expect(chair.locator("h1")).to_have_text("Lukitse kannanotto")
    assert_accessible(chair)
    chair.get_by_label(re.compile("Ymmärrän")).check()
    chair.locator("main form button[type=submit]").click()
    expect(chair.locator("main")).to_contain_text("Hyväksyntätiedot")
    expect(member.locator("#statement-lock")).to_contain_text(re.compile(r"[0-9a-f]{64}"))
    sha = db.session.get(Raati, rid)
    db.session.refresh(sha)
    assert sha.statement_sha256 in member.locator("#statement-lock").inner_text()
    member.goto(f"{live_server.url}/raati/{rid}/kannanotto")
    expect(member.locator("main")).to_contain_text(sha.statement_sha256)
    assert_accessible(member)


def test_room_at_320px_names_errors_and_keyboard(app, live_server, browser, make_staff, make_resident):
    """Several people at once on a 320 px phone: giving the floor never crosses names; a
    refused vote shows its reason next to the poll; a control the phase does not allow is
    disabled with the server's reason; Enter sends and Shift+Enter makes a new line; user
    text is isolated for bidi; the chat list can be scrolled from the keyboard."""
    from deliberation.raati import services
    from deliberation.raati.models import Raati
    from kuulas.clock import utcnow
    from kuulas.extensions import db

    now = utcnow()
    preparer = make_staff("preparer")
    raati = services.save_raati(None, {"title_fi": "Kotihoito", "question_fi": "Miten?"}, actor=preparer, now=now)
    moderator = make_staff("moderator")
    services._ensure_member(raati, moderator.id, "moderator", now).display_name = "Mirja"
    people = {}
    for key, name in [("liisa", "Liisa"), ("ahmad", "أحمد")]:
        people[key] = make_resident()
        services._ensure_member(raati, people[key].id, "member", now).display_name = name
    db.session.commit()
    rid = raati.id
    orientation = db.session.get(Raati, rid).phases[0].id

    def phone():
        context = browser.new_context(viewport={"width": 320, "height": 740}, locale="fi-FI",
                                      device_scale_factor=2, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    mod = phone()
    _sign_in(mod, live_server, moderator, rid)
    liisa, ahmad = phone(), phone()
    _sign_in(liisa, live_server, people["liisa"], rid)
    _sign_in(ahmad, live_server, people["ahmad"], rid)
    for p in (mod, liisa, ahmad):
        expect(p.locator("#conn-status")).to_have_text(re.compile("Yhdistetty|Connected"))
    mod.select_option("#phase-select", str(orientation))
    mod.click("#phase-form button")
    expect(liisa.locator("#phase-name")).to_have_text("Perehdytys")

    # questions are not allowed in the orientation: disabled, with the server's reason
    expect(liisa.locator("#question-body")).to_be_disabled()
    why = liisa.locator("#why-question-question-form")
    expect(why).to_be_visible()
    expect(why).to_have_text("Nykyinen vaihe ei salli tätä.")
    assert "why-question-question-form" in liisa.locator("#question-body").get_attribute("aria-describedby")

    # Enter sends, Shift+Enter is a new line
    liisa.locator("#message-body").click()
    liisa.keyboard.type("Rivi yksi")
    liisa.keyboard.press("Shift+Enter")
    liisa.keyboard.type("rivi kaksi")
    liisa.keyboard.press("Enter")
    expect(mod.locator("#messages .msg-body").last).to_have_text("Rivi yksi\nrivi kaksi")
    expect(liisa.locator("#message-body")).to_have_value("")

    # the moderator gives the floor to Liisa; names stay where they belong everywhere
    mod.get_by_role("button", name="Anna puheenvuoro: Liisa").click()
    expect(ahmad.locator("#speaker")).to_have_text("Liisa")
    mod.fill("#message-body", "Kiitos, Liisa, ole hyvä.")
    mod.keyboard.press("Enter")
    for p in (mod, liisa, ahmad):
        last = p.locator("#messages li").last
        expect(last.locator(".msg-meta bdi")).to_have_text("Mirja")
        expect(p.locator("#presence")).to_contain_text("Mirja")
        expect(p.locator("#speaker")).to_have_text("Liisa")

    # a refused vote: the reason appears next to the poll, tied to it
    mod.fill("#poll-question", "Sopiiko ilta?")
    mod.fill("#poll-options", "Kyllä\nEi")
    mod.click("#poll-form button[type=submit]")
    poll = liisa.locator("form.poll").first
    poll.get_by_label(re.compile("^Kyllä")).check()
    poll.locator("button[type=submit]").click()
    expect(mod.locator("#polls")).to_contain_text("Kyllä: 1")
    poll = liisa.locator("form.poll").first
    poll.get_by_label(re.compile("^Ei")).check()
    poll.locator("button[type=submit]").click()
    error = poll.locator(".control-error")
    expect(error).to_contain_text("Olet jo vastannut")
    assert error.get_attribute("aria-live") == "assertive"
    assert error.get_attribute("id") in (poll.locator("textarea, input:not([type=radio]), select, button").first
                                         .get_attribute("aria-describedby") or "")
    expect(liisa.locator("#room-error")).to_be_empty()
    ahmad.fill("#message-body", "Tämä piirtää huoneen uudelleen")
    ahmad.keyboard.press("Enter")
    expect(liisa.locator("#messages")).to_contain_text("piirtää huoneen")
    expect(liisa.locator("form.poll .control-error").first).to_contain_text("Olet jo vastannut")

    # user text is bidi-isolated; the Arabic name does not reorder the line around it
    expect(mod.locator("#presence bdi", has_text="أحمد")).to_have_count(1)
    assert mod.locator("#messages .msg-body").first.get_attribute("dir") == "auto"

    # the chat list is reachable by keyboard; no serious axe findings at 320 px
    assert liisa.locator("#messages").get_attribute("tabindex") == "0"
    assert_accessible(liisa)
    assert_accessible(mod)
    # nothing is wider than the phone
    assert liisa.evaluate("document.documentElement.scrollWidth") <= 320

    # removing someone asks first: cancelling keeps them, confirming removes them
    mod.get_by_role("button", name="Poista: أحمد").click()
    dialog = mod.locator("#remove-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#remove-dialog-name")).to_have_text("أحمد")
    assert_accessible(mod)
    dialog.get_by_role("button", name="Peruuta").click()
    expect(dialog).to_be_hidden()
    expect(ahmad.locator("#conn-status")).to_have_text(re.compile("Yhdistetty|Connected"))
    expect(mod.locator("#presence")).to_contain_text("أحمد")
    mod.get_by_role("button", name="Poista: أحمد").click()
    dialog.locator("#remove-reason").fill("Testi")
    dialog.get_by_role("button", name="Poista", exact=True).click()
    expect(ahmad.locator("#room-error")).to_contain_text("poistettu")
    expect(mod.locator("#presence")).not_to_contain_text("أحمد")
    for p in (mod, liisa, ahmad):
        p.context.close()
