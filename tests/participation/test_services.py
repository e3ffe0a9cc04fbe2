"""Participation services and pages: the experience questionnaire (once per browser, nothing
that identifies anyone), targets and inputs with bad input, unique participants counted once
without linking contributions, and the annual report through the page and the CLI."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from sqlalchemy import func, select

from deliberation.participation import services
from deliberation.participation.models import (ExperienceAnswer, ExperienceReceipt, ProcessInput, Target,
                                               UniqueParticipant)
from kuulas.clock import utcnow
from kuulas.extensions import db

NOW = datetime(2026, 11, 10, 12, 0)


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def preparer(make_staff):
    return make_staff("preparer")


@pytest.fixture
def closed_round(app, preparer):
    from tests.ideas.conftest import round_data

    from datetime import timedelta
    from deliberation.ideas import services as ideas

    round_ = ideas.create_round(round_data(opens_at=NOW - timedelta(days=10), closes_at=NOW - timedelta(days=1)),
                                actor=preparer, now=NOW - timedelta(days=11), publish=True)
    from kuulas import scheduler
    db.session.commit()
    scheduler.run_job(app, "ideas.rounds", NOW)
    return round_


def test_experience_answer_once_per_browser_and_unlinkable(client, closed_round):
    url = f"/kokemus/ideas/{closed_round.id}"
    page = client.get(url, headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert "Jag blev lyssnad på." in page
    r = client.post(url, data={"say": "5", "heard": "4", "use": "2", "again": "5",
                               "better": "Soita minulle 040 111 2233"})
    assert r.status_code == 303
    again = client.post(url, data={"say": "1"}, headers={"Accept-Language": "fi"})
    assert again.status_code == 409
    assert "Olet jo kertonut" in again.get_data(as_text=True)
    answer = db.session.scalar(select(ExperienceAnswer))
    assert (answer.say, answer.heard, answer.use, answer.again) == (5, 4, 2, 5)
    assert answer.better == "Soita minulle [***]"
    assert not hasattr(answer, "created_at")                            # a day, not a moment
    receipt = db.session.scalar(select(ExperienceReceipt))
    assert set(receipt.__table__.columns.keys()) == {"process_kind", "process_id", "key_hash"}
    other = client.application.test_client()
    assert other.post(url, data={"again": "3"}).status_code == 303      # another browser may answer
    assert _count(ExperienceAnswer) == 2


@pytest.mark.parametrize("data,message", [
    ({"say": "7"}, "Virheellinen valinta"),
    ({}, "Vastaa vähintään yhteen kysymykseen"),
    ({"better": "x" * 1001}, "pidempi kuin 1000"),
])
def test_experience_bad_input(client, closed_round, data, message):
    r = client.post(f"/kokemus/ideas/{closed_round.id}", data=data, headers={"Accept-Language": "fi"})
    assert r.status_code == 400
    assert message in r.get_data(as_text=True)
    assert _count(ExperienceAnswer) == 0 and _count(ExperienceReceipt) == 0


def test_experience_of_an_unknown_process_is_not_found(client):
    assert client.get("/kokemus/ideas/999").status_code == 404
    assert client.get("/kokemus/tuntematon/1").status_code == 404


@pytest.mark.parametrize("indicator,value,status,message", [
    ("share_with_outcome", "80", 303, None),
    ("share_with_outcome", "120", 400, "välillä 0–100"),
    ("experience_score", "7", 400, "välillä 1–5"),
    ("participants_total", "-5", 400, "nolla tai suurempi"),
    ("participants_total", "paljon", 400, "Kirjoita luku"),
])
def test_targets_with_bad_input_save_nothing(client, login, preparer, indicator, value, status, message):
    login(preparer)
    r = client.post("/hallinta/osallisuus/tavoite", data={"year": "2026", "indicator": indicator, "value": value},
                    headers={"Accept-Language": "fi"})
    assert r.status_code == status
    if message:
        assert message in r.get_data(as_text=True)
        assert _count(Target) == 0
    else:
        assert db.session.get(Target, (2026, indicator)).value == pytest.approx(0.8)


@pytest.mark.parametrize("hours,costs,status", [
    ("37,5", "1 250,50", 303), ("kolme", "", 400), ("", "12,345", 400), ("1e9", "", 400)])
def test_process_inputs_accept_finnish_numbers_and_refuse_others(client, login, preparer, closed_round,
                                                                 hours, costs, status):
    login(preparer)
    r = client.post(f"/hallinta/osallisuus/prosessi/ideas/{closed_round.id}",
                    data={"staff_hours": hours, "costs_eur": costs, "channels": ["web", "mail"]},
                    headers={"Accept-Language": "fi"})
    assert r.status_code == status
    row = db.session.get(ProcessInput, ("ideas", closed_round.id))
    if status == 303:
        assert float(row.staff_hours) == 37.5 and float(row.costs_eur) == 1250.5 and row.channels == ["web", "mail"]
    else:
        assert row is None


def test_one_person_in_three_processes_is_one_unique_participant(app):
    for _ in range(3):
        services.mark_participant(2026, "browser:token-of-one-person")
    services.mark_participant(2026, "browser:someone-else")
    services.mark_participant(2025, "browser:token-of-one-person")
    db.session.commit()
    from deliberation.participation import collect
    assert collect.unique_participants(2026) == 2 and collect.unique_participants(2025) == 1
    assert set(UniqueParticipant.__table__.columns.keys()) == {"year", "key_hash"}   # nothing to link


def test_report_for_a_year_without_data_is_refused_and_the_cli_writes_three_files(app, client, login, preparer,
                                                                                  runner, tmp_path,
                                                                                  closed_round):
    login(preparer)
    r = client.get("/hallinta/osallisuus/raportti-2031.pdf", headers={"Accept-Language": "fi"})
    assert r.status_code == 303
    assert "ei ole osallisuustietoja" in client.get(r.headers["Location"]).get_data(as_text=True)
    out = tmp_path / "raportti"
    result = runner.invoke(args=["participation", "report", "--year", "2031", "--out", str(out)])
    assert result.exit_code != 0 and "2031" in result.output
    result = runner.invoke(args=["participation", "report", "--year", str(NOW.year), "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"osallisuusraportti-{NOW.year}.{k}" for k in ("docx", "pdf", "xlsx")]
    from docx import Document
    doc = Document(io.BytesIO((out / names[0]).read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"Osallisuusraportti {NOW.year}" in text
    assert doc.inline_shapes and doc.element.body.findall(".//{*}docPr")[0].get("descr")


def test_anonymous_participation_counts_a_browser_once_a_year(app, client, make_round_for_counting):
    from deliberation.participation import collect

    round_ = make_round_for_counting
    page = client.get(f"/ideariihi/{round_.id}")
    assert page.status_code == 200
    for n in range(3):
        r = client.post(f"/ideariihi/{round_.id}/ideat", data={"text": f"Idea numero {n} kotihoitoon"})
        assert r.status_code == 302
    assert collect.unique_participants(utcnow().year) == 1
    other = app.test_client()
    other.get(f"/ideariihi/{round_.id}")
    other.post(f"/ideariihi/{round_.id}/ideat", data={"text": "Toisen selaimen idea"})
    assert collect.unique_participants(utcnow().year) == 2


@pytest.fixture
def make_round_for_counting(app, preparer):
    from datetime import timedelta

    from deliberation.ideas import services as ideas
    from tests.ideas.conftest import round_data

    round_ = ideas.create_round(round_data(opens_at=utcnow() - timedelta(hours=1)), actor=preparer, now=utcnow(),
                                publish=True)
    db.session.commit()
    return round_
