"""The outcome of a real finished idea round, built through the ideas area's own pages,
services and scheduler job (no fakes): figures, results, exports, notifications and the
deletion of the addresses left for notification."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kuulas.extensions import db
from kuulas.mail.models import OutboxMail
from deliberation.ideas import api as ideas_api
from deliberation.ideas.models import IdeaNotifyRequest
from deliberation.outcomes import sources

from .conftest import services
from deliberation.outcomes.models import PUBLISHED, Outcome

from .sources_helpers import EXPECTED, FORMULA_IDEA, IDEA_TEXTS, finished_idea_round

NOTIFY = "osallistuja@example.fi"


@pytest.fixture
def idea_round(app, preparer):
    return finished_idea_round(app, preparer, notify_email=NOTIFY)


def address_rows(round_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(IdeaNotifyRequest)
                             .where(IdeaNotifyRequest.round_id == round_id))


def mails_to(address: str) -> list[OutboxMail]:
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.recipient == address)
                                   .order_by(OutboxMail.id)))


def draft(preparer, round_id, now) -> Outcome:
    assert {"id": round_id, "title": "Kotihoidon kehittäminen"} in sources.finished("ideas")
    return services.create_draft("ideas", round_id, actor=preparer, now=now)


def test_draft_carries_the_rounds_question_timeline_figures_results_and_summary(app, client, preparer, idea_round):
    round_id, ids, later = idea_round
    o = draft(preparer, round_id, later)
    assert o.title == "Kotihoidon kehittäminen" and o.question == "Miten kotihoitoa pitäisi kehittää?"
    assert o.background == "Hyvinvointialue uudistaa kotihoitoa."
    assert o.figures == EXPECTED
    # Timeline: opened and closed at the round's own times.
    kinds = [(t["kind"], t["at"]) for t in o.timeline]
    assert [k for k, _at in kinds] == ["opened", "closed"]
    assert o.opened_at < o.closed_at and o.closed_at <= later
    # The two ideas everyone agreed with lead; the formula idea (2 disagree, 1 pass) is last.
    top = o.results["top_ideas"]
    assert [i["text"] for i in top[:2]] == [IDEA_TEXTS["evening"], IDEA_TEXTS["contact"]]
    assert [(i["agree"], i["disagree"], i["pass"]) for i in top[:2]] == [(15, 0, 0), (14, 0, 0)]
    assert top[-1]["text"] == FORMULA_IDEA and (top[-1]["agree"], top[-1]["disagree"], top[-1]["pass"]) == (0, 2, 1)
    # Impact points are the top ideas, in rank order.
    assert [p["text"] for p in o.points] == [i["text"] for i in top]
    assert [p["key"] for p in o.points] == [f"idea-{n}" for n in range(1, 6)]
    # Opinion groups (the two camps) and consensus (what both agreed on).
    groups = o.results["groups"]
    assert [(g["label"], g["size"]) for g in groups] == [("A", 6), ("B", 6)]
    assert all(set(g["distinctive"]) == {IDEA_TEXTS["remote"], IDEA_TEXTS["staff"]} for g in groups)
    assert set(o.results["consensus"]) == {IDEA_TEXTS["evening"], IDEA_TEXTS["contact"]}
    # Prefilled summary: one line with the real figures, never repeating the results the
    # page shows from ``results`` (top ideas, agreement, groups).
    assert "16" in o.summary and "56" in o.summary
    assert not any(text in o.summary for text in IDEA_TEXTS.values())
    # Nothing in the outcome points back at a participant.
    hashes = [h for (h,) in db.session.execute(select(IdeaNotifyRequest.id))]
    assert NOTIFY not in repr(o.results) + o.summary and not any(h in o.summary for h in hashes)

    services.publish(o.id, actor=preparer, now=later)
    page = client.get(f"/tulokset/{o.id}").get_data(as_text=True)
    assert IDEA_TEXTS["evening"] in page and "Miten kotihoitoa pitäisi kehittää?" in page
    doc = client.get(f"/api/v1/outcomes/{o.id}").get_json()
    assert doc["participation"] == EXPECTED and doc["kind"] == "ideas"
    assert [t["kind"] for t in doc["timeline"]] == ["opened", "closed", "published"]
    assert len(doc["results"]["groups"]) == len(groups) and doc["results"]["consensus"] == o.results["consensus"]


def test_results_exports_come_from_the_round_and_are_neutralised(app, client, preparer, idea_round):
    from openpyxl import load_workbook

    round_id, ids, later = idea_round
    o = draft(preparer, round_id, later)
    assert client.get(f"/tulokset/{o.id}/lataa/results.csv").status_code == 404   # not published yet
    services.publish(o.id, actor=preparer, now=later)

    r = client.get(f"/tulokset/{o.id}/lataa/results.csv")
    assert r.status_code == 200 and r.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + EXPECTED["ideas"] and all(len(row) == len(rows[0]) for row in rows)
    by_text = {row[2]: row for row in rows[1:]}
    # The round's full table (all ideas, with idea numbers and comment counts) ...
    assert set(by_text) == {"'" + FORMULA_IDEA} | {t for k, t in IDEA_TEXTS.items() if k != "formula"}
    # ... the comma inside an idea did not split the row, and the formula is inert.
    assert by_text[IDEA_TEXTS["evening"]][1] == str(ids["evening"])
    assert by_text[IDEA_TEXTS["evening"]][5:8] == ["15", "0", "0"] and by_text[IDEA_TEXTS["evening"]][9] == "1"
    assert sum(int(row[5]) + int(row[6]) + int(row[7]) for row in rows[1:]) == EXPECTED["votes"]
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)

    r = client.get(f"/tulokset/{o.id}/lataa/results.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.data))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert "'" + FORMULA_IDEA in [c.value for c in cells]
    assert len(wb.worksheets) == 3                       # ideas, opinion groups, summary
    summary = {row[0].value: row[1].value for row in wb.worksheets[2].iter_rows()}
    assert list(summary.values()) == [EXPECTED["participants"], EXPECTED["ideas"], EXPECTED["votes"],
                                      EXPECTED["comments"]]


def test_requested_addresses_are_told_twice_then_deleted(app, preparer, idea_round):
    round_id, ids, later = idea_round
    assert ideas_api.notify_recipients(round_id) == [(NOTIFY, "fi")]
    o = draft(preparer, round_id, later)
    services.publish(o.id, actor=preparer, now=later)
    published = mails_to(NOTIFY)
    assert [m.subject for m in published] == ["Mitä siitä seurasi: Kotihoidon kehittäminen"]
    assert f"/tulokset/{o.id}" in published[0].body_text
    assert address_rows(round_id) == 1            # kept for the impact mail

    # A decision recorded without telling anyone keeps the address too.
    d = services.record_decision(o.id, body="Ikääntyneiden palvelujen lautakunta", meeting_date="2026-06-01",
                                 impacts={"idea-1": ("pending", "Valmistellaan syksyksi.")}, notify=False,
                                 actor=preparer, now=later + timedelta(days=1))
    assert len(mails_to(NOTIFY)) == 1 and address_rows(round_id) == 1

    services.record_decision(o.id, body="Ikääntyneiden palvelujen lautakunta", meeting_date="2026-06-01",
                             item="§ 45", decision_id=d.id,
                             impacts={"idea-1": ("adopted", "Iltakäynnit aloitetaan syksyllä."),
                                      "idea-2": ("partly", "Yhteyshenkilö nimetään ensin kahdessa kunnassa.")},
                             actor=preparer, now=later + timedelta(days=2))
    mails = mails_to(NOTIFY)
    assert [m.subject for m in mails][1:] == ["Päätös tehty: Kotihoidon kehittäminen"]
    assert "Iltakäynnit aloitetaan syksyllä." in mails[1].body_text and "§ 45" in mails[1].body_text
    assert address_rows(round_id) == 0 and ideas_api.notify_recipients(round_id) == []
    o = db.session.get(Outcome, o.id)
    assert [(c.action, c.mails_queued) for c in o.changes][-3:] == [
        ("published", 1), ("decision_recorded", 0), ("decision_edited", 1)]
    assert NOTIFY not in repr(client_free_outcome(o))

    # A later decision tells nobody from the idea round: the address is gone.
    services.record_decision(o.id, body="Aluehallitus", meeting_date="2026-08-01",
                             impacts={"idea-3": ("not_adopted", "Ei rahoitusta tänä vuonna.")},
                             actor=preparer, now=later + timedelta(days=60))
    assert len(mails_to(NOTIFY)) == 2


def client_free_outcome(o: Outcome) -> dict:
    """Every stored column of the outcome and its rows (nothing may hold an address)."""
    from deliberation.outcomes.present import as_json

    return {"json": as_json(o, "http://localhost"), "changes": [(c.action, c.detail) for c in o.changes]}


def test_impact_recorded_before_publication_is_told_in_the_publication_mail(app, preparer, idea_round):
    round_id, ids, later = idea_round
    o = draft(preparer, round_id, later)
    services.record_decision(o.id, body="Aluehallitus", meeting_date="2026-06-01", item="§ 9",
                             impacts={"idea-1": ("adopted", "Iltakäynnit aloitetaan syksyllä.")},
                             actor=preparer, now=later)
    assert mails_to(NOTIFY) == [] and address_rows(round_id) == 1   # a draft tells nobody
    services.publish(o.id, actor=preparer, now=later + timedelta(hours=1))
    (mail,) = mails_to(NOTIFY)
    assert "Aluehallitus" in mail.body_text and "Toteutetaan" in mail.body_text
    assert address_rows(round_id) == 0


def test_scheduled_publication_keeps_the_address_for_the_impact_mail(app, preparer, idea_round):
    from kuulas.scheduler import run_job

    round_id, ids, later = idea_round
    o = draft(preparer, round_id, later)
    services.publish(o.id, at=later + timedelta(hours=2), actor=preparer, now=later)
    assert run_job(app, "outcomes.publish_due", later + timedelta(hours=3)) == {"published": 1}
    assert db.session.get(Outcome, o.id).state == PUBLISHED
    assert len(mails_to(NOTIFY)) == 1 and address_rows(round_id) == 1


def test_closing_without_a_decision_deletes_the_address(app, client, login, preparer, idea_round):
    round_id, ids, later = idea_round
    o = draft(preparer, round_id, later)
    login(preparer)
    # Only a published outcome can be closed; the draft keeps the address.
    r = client.post(f"/hallinta/tulokset/{o.id}/ei-paatosta")
    assert r.status_code == 303 and address_rows(round_id) == 1
    services.publish(o.id, actor=preparer, now=later)
    assert "Sulje ilman päätöstä" in client.get(f"/hallinta/tulokset/{o.id}").get_data(as_text=True)
    r = client.post(f"/hallinta/tulokset/{o.id}/ei-paatosta")
    assert r.status_code == 303 and address_rows(round_id) == 0
    o = db.session.get(Outcome, o.id)
    assert o.changes[-1].action == "closed_without_decision"
    assert services.is_closed_without_decision(o)
    assert len(mails_to(NOTIFY)) == 1              # the publication mail only


def test_deleted_round_falls_back_to_the_outcomes_snapshot(app, client, preparer, idea_round):
    from deliberation.ideas.models import IdeaRound

    round_id, ids, later = idea_round
    o = draft(preparer, round_id, later)
    services.publish(o.id, actor=preparer, now=later)
    db.session.delete(db.session.get(IdeaRound, round_id))
    db.session.commit()
    assert sources.export_table("ideas", round_id, "csv") is None
    rows = list(csv.reader(io.StringIO(client.get(f"/tulokset/{o.id}/lataa/results.csv").data.decode("utf-8-sig"))))
    assert rows[0][0] == "Idea" and {r[0] for r in rows[1:]} >= {IDEA_TEXTS["evening"], "'" + FORMULA_IDEA}
