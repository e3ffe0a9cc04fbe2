"""Trust fixes from the residents' / moderators' / attacker's audit: each test names the
item it covers (batched counts, small groups, public ids and order, idempotent creates,
out-of-range input, confirmation steps, plural forms, bidi isolation)."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import func, select

from kuulas.clock import utcnow
from kuulas.extensions import db, socketio
from kuulas.scheduler import run_job
from deliberation.ideas import anonymity, api, clustering, results, services
from deliberation.ideas.models import Idea, IdeaComment, IdeaNotifyRequest, IdeaRound

PUBLIC_ID = re.compile(r"^[A-Za-z0-9]{12}$")


def _post_idea(client, round_id, text):
    r = client.post(f"/ideariihi/{round_id}/ideat", data={"text": text})
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    return db.session.scalar(select(Idea).where(Idea.text == text))


def _counts_events(watcher):
    return [e["args"][0] for e in watcher.get_received("/ideas") if e["name"] == "counts"]


# --- 2. nobody can watch single votes ---------------------------------------------------------

def test_votes_reach_the_live_stream_only_in_batches_of_totals(app, open_round, participant_client):
    a = participant_client(open_round.id)
    idea = _post_idea(a, open_round.id, "Idea jonka ääniä seurataan")
    watcher = socketio.test_client(app, namespace="/ideas", auth={"round": open_round.id})
    watcher.get_received("/ideas")
    voters = [participant_client(open_round.id) for _ in range(6)]
    for n, c in enumerate(voters):
        c.post(f"/ideariihi/{open_round.id}/aani", data={"idea_id": idea.public_id,
                                                          "value": ("agree", "disagree", "pass")[n % 3]})
    assert _counts_events(watcher) == []            # six votes, not one event each
    # The pages show the last published totals, not the live ones.
    assert a.get(f"/ideariihi/{open_round.id}/ideat.json").json["ideas"][0]["agree"] == 0
    now = utcnow()
    run_job(app, "ideas.counts", now)
    events = _counts_events(watcher)
    assert events == [{"ideas": [{"id": idea.public_id, "agree": 2, "disagree": 2, "pass": 2}]}]
    assert a.get(f"/ideariihi/{open_round.id}/ideat.json").json["ideas"][0]["agree"] == 2
    # Nothing new: no event.  One more vote: held back (too few to hide among) ...
    run_job(app, "ideas.counts", now + timedelta(seconds=5))
    assert _counts_events(watcher) == []
    participant_client(open_round.id).post(f"/ideariihi/{open_round.id}/aani",
                                           data={"idea_id": idea.public_id, "value": "agree"})
    run_job(app, "ideas.counts", now + timedelta(seconds=10))
    run_job(app, "ideas.counts", now + timedelta(seconds=40))
    assert _counts_events(watcher) == []
    # ... until enough others join it, or the longer delay has passed since it was seen.
    run_job(app, "ideas.counts", now + timedelta(seconds=10 + services.HOLD_MAX_SECONDS))
    assert _counts_events(watcher) == [{"ideas": [{"id": idea.public_id, "agree": 3, "disagree": 2, "pass": 2}]}]
    watcher.disconnect(namespace="/ideas")


def test_vote_response_and_pages_carry_no_live_counts(app, open_round, participant_client):
    a = participant_client(open_round.id)
    idea = _post_idea(a, open_round.id, "Idea jonka laskuri pysyy")
    b = participant_client(open_round.id)
    r = b.post(f"/ideariihi/{open_round.id}/aani", data={"idea_id": idea.public_id, "value": "agree"},
               headers={"X-Requested-With": "ideas.js", "Accept": "application/json"})
    assert r.status_code == 200 and "counts" not in r.json
    page = a.get(f"/ideariihi/{open_round.id}/ideat/{idea.public_id}").get_data(as_text=True)
    assert 'data-count="agree"' in page and ">0 " in page and ">1 " not in page
    # Once closed, the final counts are shown.
    open_round.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    run_job(app, "ideas.rounds", utcnow())
    assert a.get(f"/ideariihi/{open_round.id}/ideat.json").json["ideas"][0]["agree"] == 1


# --- 3. small opinion groups are never shown -------------------------------------------------

def _matrix_with_an_outlier():
    # The outlier stands alone, but clearly nearer the second group's centre than the first's
    # (an outlier equally far from both left the merge to rounding).
    rows = ([[1, 1, 1, 1, -1, -1, 1]] * 8 + [[-1, -1, -1, -1, 1, 1, -1]] * 7
            + [[1, 1, 1, -1, 1, 1, -1]])
    return np.array(rows, dtype=float)


def test_clustering_merges_groups_below_the_minimum():
    ids = list(range(1, 8))
    unmerged = clustering.analyse(_matrix_with_an_outlier(), ids, min_group=1)
    assert sorted(g.size for g in unmerged.groups) == [1, 7, 8]      # what used to be published
    merged = clustering.analyse(_matrix_with_an_outlier(), ids)
    points = clustering.project(_matrix_with_an_outlier())
    to_first = np.linalg.norm(points[15] - points[:8].mean(axis=0))
    to_second = np.linalg.norm(points[15] - points[8:15].mean(axis=0))
    assert to_second < 0.9 * to_first
    assert sorted(g.size for g in merged.groups) == [8, 8]             # 7 + the outlier, and 8
    assert min(g.size for g in merged.groups) >= clustering.MIN_GROUP
    labels = clustering.merge_small_groups(np.zeros((3, 2)), np.array([0, 1, 2]), 5)
    assert len(set(labels.tolist())) == 1                             # all small: one group


def _round_with_outlier(app, preparer):
    from tests.ideas.conftest import round_data

    now = utcnow()
    round_ = services.create_round(round_data(), actor=preparer, now=now, publish=True)
    db.session.commit()
    key = anonymity.round_key(app.config["SECRET_KEY"], round_.id)
    people = [services.Participant(round_.id, anonymity.participant_hash(key, f"p{n}")) for n in range(16)]
    ideas = [services.post_idea(round_.id, people[n], f"Mielipideidea numero {n}", now=now) for n in range(7)]
    db.session.commit()
    public = [i.public_id for i in ideas]
    for n, row in enumerate(_matrix_with_an_outlier()):
        for j, value in enumerate(row):
            if ideas[j].author_hash != people[n].hash:
                services.vote(public[j], people[n], int(value), now=now)
    return round_, now


def test_every_output_shows_only_groups_of_the_minimum_size(app, client, login, preparer, make_staff):
    round_, now = _round_with_outlier(app, preparer)
    rid = round_.id
    res = results.compute(rid)
    sizes = [g["size"] for g in res.groups]
    assert sizes and min(sizes) >= clustering.MIN_GROUP and sum(sizes) == res.clustered
    login(preparer)
    # Staff summary (also before closing), CSV and XLSX exports.
    summary = client.get(f"/hallinta/ideariihi/{rid}/yhteenveto").get_data(as_text=True)
    shown = [int(n) for n in re.findall(r'data-group="[A-Z]">\s*<h3>[^<]*: (\d+)', summary)]
    assert sorted(shown) == sorted(sizes)
    assert len(re.findall(r"data-group=", summary)) == len(sizes)
    rows = list(csv.reader(io.StringIO(client.get(f"/hallinta/ideariihi/{rid}/vienti.csv")
                                       .get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert sum(1 for h in rows[0] if "(%)" in h) == len(sizes)
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(client.get(f"/hallinta/ideariihi/{rid}/vienti.xlsx").data))
    group_rows = [r for r in wb.worksheets[1].iter_rows(min_row=2, values_only=True) if r[0] != "kaikki"]
    assert group_rows and all(r[1] >= clustering.MIN_GROUP for r in group_rows)
    # The summary draft, the outcomes API.
    summary_sizes = [int(n) for n in re.findall(r"\((\d+) osallistuja", results.summary_markdown(res, "fi"))]
    assert sorted(summary_sizes) == sorted(sizes) and all(n >= clustering.MIN_GROUP for n in summary_sizes)
    data = api.round_outcome_data(rid, "fi")
    assert [g["size"] for g in data["groups"]] == sizes
    # The public results page once closed.
    services.close_now(rid, actor=preparer, now=utcnow())
    db.session.commit()
    page = client.get(f"/ideariihi/{rid}/tulokset").get_data(as_text=True)
    assert len(re.findall(r"data-group=", page)) == len(sizes)


def test_outcome_pages_withhold_a_small_group_from_an_old_snapshot(app):
    """An outcome stored before the rule may still hold a one-person group: the outcome
    page, API and documents (all through ``present.groups``) leave it out entirely."""
    from types import SimpleNamespace

    from deliberation.outcomes import present

    o = SimpleNamespace(results={"groups": [
        {"label": "A", "size": 9, "distinctive": ["yhteinen"]},
        {"label": "B", "size": 7, "distinctive": ["toinen"]},
        {"label": "C", "size": 1, "distinctive": ["yhden ihmisen kanta"]}]})
    assert [g["label"] for g in present.groups(o)] == ["A", "B"]
    o.results["groups"] = o.results["groups"][1:]
    assert present.groups(o) == []          # one group left is no grouping at all


# --- 5. no order, no oracle ---------------------------------------------------------------------

def test_ideas_and_comments_are_named_by_random_public_ids_everywhere(app, client, login, preparer, open_round,
                                                                      participant_client):
    a = participant_client(open_round.id)
    watcher = socketio.test_client(app, namespace="/ideas", auth={"round": open_round.id})
    ideas = [_post_idea(a, open_round.id, f"Julkinen tunniste {n}") for n in range(4)]
    assert all(PUBLIC_ID.match(i.public_id) for i in ideas)
    sent = [e["args"][0]["id"] for e in watcher.get_received("/ideas") if e["name"] == "idea"]
    assert sent == [i.public_id for i in ideas]
    b = participant_client(open_round.id)
    b.post(f"/ideariihi/{open_round.id}/ideat/{ideas[0].public_id}/kommentit", data={"text": "Kommentti tunnisteella"})
    comment = db.session.scalar(select(IdeaComment))
    assert PUBLIC_ID.match(comment.public_id)
    page = a.get(f"/ideariihi/{open_round.id}").get_data(as_text=True)
    idea_page = b.get(f"/ideariihi/{open_round.id}/ideat/{ideas[0].public_id}").get_data(as_text=True)
    for html in (page, idea_page):
        assert not re.search(r"/ideat/\d+\b", html) and not re.search(r'name="idea_id" value="\d+"', html)
        assert not re.search(r'id="(idea|comment)-\d+"', html)
    assert f"/kommentit/{comment.public_id}/muokkaa" in idea_page
    # The old integer address is gone.
    assert a.get(f"/ideariihi/{open_round.id}/ideat/{ideas[0].id}").status_code == 404
    assert {i["id"] for i in a.get(f"/ideariihi/{open_round.id}/ideat.json").json["ideas"]} == \
        {i.public_id for i in ideas}
    login(preparer)
    rows = list(csv.reader(io.StringIO(client.get(f"/hallinta/ideariihi/{open_round.id}/vienti.csv")
                                       .get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert {r[1] for r in rows[1:]} == {i.public_id for i in ideas}
    staff_page = client.get(f"/hallinta/ideariihi/{open_round.id}").get_data(as_text=True)
    assert not re.search(r'name="item_id" value="\d+"', staff_page)
    # Stored times stay rounded to the hour.
    assert all(i.created_at.minute == 0 and i.created_at.second == 0 for i in ideas)
    assert comment.created_at.minute == 0


def test_default_order_is_a_per_viewer_shuffle_not_posting_order(app, open_round, participant_client):
    import hashlib
    import hmac

    a = participant_client(open_round.id)
    ideas = [_post_idea(a, open_round.id, f"Järjestysidea {n}") for n in range(8)]
    viewer = participant_client(open_round.id)
    viewer.get(f"/ideariihi/{open_round.id}")
    cookie = viewer.get_cookie(f"kuulas_idea_{open_round.id}", path=f"/ideariihi/{open_round.id}").value
    key = anonymity.round_key(app.config["SECRET_KEY"], open_round.id)
    seed = anonymity.participant_hash(key, anonymity.token_from_cookie(key, cookie))
    expected = sorted((i.public_id for i in ideas),
                      key=lambda p: hmac.new(seed.encode(), p.encode(), hashlib.sha256).hexdigest())
    for url in (f"/ideariihi/{open_round.id}", f"/ideariihi/{open_round.id}?jarjestys=uusimmat"):
        html = viewer.get(url).get_data(as_text=True)
        assert re.findall(r'data-idea="([A-Za-z0-9]{12})"', html) == expected
        assert "reversed" not in html.split("data-idea-list")[0][-80:]


def test_not_yours_and_not_there_get_the_same_404(app, make_round, participant_client):
    round_ = make_round(moderation="pre")
    a = participant_client(round_.id)
    b = participant_client(round_.id)
    pending = _post_idea(a, round_.id, "Odottava idea, ei vielä julkinen")
    missing = "Z" * 12
    rid = round_.id
    for ref in (pending.public_id, missing):
        assert b.get(f"/ideariihi/{rid}/ideat/{ref}").status_code == 404
        assert b.post(f"/ideariihi/{rid}/ideat/{ref}/muokkaa", data={"text": "Kaapattu teksti"}).status_code == 404
        assert b.post(f"/ideariihi/{rid}/ideat/{ref}/poista", data={"confirm": "1"}).status_code == 404
        assert b.post(f"/ideariihi/{rid}/ideat/{ref}/kommentit", data={"text": "Kommentti piilotettuun"}).status_code == 404
        assert b.post(f"/ideariihi/{rid}/ideat/{ref}/ilmianna", data={"reason": "spam"}).status_code == 404
        assert b.post(f"/ideariihi/{rid}/aani", data={"idea_id": ref, "value": "agree"}).status_code == 404
    # Someone else's visible idea and comment: edit/delete answer 404 as for a missing one.
    visible_round = make_round()
    c = participant_client(visible_round.id)
    d = participant_client(visible_round.id)
    idea = _post_idea(c, visible_round.id, "Näkyvä idea jota ei saa muokata")
    c.post(f"/ideariihi/{visible_round.id}/ideat/{idea.public_id}/kommentit", data={"text": "Oma kommentti"})
    comment = db.session.scalar(select(IdeaComment))
    vid = visible_round.id
    for ref in (comment.public_id, missing):
        assert d.get(f"/ideariihi/{vid}/kommentit/{ref}/muokkaa").status_code == 404
        assert d.post(f"/ideariihi/{vid}/kommentit/{ref}/poista", data={"confirm": "1"}).status_code == 404
    assert d.get(f"/ideariihi/{vid}/ideat/{idea.public_id}/muokkaa").status_code == 404
    db.session.expire_all()
    assert db.session.get(IdeaComment, comment.id).status == "visible"


def test_no_table_links_a_public_id_to_anything_but_its_own_row(app, open_round, participant_client):
    a = participant_client(open_round.id)
    idea = _post_idea(a, open_round.id, "Tunnisteen jäljitys")
    a.post(f"/ideariihi/{open_round.id}/ideat/{idea.public_id}/kommentit", data={"text": "Kommentin jäljitys"})
    comment = db.session.scalar(select(IdeaComment))
    a.post(f"/ideariihi/{open_round.id}/ilmoitus", data={"email": "jaljitys@example.fi"})
    dump = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            dump.append(f"{table.name}: {tuple(row)!r}")
    for pid, table in ((idea.public_id, "idea:"), (comment.public_id, "idea_comment:")):
        lines = [line for line in dump if pid in line]
        assert len(lines) == 1 and lines[0].startswith(table), lines
    # The kept submission keys (ten minutes, with their time) name no idea or comment.
    kept = [line for line in dump if line.startswith("form_submission:")]
    assert len(kept) == 3                        # the idea, the comment and the notice sign-up
    assert all(idea.public_id not in line and comment.public_id not in line for line in kept)


# --- 9. double submits ----------------------------------------------------------------------

def test_double_submits_create_once(app, client, login, preparer, open_round, participant_client):
    a = participant_client(open_round.id)
    url = f"/ideariihi/{open_round.id}/ideat"
    first = a.post(url, data={"text": "Tuplaklikattu idea"})
    again = a.post(url, data={"text": "Tuplaklikattu idea"})
    assert first.status_code == again.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Idea)) == 1
    idea = db.session.scalar(select(Idea))
    curl = f"/ideariihi/{open_round.id}/ideat/{idea.public_id}/kommentit"
    assert a.post(curl, data={"text": "Tupla kommentti"}).status_code == 302
    assert a.post(curl, data={"text": "Tupla kommentti"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(IdeaComment)) == 1
    # The notify form: the same address twice, even from another browser, is a friendly "already".
    n1 = a.post(f"/ideariihi/{open_round.id}/ilmoitus", data={"email": "tupla@example.fi"})
    other = participant_client(open_round.id)
    n2 = other.post(f"/ideariihi/{open_round.id}/ilmoitus", data={"email": "tupla@example.fi"}, follow_redirects=True)
    assert n1.status_code == 302 and n2.status_code == 200 and "on jo listalla" in n2.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(IdeaNotifyRequest)) == 1
    # A new round, submitted twice.
    login(preparer)
    form = {"title_fi": "Tuplakierros", "title_sv": "Dubbelrunda", "question_fi": "Mitä?", "question_sv": "Vad?",
            "opens_at": "2030-01-01T10:00", "closes_at": "2030-02-01T10:00", "moderation": "post",
            "comments_enabled": "y", "max_length": "400"}
    assert client.post("/hallinta/ideariihi/uusi", data=form).status_code == 302
    assert client.post("/hallinta/ideariihi/uusi", data=form).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(IdeaRound).where(
        IdeaRound.title["fi"].as_string() == "Tuplakierros")) == 1


def test_create_services_leave_the_commit_to_the_caller(app, open_round):
    p = services.Participant(open_round.id, "f" * 64)
    idea = services.post_idea(open_round.id, p, "Ei vielä tallessa", now=utcnow())
    services.post_comment(idea.public_id, services.Participant(open_round.id, "e" * 64), "Ei tämäkään",
                          now=utcnow())
    services.request_notification(open_round.id, "rollback@example.fi", "fi", now=utcnow())
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Idea)) == 0
    assert db.session.scalar(select(func.count()).select_from(IdeaComment)) == 0
    assert db.session.scalar(select(func.count()).select_from(IdeaNotifyRequest)) == 0


# --- 13. numbers and shapes out of range ----------------------------------------------------

@pytest.mark.parametrize("idea_id", ["2147483648", "99999999999999999999999", "-1", "1.5", "abc", "1e9",
                                     "A" * 500, "%00"])
def test_vote_with_an_impossible_idea_id_is_a_clear_4xx(app, open_round, participant_client, idea_id):
    a = participant_client(open_round.id)
    r = a.post(f"/ideariihi/{open_round.id}/aani", data={"idea_id": idea_id, "value": "agree"})
    assert r.status_code == 404 and "Traceback" not in r.get_data(as_text=True)


@pytest.mark.parametrize("body, status", [
    ({"idea_id": 2147483648, "value": "agree"}, 400),
    ({"idea_id": {"$gt": ""}, "value": "agree"}, 400),
    ({"idea_id": [1, [2, [3]]], "value": "agree"}, 400),
    ([1, 2, 3], 400),
    ({"idea_id": "ZZZZZZZZZZZZ", "value": "agree"}, 404),
    ({"idea_id": "ZZZZZZZZZZZZ", "value": "agree", "pad": "x" * 5000}, 413),
])
def test_json_vote_bodies_of_the_wrong_shape_are_refused(app, open_round, participant_client, body, status):
    a = participant_client(open_round.id)
    r = a.post(f"/ideariihi/{open_round.id}/aani", data=json.dumps(body), content_type="application/json",
               headers={"Accept": "application/json", "X-Requested-With": "ideas.js"})
    assert r.status_code == status, r.get_data(as_text=True)[:300]


def test_json_vote_in_the_right_shape_counts(app, open_round, participant_client):
    idea = _post_idea(participant_client(open_round.id), open_round.id, "JSON-äänen kohde")
    a = participant_client(open_round.id)
    r = a.post(f"/ideariihi/{open_round.id}/aani", json={"idea_id": idea.public_id, "value": "agree"},
               headers={"Accept": "application/json", "X-Requested-With": "ideas.js"})
    assert r.status_code == 200 and r.json["ok"]
    assert services.idea_counts(idea.id).agree == 1


def test_out_of_range_urls_and_page_numbers(app, client, login, moderator, open_round, participant_client):
    a = participant_client(open_round.id)
    for url in ("/ideariihi/2147483648", "/ideariihi/2147483648/ideat.json",
                f"/ideariihi/{open_round.id}/ideat/2147483648", f"/ideariihi/{open_round.id}/kommentit/-1/muokkaa"):
        assert a.get(url).status_code == 404, url
    assert a.get(f"/ideariihi/{open_round.id}?sivu=99999999999999999999999").status_code == 200
    assert a.get(f"/ideariihi/{open_round.id}?sivu=-5").status_code == 200
    login(moderator)
    for item in ("2147483648", "-1", "x" * 300):
        r = client.post(f"/hallinta/ideariihi/{open_round.id}/moderoi",
                        data={"kind": "idea", "item_id": item, "action": "hide", "reason": "Syy tähän"})
        assert r.status_code == 404
    assert client.post(f"/hallinta/ideariihi/{open_round.id}/ideat/2147483648/teemat",
                       data={"tags": "x"}).status_code == 404


# --- 18. confirm what cannot be undone ------------------------------------------------------

def test_closing_and_publishing_ask_for_confirmation(app, client, login, preparer, open_round):
    login(preparer)
    r = client.post(f"/hallinta/ideariihi/{open_round.id}/sulje")
    assert r.status_code == 200 and 'name="confirm" value="1"' in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(IdeaRound, open_round.id).state == "open"
    assert client.post(f"/hallinta/ideariihi/{open_round.id}/sulje", data={"confirm": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(IdeaRound, open_round.id).state == "closed"
    form = {"title_fi": "Julkaistava", "title_sv": "Publiceras", "question_fi": "Mitä?", "question_sv": "Vad?",
            "opens_at": "2020-01-01T10:00", "closes_at": (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "moderation": "post", "comments_enabled": "y", "max_length": "400", "publish": "y"}
    r = client.post("/hallinta/ideariihi/uusi", data=form)
    assert r.status_code == 400 and 'name="confirm_publish"' in r.get_data(as_text=True)
    assert 'value="Julkaistava"' in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(IdeaRound)) == 1
    assert client.post("/hallinta/ideariihi/uusi", data=dict(form, confirm_publish="y")).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(IdeaRound)) == 2


def test_deleting_a_comment_asks_first(app, open_round, participant_client):
    a = participant_client(open_round.id)
    idea = _post_idea(a, open_round.id, "Idea kommentin poistoon")
    a.post(f"/ideariihi/{open_round.id}/ideat/{idea.public_id}/kommentit", data={"text": "Poistettava kommentti"})
    comment = db.session.scalar(select(IdeaComment))
    url = f"/ideariihi/{open_round.id}/kommentit/{comment.public_id}/poista"
    r = a.post(url)
    assert r.status_code == 200 and "Poistettava kommentti" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(IdeaComment, comment.id).status == "visible"
    assert a.post(url, data={"confirm": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(IdeaComment, comment.id).status == "withdrawn"


# --- 19. plural forms and strings that reach the catalogue ----------------------------------

def test_no_gettext_inside_f_strings_in_ideas_and_outcomes():
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = []
    for path in list((root / "deliberation" / "ideas").glob("*.py")) + \
            list((root / "deliberation" / "outcomes").glob("*.py")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            for m in re.finditer(r'\bf(["\'])(.*?)\1', line):
                if re.search(r"\b(_|_l|gettext|ngettext|lazy_gettext)\(", m.group(2)):
                    offenders.append(f"{path.name}:{n}")
    assert offenders == []


def test_counts_and_groups_use_plural_forms_in_every_language(app, preparer):
    round_, _now = _round_with_outlier(app, preparer)
    res = results.compute(round_.id)
    fi = results.summary_markdown(res, "fi")
    sv = results.summary_markdown(res, "sv")
    en = results.summary_markdown(res, "en")
    for text in (fi, sv):
        assert "agree" not in text and "disagree" not in text and "participants" not in text
    assert "samaa mieltä" in fi and "håller med" in sv
    assert re.search(r"\b1 agrees\b|\b\d+ agree\b", en)
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        from flask import render_template_string
        html = render_template_string('{% from "ideas/_macros.html" import counts_text %}{{ counts_text(c) }}',
                                      c=services.tally.Counts(1, 2, 1))
    assert ">1 agrees<" in html and ">2 disagree<" in html and 'data-one="# agrees"' in html


# --- 14. bidi isolation of user text -------------------------------------------------------

def test_user_text_is_bidi_isolated(app, client, login, moderator, open_round, participant_client):
    rtl = "שלום עולם 123"
    comment_rtl = "مرحبا بالعالم"
    a = participant_client(open_round.id)
    idea = _post_idea(a, open_round.id, rtl)
    a.post(f"/ideariihi/{open_round.id}/ideat/{idea.public_id}/kommentit", data={"text": comment_rtl})
    login(moderator)
    pages = [a.get(f"/ideariihi/{open_round.id}").get_data(as_text=True),
             a.get(f"/ideariihi/{open_round.id}/ideat/{idea.public_id}").get_data(as_text=True),
             client.get(f"/hallinta/ideariihi/{open_round.id}").get_data(as_text=True),
             client.get(f"/hallinta/ideariihi/{open_round.id}/yhteenveto").get_data(as_text=True)]
    for html in pages:
        for text in (rtl, comment_rtl):
            for m in re.finditer(re.escape(text), html):
                before = html[:m.start()]
                if before.rfind("<textarea") > before.rfind("</textarea>"):   # the Markdown draft
                    assert 'dir="auto"' in before[before.rfind("<textarea"):].split(">")[0]
                    continue
                assert before.endswith(('dir="auto">', "<bdi>")), before[-120:]
    import pathlib
    js = (pathlib.Path(__file__).resolve().parents[2] / "static" / "js" / "ideas.js").read_text()
    assert js.count('setAttribute("dir", "auto")') >= 1 and 'createElement("bdi")' in js


def test_status_line_does_not_repeat_the_state(app, client, make_round):
    """The badge says "Avoinna"; the line after it gives the times without saying it again."""
    import re

    round_ = make_round()
    page = client.get(f"/ideariihi/{round_.id}", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    line = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.search(r'<p class="round-state">(.*?)</p>', page, re.S).group(1)))
    assert line.count("Avoinna") == 1, line
