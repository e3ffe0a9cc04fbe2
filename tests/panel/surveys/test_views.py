"""Survey pages over HTTP: the staff builder and results, the member's answer page."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from kuulas.clock import utcnow
from kuulas.extensions import db
from panel.surveys import services
from panel.surveys.models import Survey, SurveyResponse

from .helpers import join, send, standing_panel, survey, token_for


def _setup(app, make_staff, login, client, n=6):
    staff = make_staff("preparer")
    now = utcnow()
    panel = standing_panel(staff, now=now - timedelta(days=1))
    people = [join(panel, i, gender="female" if i % 2 else "male", age="young" if i % 3 else "old",
                   now=now - timedelta(days=1)) for i in range(n)]
    login(staff)
    return staff, panel, people, now


def test_staff_build_a_survey_through_the_pages(app, client, make_staff, login):
    staff, panel, people, now = _setup(app, make_staff, login, client)
    r = client.get("/hallinta/kyselyt/uusi")
    assert r.status_code == 200 and 'name="title_fi"' in r.get_data(as_text=True)
    r = client.post("/hallinta/kyselyt/uusi", data={"panel_id": panel.id, "title_fi": "", "audience": "panel",
                                                     "reminder_days": 3})
    assert r.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 0
    r = client.post("/hallinta/kyselyt/uusi", data={"panel_id": panel.id, "title_fi": "Kysely", "audience": "panel",
                                                     "weighting": ["gender", "age"], "reminder_days": 3})
    assert r.status_code == 302
    s = db.session.scalar(select(Survey))
    r = client.post(f"/hallinta/kyselyt/{s.id}/kysymykset", data={"kind": "single", "text_fi": "Valitse",
                                                                  "options_fi": "Yksi"})
    assert r.status_code == 400 and "Valitse" in r.get_data(as_text=True)
    r = client.post(f"/hallinta/kyselyt/{s.id}/kysymykset", data={"kind": "single", "text_fi": "Valitse",
                                                                  "options_fi": "Yksi\nKaksi", "required": "y"})
    assert r.status_code == 302
    assert client.get(f"/hallinta/kyselyt/{s.id}").status_code == 200
    assert client.get(f"/hallinta/kyselyt/{s.id}/esikatselu").status_code == 200
    closes = (now + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(f"/hallinta/kyselyt/{s.id}/ajoita", data={"closes_at": closes})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Survey, s.id).state == "open"
    page = client.get(f"/hallinta/kyselyt/{s.id}").get_data(as_text=True)
    assert "Lähetetty 6 jäsenelle" in page
    # Results are not shown while the survey is open.
    r = client.get(f"/hallinta/kyselyt/{s.id}/tulokset")
    assert r.status_code == 303


def test_member_answers_without_signing_in(app, client, make_staff, login):
    staff, panel, people, now = _setup(app, make_staff, login, client)
    s = send(staff, survey(staff, panel, now=now), now=now)
    client.post("/kirjaudu/ulos")
    anon = app.test_client()
    tok = token_for(app, s, people[0])
    url = f"/paneelit/kysely/{s.id}/{tok}"
    page = anon.get(url)
    assert page.status_code == 200 and "Oletko tyytyväinen?" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    q = {x.kind: x.id for x in s.questions}
    r = anon.post(url, data={f"q{q['single']}": "9", f"q{q['text']}": "kesken"})
    assert r.status_code == 400 and "kesken" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0
    r = anon.post(url, data={f"q{q['single']}": "2", "action": "save"})
    assert r.status_code == 303
    assert 'value="2" checked' in anon.get(url).get_data(as_text=True)
    r = anon.post(url, data={f"q{q['single']}": "1", f"q{q['text']}": "Soita 040 765 4321", "action": "submit"})
    assert r.status_code == 200 and "040 765 4321" not in r.get_data(as_text=True)
    assert anon.get(f"/paneelit/kysely/{s.id}/{'a' * 32}").status_code == 404
    services.close(s.id, actor=staff, now=now)
    db.session.commit()
    r = anon.get(url)
    assert r.status_code == 410


def test_results_page_exports_and_publish(app, client, make_staff, login):
    staff, panel, people, now = _setup(app, make_staff, login, client, n=8)
    s = send(staff, survey(staff, panel, now=now), now=now)
    from panel.surveys import answering

    for i, person in enumerate(people):
        q = {x.kind: x.id for x in s.questions}
        answering.save(s.id, token_for(app, s, person), {f"q{q['single']}": ["1" if i < 6 else "2"],
                                                          f"q{q['scale']}": [str(1 + i % 5)],
                                                          f"q{q['number']}": [str(i)],
                                                          f"q{q['text']}": ["Hyvä"]}, submit=True, now=now)
    services.close(s.id, actor=staff, now=now)
    db.session.commit()
    page = client.get(f"/hallinta/kyselyt/{s.id}/tulokset")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "alle 5" in html and "<svg" in html and "<table" in html and "95 %:n luottamusväli" in html
    for fmt, marker in (("csv", b"\xef\xbb\xbf"), ("xlsx", b"PK"), ("pdf", b"%PDF")):
        r = client.get(f"/hallinta/kyselyt/{s.id}/tulokset.{fmt}")
        assert r.status_code == 200 and r.data.startswith(marker), fmt
        assert b"member0@example.fi" not in r.data
    texts = client.get(f"/hallinta/kyselyt/{s.id}/tulokset/{s.questions[3].id}/vastaukset")
    assert texts.status_code == 200 and "Hyvä" in texts.get_data(as_text=True)
    r = client.post(f"/hallinta/kyselyt/{s.id}/julkaise")
    assert r.status_code == 303 and "/hallinta/tulokset/" in r.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Survey, s.id).state == "published"
    assert client.get(r.headers["Location"]).status_code == 200
    # The outcome draft shows who answered against the population, as the survey published
    # it: already suppressed, never a count under 5.
    from deliberation.outcomes.models import Outcome

    outcome = db.session.scalar(select(Outcome).where(Outcome.source_kind == "surveys"))
    published = db.session.get(Survey, s.id).published_results["composition"]
    assert outcome.composition and [f["feature"] for f in outcome.composition] == [f["feature"] for f in published]
    for feature, source in zip(outcome.composition, published):
        assert [c["suppressed"] for c in feature["categories"]] == [r["suppressed"] for r in source["rows"]]
        assert all(c["count"] is None or c["count"] == 0 or c["count"] >= 5 for c in feature["categories"])
        assert any(c["population_share"] for c in feature["categories"])


def test_moderators_and_residents_see_no_survey_pages(app, client, make_staff, make_resident, login):
    staff, panel, people, now = _setup(app, make_staff, login, client)
    s = survey(staff, panel, now=now)
    for who in (make_staff("moderator"), make_resident()):
        c = app.test_client()
        login(who, c)
        for url in ("/hallinta/kyselyt", f"/hallinta/kyselyt/{s.id}", f"/hallinta/kyselyt/{s.id}/tulokset",
                    f"/hallinta/kyselyt/{s.id}/tulokset.csv"):
            assert c.get(url).status_code == 403, url


def test_a_member_asks_for_their_link_again(app, client, make_staff, login):
    from kuulas.accounts.models import Account
    from kuulas.mail.models import OutboxMail

    staff, panel, people, now = _setup(app, make_staff, login, client, n=2)
    s = send(staff, survey(staff, panel, now=now), now=now)
    member = app.test_client()
    login(db.session.get(Account, people[0].account_id), member)
    before = db.session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.recipient == people[0].email, OutboxMail.category == "panel-survey"))
    r = member.post(f"/paneelit/kysely/{s.id}/linkki")
    assert r.status_code == 303
    mails = db.session.scalars(select(OutboxMail).where(
        OutboxMail.recipient == people[0].email, OutboxMail.category == "panel-survey")).all()
    assert len(mails) == before + 1 and token_for(app, s, people[0]) in mails[-1].body_text
    # Someone who is not a member of the panel gets nothing.
    stranger = app.test_client()
    login(make_staff("moderator"), stranger)
    assert stranger.post(f"/paneelit/kysely/{s.id}/linkki").status_code == 403


def test_staff_edit_and_reorder_questions_until_sent(app, client, make_staff, login):
    staff, panel, people, now = _setup(app, make_staff, login, client)
    s = survey(staff, panel, now=now, questions=False)
    base = f"/hallinta/kyselyt/{s.id}/kysymykset"
    for text in ("Ensimmäinen kysymys", "Toinen kysymys", "Kolmas kysymys"):
        assert client.post(base, data={"kind": "text", "text_fi": text}).status_code == 302
    db.session.expire_all()
    q1, q2, q3 = (q.id for q in db.session.get(Survey, s.id).questions)

    def order():
        db.session.expire_all()
        return [q.text_fi for q in db.session.get(Survey, s.id).questions]

    # The edit page is filled from the question; a bad change keeps what was typed and saves nothing.
    page = client.get(f"{base}/{q2}").get_data(as_text=True)
    assert "Toinen kysymys</textarea>" in page and "Muokkaa kysymystä 2" in page
    r = client.post(f"{base}/{q2}", data={"kind": "single", "text_fi": "Mikä vaihtoehto?", "options_fi": "Vain yksi"})
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    assert "Mikä vaihtoehto?</textarea>" in body and "Vain yksi</textarea>" in body
    assert order() == ["Ensimmäinen kysymys", "Toinen kysymys", "Kolmas kysymys"]
    r = client.post(f"{base}/{q2}", data={"kind": "single", "text_fi": "Mikä vaihtoehto?", "text_sv": "Vilket alternativ?",
                                          "options_fi": "Yksi\nKaksi", "options_sv": "Ett\nTvå", "required": "y"})
    assert r.status_code == 302
    db.session.expire_all()
    edited = db.session.get(Survey, s.id).questions[1]
    assert (edited.id, edited.kind, edited.text_sv, edited.required) == (q2, "single", "Vilket alternativ?", True)
    assert [(o["fi"], o["sv"]) for o in edited.options] == [("Yksi", "Ett"), ("Kaksi", "Två")]
    # Reordering: up, down, and a refused move past the end (nothing changes).
    assert client.post(f"{base}/{q3}/siirra", data={"suunta": "ylos"}).status_code == 303
    assert order() == ["Ensimmäinen kysymys", "Kolmas kysymys", "Mikä vaihtoehto?"]
    assert client.post(f"{base}/{q1}/siirra", data={"suunta": "alas"}).status_code == 303
    assert order() == ["Kolmas kysymys", "Ensimmäinen kysymys", "Mikä vaihtoehto?"]
    r = client.post(f"{base}/{q3}/siirra", data={"suunta": "ylos"}, follow_redirects=True)
    assert "Kysymys on jo ensimmäinen." in r.get_data(as_text=True)
    assert client.post(f"{base}/{q3}/siirra", data={"suunta": "sivulle"}).status_code == 303
    assert order() == ["Kolmas kysymys", "Ensimmäinen kysymys", "Mikä vaihtoehto?"]
    # Another survey's question is not there.
    other = survey(staff, panel, now=now, questions=False)
    assert client.get(f"/hallinta/kyselyt/{other.id}/kysymykset/{q1}").status_code == 404
    # Once sent, questions no longer change.
    send(staff, s, now=now)
    r = client.post(f"{base}/{q1}", data={"kind": "text", "text_fi": "Myöhäinen muutos"})
    assert r.status_code == 303
    assert client.post(f"{base}/{q1}/siirra", data={"suunta": "alas"}).status_code == 303
    assert order() == ["Kolmas kysymys", "Ensimmäinen kysymys", "Mikä vaihtoehto?"]
    assert "Muokkaa kysymystä" not in client.get(f"/hallinta/kyselyt/{s.id}").get_data(as_text=True)
