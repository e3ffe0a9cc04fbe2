"""The idea round through the Flask test client: set-up, taking part, bad input, moderation."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import func, select

from kuulas import scheduler
from kuulas.clock import utcnow
from kuulas.extensions import db
from deliberation.ideas import api, services
from deliberation.ideas.models import CLOSED, OPEN, Idea, IdeaComment, IdeaFlag, IdeaVote


def ideas_of(round_id):
    return list(db.session.scalars(select(Idea).where(Idea.round_id == round_id).order_by(Idea.id)))


def vote_rows():
    return db.session.scalar(select(func.count()).select_from(IdeaVote))


def test_staff_create_round_through_form_and_job_opens_and_closes(app, client, login, preparer):
    login(preparer)
    now = utcnow()
    form = {
        "title_fi": "Kotihoito", "title_sv": "Hemvård", "question_fi": "Mitä toivot?", "question_sv": "Vad önskar du?",
        "opens_at": "2020-01-01T10:00", "closes_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "moderation": "post", "comments_enabled": "y", "max_length": "400", "publish": "y",
        "confirm_publish": "y", "subthemes_fi": "Arki\nDigi", "subthemes_sv": "Vardag\nDigitalt",
    }
    r = client.post("/hallinta/ideariihi/uusi", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)
    round_ = services.rounds()[0]
    assert round_.state == OPEN  # opening time in the past: open at once
    assert round_.subthemes[1] == {"fi": "Digi", "sv": "Digitalt"}
    assert round_.max_length == 400

    # Missing Swedish question: clear error, nothing saved.
    bad = dict(form, question_sv="")
    r = client.post("/hallinta/ideariihi/uusi", data=bad)
    assert r.status_code == 400
    assert len(services.rounds()) == 1

    scheduler.run_job(app, "ideas.rounds", round_.closes_at + timedelta(minutes=1))
    db.session.expire_all()
    assert db.session.get(type(round_), round_.id).state == CLOSED
    # Idempotent: a second run changes nothing.
    assert scheduler.run_job(app, "ideas.rounds", round_.closes_at + timedelta(minutes=2)) == "opened 0, closed 0"


def test_scheduled_round_opens_by_job(app, make_round):
    round_ = make_round(opens_at=utcnow() + timedelta(hours=2))
    assert round_.state == "scheduled"
    scheduler.run_job(app, "ideas.rounds", utcnow() + timedelta(hours=3))
    db.session.expire_all()
    assert db.session.get(type(round_), round_.id).state == OPEN


def test_participate_write_vote_comment(app, open_round, participant_client):
    a = participant_client(open_round.id)
    b = participant_client(open_round.id)
    r = a.post(f"/ideariihi/{open_round.id}/ideat", data={"text": "Lisää <script>alert(1)</script> iltakäyntejä"})
    assert r.status_code == 302
    idea = ideas_of(open_round.id)[0]
    page = b.get(f"/ideariihi/{open_round.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    # b is dealt a's idea and votes; a double click leaves one row.
    assert f'name="idea_id" value="{idea.public_id}"' in page
    for _ in range(2):
        assert b.post(f"/ideariihi/{open_round.id}/aani", data={"idea_id": idea.public_id, "value": "agree"}).status_code == 302
    assert vote_rows() == 1
    # changing the vote changes the row, not the count of rows
    b.post(f"/ideariihi/{open_round.id}/aani", data={"idea_id": idea.public_id, "value": "disagree"})
    assert vote_rows() == 1 and services.idea_counts(idea.id).disagree == 1
    # JSON vote from ideas.js: the next idea, and no counts (they come in batches)
    r = a.post(f"/ideariihi/{open_round.id}/aani", data={"idea_id": idea.public_id, "value": "pass"},
               headers={"X-Requested-With": "ideas.js", "Accept": "application/json"})
    assert r.status_code == 200 and "counts" not in r.json and r.json["idea_id"] == idea.public_id
    assert r.json["next"] is None
    # comment
    r = b.post(f"/ideariihi/{open_round.id}/ideat/{idea.public_id}/kommentit", data={"text": "Hyvä ajatus!"})
    assert r.status_code == 302
    assert "Hyvä ajatus!" in a.get(f"/ideariihi/{open_round.id}/ideat/{idea.public_id}").get_data(as_text=True)


def test_bad_input_is_refused_and_nothing_saved(app, open_round, participant_client):
    a = participant_client(open_round.id)
    url = f"/ideariihi/{open_round.id}/ideat"
    r = a.post(url, data={"text": "   "})
    assert r.status_code == 400
    r = a.post(url, data={"text": "x" * 301})
    assert r.status_code == 400 and "301" in r.get_data(as_text=True)
    assert ideas_of(open_round.id) == []
    # honeypot
    assert a.post(url, data={"text": "Bottiteksti täällä", "website": "http://spam"}).status_code == 400
    assert ideas_of(open_round.id) == []
    # unknown vote value, unknown idea
    assert a.post(f"/ideariihi/{open_round.id}/aani", data={"idea_id": "A" * 12, "value": "maybe"}).status_code == 400
    assert a.post(f"/ideariihi/{open_round.id}/aani", data={"idea_id": "A" * 12, "value": "agree"}).status_code == 404


def test_forged_and_missing_token(app, open_round, participant_client):
    fresh = app.test_client()
    r = fresh.post(f"/ideariihi/{open_round.id}/ideat", data={"text": "Ilman avainta kirjoitettu"})
    assert r.status_code == 400 and "evästeet" in r.get_data(as_text=True)
    assert any(c.startswith("kuulas_idea_") for c in r.headers.get("Set-Cookie", "").split(";")[0:1])
    forged = app.test_client()
    forged.set_cookie(f"kuulas_idea_{open_round.id}", "v1.madeuptoken.0123456789abcdef0123456789abcdef",
                      path=f"/ideariihi/{open_round.id}")
    r = forged.post(f"/ideariihi/{open_round.id}/ideat", data={"text": "Väärennetyllä avaimella"})
    assert r.status_code == 400 and "ei ollut kelvollinen" in r.get_data(as_text=True)
    assert ideas_of(open_round.id) == []


def test_after_closing_nothing_is_written_even_before_the_job(app, open_round, participant_client):
    a = participant_client(open_round.id)
    b = participant_client(open_round.id)
    a.post(f"/ideariihi/{open_round.id}/ideat", data={"text": "Ennen sulkemista"})
    idea = ideas_of(open_round.id)[0]
    # The clock passes closes_at; the job has not run (state is still open).
    open_round.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert open_round.state == OPEN
    r = b.post(f"/ideariihi/{open_round.id}/aani", data={"idea_id": idea.public_id, "value": "agree"})
    assert r.status_code == 403 and "Kierros on päättynyt" in r.get_data(as_text=True)
    assert a.post(f"/ideariihi/{open_round.id}/ideat", data={"text": "Sulkemisen jälkeen"}).status_code == 403
    assert a.post(f"/ideariihi/{open_round.id}/ideat/{idea.public_id}/muokkaa", data={"text": "Muutettu"}).status_code == 403
    assert vote_rows() == 0 and len(ideas_of(open_round.id)) == 1


def test_edit_and_delete_own_only(app, open_round, participant_client):
    a = participant_client(open_round.id)
    b = participant_client(open_round.id)
    a.post(f"/ideariihi/{open_round.id}/ideat", data={"text": "Alkuperäinen idea"})
    idea = ideas_of(open_round.id)[0]
    # Someone else's idea is "not there" (404), the same as a missing one: no oracle.
    assert b.post(f"/ideariihi/{open_round.id}/ideat/{idea.public_id}/muokkaa", data={"text": "Kaapattu"}).status_code == 404
    assert b.post(f"/ideariihi/{open_round.id}/ideat/{idea.public_id}/poista", data={"confirm": "1"}).status_code == 404
    r = a.post(f"/ideariihi/{open_round.id}/ideat/{idea.public_id}/muokkaa", data={"text": "Muokattu idea"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).text == "Muokattu idea"
    # Deleting asks first (a server-rendered step), then deletes.
    r = a.post(f"/ideariihi/{open_round.id}/ideat/{idea.public_id}/poista")
    assert r.status_code == 200 and 'name="confirm" value="1"' in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == "visible"
    assert a.post(f"/ideariihi/{open_round.id}/ideat/{idea.public_id}/poista", data={"confirm": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == "withdrawn"
    assert "Muokattu idea" not in b.get(f"/ideariihi/{open_round.id}").get_data(as_text=True)


def test_flag_hide_restore_and_moderators_see_no_authors(app, client, login, moderator, open_round, participant_client):
    a = participant_client(open_round.id)
    b = participant_client(open_round.id)
    a.post(f"/ideariihi/{open_round.id}/ideat", data={"text": "Asiaton idea tässä"})
    idea = ideas_of(open_round.id)[0]
    b.post(f"/ideariihi/{open_round.id}/aani", data={"idea_id": idea.public_id, "value": "disagree"})
    for _ in range(2):  # a second report by the same participant adds nothing
        r = b.post(f"/ideariihi/{open_round.id}/ideat/{idea.public_id}/ilmianna", data={"reason": "offensive", "detail": "loukkaava"})
        assert r.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(IdeaFlag)) == 1
    login(moderator)
    page = client.get(f"/hallinta/ideariihi/{open_round.id}").get_data(as_text=True)
    assert "loukkaava" in page and "Asiaton idea" in page
    assert idea.author_hash not in page
    r = client.post(f"/hallinta/ideariihi/{open_round.id}/moderoi",
                    data={"kind": "idea", "item_id": idea.public_id, "action": "hide", "reason": "Asiaton kielenkäyttö"})
    assert r.status_code == 302
    public = b.get(f"/ideariihi/{open_round.id}").get_data(as_text=True)
    assert "Asiaton kielenkäyttö" in public and "Asiaton idea tässä" not in public
    # voting on a hidden idea: a clear conflict, counts unchanged
    r = b.post(f"/ideariihi/{open_round.id}/aani", data={"idea_id": idea.public_id, "value": "agree"})
    assert r.status_code == 409
    assert services.idea_counts(idea.id).disagree == 1 and services.idea_counts(idea.id).agree == 0
    # hide without a reason is refused
    r = client.post(f"/hallinta/ideariihi/{open_round.id}/moderoi",
                    data={"kind": "idea", "item_id": idea.public_id, "action": "hide", "reason": ""})
    assert r.status_code == 400
    client.post(f"/hallinta/ideariihi/{open_round.id}/moderoi", data={"kind": "idea", "item_id": idea.public_id, "action": "restore"})
    assert "Asiaton idea tässä" in b.get(f"/ideariihi/{open_round.id}").get_data(as_text=True)


def test_pre_moderation_nothing_public_before_approval(app, client, login, moderator, make_round, participant_client):
    round_ = make_round(moderation="pre")
    a = participant_client(round_.id)
    b = participant_client(round_.id)
    a.post(f"/ideariihi/{round_.id}/ideat", data={"text": "Odottaa hyväksyntää"})
    idea = ideas_of(round_.id)[0]
    assert idea.status == "pending"
    assert "Odottaa hyväksyntää" in a.get(f"/ideariihi/{round_.id}").get_data(as_text=True)  # the author sees it
    assert "Odottaa hyväksyntää" not in b.get(f"/ideariihi/{round_.id}").get_data(as_text=True)
    assert "Odottaa hyväksyntää" not in b.get(f"/ideariihi/{round_.id}/ideat.json").get_data(as_text=True)
    assert b.get(f"/ideariihi/{round_.id}/ideat/{idea.public_id}").status_code == 404
    assert b.post(f"/ideariihi/{round_.id}/aani", data={"idea_id": idea.public_id, "value": "agree"}).status_code == 404
    login(moderator)
    client.post(f"/hallinta/ideariihi/{round_.id}/moderoi", data={"kind": "idea", "item_id": idea.public_id, "action": "approve"})
    assert "Odottaa hyväksyntää" in b.get(f"/ideariihi/{round_.id}").get_data(as_text=True)


def test_comments_off(app, make_round, participant_client):
    round_ = make_round(comments_enabled=False)
    a = participant_client(round_.id)
    a.post(f"/ideariihi/{round_.id}/ideat", data={"text": "Ei kommentteja tähän"})
    idea = ideas_of(round_.id)[0]
    r = a.post(f"/ideariihi/{round_.id}/ideat/{idea.public_id}/kommentit", data={"text": "Yritän silti"})
    assert r.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(IdeaComment)) == 0


def test_results_exports_and_api(app, client, login, preparer, open_round, participant_client):
    clients = [participant_client(open_round.id) for _ in range(3)]
    texts = ["=HYPERLINK(\"http://evil\")", "+1 lisää hoitajia", "Tavallinen idea"]
    for c, t in zip(clients, texts):
        assert c.post(f"/ideariihi/{open_round.id}/ideat", data={"text": t}).status_code == 302
    ideas = ideas_of(open_round.id)
    for c in clients:
        for idea in ideas:
            c.post(f"/ideariihi/{open_round.id}/aani", data={"idea_id": idea.public_id, "value": "agree"})
    login(preparer)
    client.post(f"/hallinta/ideariihi/{open_round.id}/ideat/{ideas[2].public_id}/teemat", data={"tags": "Henkilöstö, Arki"})
    r = client.get(f"/hallinta/ideariihi/{open_round.id}/vienti.csv")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    body = {row[2] for row in rows[1:]}
    assert "'=HYPERLINK(\"http://evil\")" in body and "'+1 lisää hoitajia" in body
    assert sum(int(row[5]) for row in rows[1:]) == 9
    for idea in ideas:
        assert idea.author_hash not in r.get_data(as_text=True)
    r = client.get(f"/hallinta/ideariihi/{open_round.id}/vienti.xlsx")
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(r.data))
    cells = [c.value for row in wb.worksheets[0].iter_rows() for c in row]
    assert "'=HYPERLINK(\"http://evil\")" in cells
    assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    data = api.round_outcome_data(open_round.id, "fi")
    assert data["participants"] == 3 and data["ideas"] == 3 and data["votes"] == 9
    assert data["top_ideas"][0]["agree"] == 3 and not data["closed"]
    assert "Tavallinen idea" in data["summary_markdown"]
    assert any("Henkilöstö" in i["themes"] for i in data["top_ideas"])
    services.close_now(open_round.id, actor=preparer, now=utcnow())
    assert api.finished_rounds() == [{"id": open_round.id, "title": "Tulevaisuuden kotihoito"}]
    assert client.get(f"/ideariihi/{open_round.id}/tulokset").status_code == 200


def test_notify_recipients_are_unlinked_and_forgotten(app, open_round, participant_client):
    a = participant_client(open_round.id)
    a.post("/kieli/sv")
    r = a.post(f"/ideariihi/{open_round.id}/ilmoitus", data={"email": "asukas@example.fi"})
    assert r.status_code == 302
    r = a.post(f"/ideariihi/{open_round.id}/ilmoitus", data={"email": "ASUKAS@example.fi"}, follow_redirects=True)
    assert r.status_code == 200 and "on jo listalla" in r.get_data(as_text=True)
    assert a.post(f"/ideariihi/{open_round.id}/ilmoitus", data={"email": "not-an-address"}).status_code == 400
    assert api.notify_recipients(open_round.id) == [("asukas@example.fi", "fi")]
    assert api.forget_notify_recipients(open_round.id) == 1
    assert api.notify_recipients(open_round.id) == []


def test_staff_pages_need_roles(app, client, login, make_resident, open_round):
    assert client.get("/hallinta/ideariihi/").status_code == 302
    login(make_resident())
    assert client.get("/hallinta/ideariihi/").status_code == 403
    assert client.get(f"/hallinta/ideariihi/{open_round.id}/vienti.csv").status_code == 403
    assert client.get(f"/hallinta/ideariihi/{open_round.id}/yhteenveto").status_code == 403


def test_draft_round_is_not_public(app, make_round, client):
    round_ = make_round(publish=False)
    assert client.get(f"/ideariihi/{round_.id}").status_code == 404
    published = make_round()
    assert [r["id"] for r in api.open_rounds(utcnow())] == [published.id]   # the draft is not listed


def test_first_visit_is_dealt_an_idea_at_once(app, open_round, participant_client):
    """A newcomer's very first page load deals an idea; they are never told they have
    voted on everything before they have started."""
    writer = participant_client(open_round.id)
    writer.post(f"/ideariihi/{open_round.id}/ideat", data={"text": "Iltakäyntejä lisää kotihoitoon"})
    idea = ideas_of(open_round.id)[0]
    newcomer = app.test_client()
    page = newcomer.get(f"/ideariihi/{open_round.id}").get_data(as_text=True)
    assert f'name="idea_id" value="{idea.public_id}"' in page
    assert "data-dealt-empty" not in page


def test_vote_request_deals_like_the_round_page(app, open_round, moderator):
    """The vote response's one-query deal offers exactly the candidates the page's deal does:
    visible ideas, not the participant's own, not yet voted on, with the same vote counts."""
    import random

    from deliberation.ideas import reading, services
    from deliberation.ideas.services import Participant
    from kuulas.clock import utcnow

    now = utcnow()
    people = [Participant(open_round.id, f"{i:064x}") for i in range(6)]
    ideas = [services.post_idea(open_round.id, people[i % 3], f"Idea numero {i}", now=now) for i in range(9)]
    services.moderate(open_round.id, "idea", ideas[4].id, "hide", actor=moderator, now=now, reason="Asiaton")
    rng = random.Random(7)
    for p in people:
        for idea in rng.sample(ideas, 4):
            if idea.author_hash != p.hash and idea.id != ideas[4].id:
                services.vote(idea.id, p, rng.choice((-1, 0, 1)), now=now)
    services.publish_counts(now, hold_votes=1)
    live = services.round_counts(open_round.id)
    # The dealer weighs by the published snapshot, which now equals the live totals.
    assert services.deal_counts(open_round.id) == {i: c.total for i, c in live.items()} != {}
    for p in people + [None]:
        counts = services.deal_counts(open_round.id)
        voted = services.my_votes(p)
        index = services.idea_index(open_round.id, p)
        expected = [(i, counts.get(i, 0)) for i, status, mine, _pid in index
                    if status == "visible" and i not in voted and not mine]
        assert reading._candidates(open_round.id, p) == expected
        for seed in range(5):
            slow = services.next_idea(open_round.id, p, counts=counts, voted=voted, index=index,
                                      rng=random.Random(seed))
            fast = services.next_idea(open_round.id, p, rng=random.Random(seed))
            assert (slow and slow.id) == (fast and fast.id)
    assert any(reading._candidates(open_round.id, p) for p in people)


def test_staff_edit_round_keeps_input_on_error(app, client, login, preparer, open_round):
    login(preparer)
    url = f"/hallinta/ideariihi/{open_round.id}/muokkaa"
    page = client.get(url).get_data(as_text=True)
    assert 'value="Tulevaisuuden kotihoito"' in page
    form = {"title_fi": "Kotihoito 2027", "title_sv": "Hemvård 2027", "question_fi": "Mitä toivot?",
            "question_sv": "Vad önskar du?", "opens_at": "2020-01-01T10:00",
            "closes_at": (open_round.closes_at + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "moderation": "post", "comments_enabled": "y", "max_length": "300", "publish": "y"}
    bad = client.post(url, data=dict(form, closes_at="2019-01-01T10:00"))
    assert bad.status_code == 400 and 'value="Kotihoito 2027"' in bad.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(open_round), open_round.id).title["fi"] == "Tulevaisuuden kotihoito"
    assert client.post(url, data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(open_round), open_round.id).title == {"fi": "Kotihoito 2027", "sv": "Hemvård 2027"}


def test_json_vote_deals_the_next_idea_in_the_same_transaction(app, open_round, participant_client):
    """Each JSON vote answers with an idea the voter has not voted on and did not write,
    never the one just voted; after the last one, none.  The deal reads the published
    count snapshot, so no vote count is computed (or shown) per vote."""
    rid = open_round.id
    writers = [participant_client(rid) for _ in range(4)]
    for n, w in enumerate(writers):
        assert w.post(f"/ideariihi/{rid}/ideat", data={"text": f"Ehdotus numero {n} palveluihin"}).status_code == 302
    voter = writers[0]
    own = {i.public_id for i in ideas_of(rid) if i.text.endswith("0 palveluihin")}
    others = {i.public_id for i in ideas_of(rid)} - own
    assert len(own) == 1 and len(others) == 3
    headers = {"X-Requested-With": "ideas.js", "Accept": "application/json"}
    current, voted = sorted(others)[0], set()
    while current is not None:
        r = voter.post(f"/ideariihi/{rid}/aani", data={"idea_id": current, "value": "agree"}, headers=headers)
        assert r.status_code == 200 and r.json["idea_id"] == current and "counts" not in r.json
        voted.add(current)
        nxt = r.json["next"]
        current = nxt and nxt["id"]
        if current is not None:
            assert current in others and current not in voted
            assert nxt["url"].endswith(f"/ideariihi/{rid}/ideat/{current}") and nxt["text"].startswith("Ehdotus")
    assert voted == others and vote_rows() == 3
