"""Done-when for panels, on a phone viewport (390x844) with axe on each page: staff set up
a panel (features and population shares), volunteers register and confirm by the link in
their e-mail, staff publish the pool hash and run the draw, invitees accept and decline,
the invitation job's replacement draw fills the gap, the public report shows, and the CLI
reproduces every draw from the published files."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import assert_accessible
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

VOLUNTEERS = [("female", "young"), ("female", "old"), ("male", "young"), ("male", "old")] * 3


def _outbox(category: str) -> list[str]:
    from kuulas.extensions import db
    from kuulas.mail.models import OutboxMail

    db.session.remove()
    rows = db.session.scalars(select(OutboxMail).where(OutboxMail.category == category)
                              .order_by(OutboxMail.id)).all()
    return [re.search(r"https?://\S+", m.body_text).group(0) for m in rows]


def test_panel_from_setup_to_public_report(app, live_server, new_page, make_staff, tmp_path):
    from kuulas import scheduler
    from kuulas.clock import utcnow

    url = live_server.url
    preparer = make_staff("preparer")

    # --- staff: create the panel -------------------------------------------------------
    staff = new_page()
    staff.goto(f"{url}/kirjaudu/henkilosto")
    staff.fill("input[name=email]", preparer.email)
    staff.fill("input[name=password]", TEST_PASSWORD)
    staff.click("main button[type=submit]")
    staff.goto(f"{url}/hallinta/paneelit/uusi")
    assert_accessible(staff)
    staff.fill("input[name=name_fi]", "Selaintestin asukaspaneeli")
    staff.fill("input[name=name_sv]", "Webbläsartestets invånarpanel")
    staff.fill("textarea[name=description_fi]", "Arvomme neljä jäsentä.")
    staff.fill("textarea[name=description_sv]", "Vi lottar fyra medlemmar.")
    staff.check("input[name=kind][value=resident]")
    staff.fill("input[name=target_size]", "4")
    staff.fill("input[name=recruitment_opens_at]", "2020-01-01T09:00")
    staff.fill("input[name=recruitment_closes_at]", "2099-01-01T09:00")
    staff.fill("input[name=controller]", "Testin hyvinvointialue")
    staff.fill("input[name=retention_days]", "30")
    staff.fill("input[name=invitation_days]", "7")
    staff.click("main form button[type=submit]")
    expect(staff).to_have_url(re.compile(r"/hallinta/paneelit/\d+$"))
    panel_id = int(staff.url.rsplit("/", 1)[1])

    # --- features with population shares ---------------------------------------------
    staff.goto(f"{url}/hallinta/paneelit/{panel_id}/taustamuuttujat")
    for key, fi, sv, cats in [
        ("gender", "Sukupuoli", "Kön", "female | 50 | Nainen | Kvinna | Woman\n"
                                       "male | 50 | Mies | Man | Man"),
        ("age", "Ikäryhmä", "Åldersgrupp", "young | 40 | Alle 50 v | Under 50 år | Under 50\n"
                                           "old | 60 | 50 v tai yli | 50 år eller äldre | 50+"),
    ]:
        staff.fill("input[name=feature-key]", key)
        staff.fill("input[name=feature-label_fi]", fi)
        staff.fill("input[name=feature-label_sv]", sv)
        staff.fill("textarea[name=feature-categories]", cats)
        staff.uncheck("input[name=feature-allow_undisclosed]")
        staff.click("form:has(input[name=feature-key]) button[type=submit]")
        expect(staff.locator("main")).to_contain_text(fi)
    assert_accessible(staff)
    staff.goto(f"{url}/hallinta/paneelit/{panel_id}")
    staff.click("form[action$='/julkaise'] button")
    expect(staff.locator("main")).to_contain_text("Julkaistaanko paneeli?")
    assert_accessible(staff)
    staff.click("form:has(input[name=confirm]) button[type=submit]")
    scheduler.run_job(app, "panel.recruitment", utcnow())   # opens recruitment by itself

    # --- volunteers register and confirm ---------------------------------------------
    for i, (gender, age) in enumerate(VOLUNTEERS):
        v = new_page()
        v.goto(f"{url}/paneelit/{panel_id}")
        if i == 0:
            assert_accessible(v)
        v.fill("input[name=email]", f"Vapaaehtoinen.{i}@Example.fi")
        v.fill("input[name=display_name]", f"Vapaaehtoinen {i}")
        v.check(f"input[name=f_gender][value={gender}]")
        v.check(f"input[name=f_age][value={age}]")
        v.check("input[name=consent]")
        v.click("main form button[type=submit]")
        expect(v.locator("h1")).to_be_visible()
        link = _outbox("panel_confirm")[-1]
        v.goto(link)
        if i == 0:
            assert_accessible(v)
        v.click("main form button[type=submit]")
        expect(v).to_have_url(re.compile(rf"/paneelit/{panel_id}/oma$"))
        if i == 0:
            assert_accessible(v)
        v.context.close()
    assert len(_outbox("panel_confirm")) == len(VOLUNTEERS)

    # --- staff: pool, close recruitment, publish the hash, run the draw -----------------
    staff.goto(f"{url}/hallinta/paneelit/{panel_id}/pooli")
    assert_accessible(staff)
    staff.goto(f"{url}/hallinta/paneelit/{panel_id}")
    staff.click("form[action$='/sulje-rekrytointi'] button")
    staff.click("form:has(input[name=confirm]) button[type=submit]")
    staff.goto(f"{url}/hallinta/paneelit/{panel_id}/arvonta")
    assert_accessible(staff)
    staff.fill("input[name=prepare-seed_source]", "Lotto 6.6.2026, päänumerot")
    staff.click("form:has(input[name=prepare-seed_source]) button[type=submit]")
    staff.click("form:has(input[name=confirm]) button[type=submit]")
    hash_text = staff.locator("code.hash").first.inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", hash_text)
    assert staff.locator("input[name=prepare-seed_source]").count() == 0  # no re-freezing
    staff.fill("input[name=run-seed_value]", "3 8 14 21 27 33 39")
    staff.click("form:has(input[name=run-seed_value]) button[type=submit]")
    staff.click("form:has(input[name=confirm]) button[type=submit]")
    expect(staff.locator("main")).to_contain_text("3 8 14 21 27 33 39")
    assert_accessible(staff)

    # --- invitees accept and decline --------------------------------------------------
    invitations = _outbox("panel_invitation")
    assert len(invitations) == 4
    answers = {}
    for n, link in enumerate(invitations):
        page = new_page()
        page.goto(link)
        if n == 0:
            assert_accessible(page)
        choice = "decline" if n == 1 else "accept"
        if choice == "accept":
            page.fill("#display_name", f"Jäsen {n}")
        page.click(f"button[name=answer][value={choice}]")
        if choice == "decline":   # a server-rendered confirmation step, then an undo offer
            page.click("form:has(input[name=confirm]) button[type=submit]")
            expect(page.locator("button[name=answer][value=undo]")).to_be_visible()
        expect(page.locator("[role=status]").first).to_be_visible()
        if n == 0:
            assert_accessible(page)
        answers[link] = choice
        page.context.close()

    # --- the invitation job's replacement draw fills the declined seat ----------------
    # (after the decline's undo window)
    result = scheduler.run_job(app, "panel.invitations", utcnow() + timedelta(hours=24, minutes=1))
    invitations = _outbox("panel_invitation")
    assert len(invitations) == 5, result
    page = new_page()
    page.goto(invitations[-1])
    page.fill("#display_name", "Varajäsen")
    page.click("button[name=answer][value=accept]")
    expect(page.locator("[role=status]").first).to_be_visible()

    staff.goto(f"{url}/hallinta/paneelit/{panel_id}/kutsut")
    assert_accessible(staff)
    staff.goto(f"{url}/hallinta/paneelit/{panel_id}/jasenet")
    for name in ("Jäsen 0", "Jäsen 2", "Jäsen 3", "Varajäsen"):
        expect(staff.locator("main")).to_contain_text(name)

    # --- the public report ------------------------------------------------------------
    public = new_page()
    public.goto(f"{url}/paneelit/{panel_id}/arvonta")
    main = public.locator("main")
    expect(main.locator("h1")).to_have_text("Valintaraportti")
    expect(main).to_contain_text(hash_text)
    expect(main).to_contain_text("leximin-types")
    expect(main).to_contain_text("3 8 14 21 27 33 39#2")
    expect(main.locator("section.draw")).to_have_count(2)
    assert "@" not in main.inner_text() and "Vapaaehtoinen" not in main.inner_text()
    assert_accessible(public)

    # --- the CLI reproduces both draws from the published files ----------------------
    runner = app.test_cli_runner()
    for number, seed, extra in [(1, "3 8 14 21 27 33 39", []),
                                (2, "3 8 14 21 27 33 39#2", ["pakotetut.csv", "poissuljetut.csv"])]:
        files = {}
        for name in ["pooli.csv", "kiintiot.csv", "paneeli.csv", *extra]:
            response = public.request.get(f"{url}/paneelit/{panel_id}/arvonta/{number}/{name}")
            assert response.ok
            files[name] = tmp_path / f"{number}-{name}"
            files[name].write_text(response.text())
        # The full file is the auditor's (staff download), never public.
        response = staff.request.get(f"{url}/hallinta/paneelit/{panel_id}/arvonta/{number}/tarkastus/pooli-tarkastaja.csv")
        assert response.ok
        files["full"] = tmp_path / f"{number}-full.csv"
        files["full"].write_text(response.text())
        args = ["panel", "select", "--people", str(files["full"]), "--quotas",
                str(files["kiintiot.csv"]), "--size", "4", "--seed", seed,
                "--out", str(tmp_path / f"{number}-out.csv")]
        if extra:
            args += ["--forced", str(files["pakotetut.csv"]),
                     "--excluded", str(files["poissuljetut.csv"])]
        out = runner.invoke(args=args)
        assert out.exit_code == 0, out.output
        assert (tmp_path / f"{number}-out.csv").read_text() == files["paneeli.csv"].read_text()
