"""Quotas, draws, invitations, replacement draws, retention and the CLI reproduction,
all through the real sortition engine (``panel.sortition``)."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kuulas.clock import utcnow
from kuulas.errors import Conflict
from kuulas.extensions import db
from kuulas.mail.models import OutboxMail
from panel.errors import DetailedValidation
from panel.recruitment import services as recruitment
from panel.recruitment.models import Answer, Panel, Volunteer
from panel.selection import services as selection

from .helpers import add_volunteers, make_panel, text


def _closed_panel(staff, n=12, size=4):
    panel = make_panel(staff, size=size)
    rows = [{"gender": "female" if i % 2 else "male", "age": "young" if i % 3 else "old"}
            for i in range(n)]
    add_volunteers(panel, rows)
    recruitment.close_recruitment_now(panel.id, actor=staff, now=utcnow())
    db.session.commit()
    return panel


def test_quotas_summing_past_panel_size_are_refused(app, make_staff):
    staff = make_staff("preparer")
    panel = _closed_panel(staff)
    with pytest.raises(DetailedValidation) as err:
        selection.save_quotas(panel.id, {("gender", "female"): (3, 4), ("gender", "male"): (3, 4)},
                              actor=staff, now=utcnow())
    assert "add up to 6, more than the panel size 4" in text(err.value)
    db.session.rollback()
    from panel.selection.models import QuotaRow

    assert db.session.scalar(select(func.count()).select_from(QuotaRow)) == 0


def test_quota_for_unknown_category_is_refused(app, make_staff):
    staff = make_staff("preparer")
    panel = _closed_panel(staff)
    with pytest.raises(DetailedValidation) as err:
        selection.save_quotas(panel.id, {("gender", "robot"): (0, 1)}, actor=staff, now=utcnow())
    assert "robot" in text(err.value)


def test_pool_too_small(app, make_staff):
    staff = make_staff("preparer")
    panel = _closed_panel(staff, n=3, size=4)
    with pytest.raises(DetailedValidation) as err:
        selection.prepare_draw(panel.id, seed_source="Lotto", actor=staff, now=utcnow())
    assert "fewer than the panel size 4" in text(err.value)


def test_default_quotas_follow_shares():
    from panel.selection.quotas import default_quota

    assert default_quota(50.5, 12) == (5, 7, 6.06)
    assert default_quota(0.5, 12) == (0, 1, 0.06)


def _run_web_draw(client, panel, seed="1 2 3 4 5 6 7"):
    assert client.post(f"/hallinta/paneelit/{panel.id}/arvonta",
                       data={"prepare-seed_source": "Lotto 1.6.", "confirm": "yes"}).status_code == 302
    assert client.post(f"/hallinta/paneelit/{panel.id}/arvonta",
                       data={"run-seed_value": seed, "confirm": "yes"}).status_code == 302


def test_web_draw_is_reproduced_by_the_cli(app, client, runner, make_staff, tmp_path, login):
    staff = make_staff("preparer")
    panel = _closed_panel(staff)
    login(staff)
    _run_web_draw(client, panel)
    files = {}
    for name in ("pooli.csv", "kiintiot.csv", "paneeli.csv", "todennakoisyydet.csv"):
        response = client.get(f"/paneelit/{panel.id}/arvonta/1/{name}")
        assert response.status_code == 200
        files[name] = response.get_data(as_text=True)
        (tmp_path / name).write_text(files[name])
    # The county's auditor gets the full file and the key (staff only, never public).
    for name in ("pooli-tarkastaja.csv", "avain.txt"):
        response = client.get(f"/hallinta/paneelit/{panel.id}/arvonta/1/tarkastus/{name}")
        assert response.status_code == 200
        (tmp_path / name).write_text(response.get_data(as_text=True))
    assert "@" not in files["pooli.csv"]
    result = runner.invoke(args=["panel", "select", "--people", str(tmp_path / "pooli-tarkastaja.csv"),
                                 "--quotas", str(tmp_path / "kiintiot.csv"), "--size", "4",
                                 "--seed", "1 2 3 4 5 6 7", "--out", str(tmp_path / "out.csv"),
                                 "--probabilities", str(tmp_path / "p.csv")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.csv").read_text() == files["paneeli.csv"]
    assert (tmp_path / "p.csv").read_text() == files["todennakoisyydet.csv"]
    from panel.selection.models import Draw
    from panel.sortition import seed_from_announcement

    draw = db.session.scalar(select(Draw).where(Draw.panel_id == panel.id))
    # Anyone checks the public file against the published hash; the auditor checks that
    # the full file and key give exactly those commitments.
    public = runner.invoke(args=["panel", "hash", "--commitments", str(tmp_path / "pooli.csv"),
                                 "--quotas", str(tmp_path / "kiintiot.csv"), "--size", "4"])
    assert public.output.strip() == draw.pool_hash, public.output
    audited = runner.invoke(args=["panel", "hash", "--people", str(tmp_path / "pooli-tarkastaja.csv"),
                                  "--key", str(tmp_path / "avain.txt"), "--quotas",
                                  str(tmp_path / "kiintiot.csv"), "--size", "4",
                                  "--public-out", str(tmp_path / "mine.csv")])
    assert audited.output.strip() == draw.pool_hash, audited.output
    assert (tmp_path / "mine.csv").read_text() == files["pooli.csv"]
    client.set_cookie("kuulas_lang", "en")
    report = client.get(f"/paneelit/{panel.id}/arvonta").get_data(as_text=True)
    assert "1 2 3 4 5 6 7" in report
    assert str(seed_from_announcement("1 2 3 4 5 6 7")) in report
    assert draw.pool_hash in report and "leximin-types" in report
    assert "Median" in report and "panel select --people" in report
    staff_page = client.get(f"/hallinta/paneelit/{panel.id}/arvonta").get_data(as_text=True)
    assert "tarkastus/pooli-tarkastaja.csv" in staff_page and "tarkastus/avain.txt" in staff_page
    for v in db.session.scalars(select(Volunteer).where(Volunteer.panel_id == panel.id)):
        assert v.email not in report and v.display_name not in report


def test_public_files_carry_no_answers(app, client, make_staff, login):
    """Per-person public files hold ids and commitments only: no feature value (sensitive
    or not) that would single out a row; the staff-only auditor file needs DRAW_RUN."""
    staff = make_staff("preparer")
    panel = _closed_panel(staff)
    login(staff)
    _run_web_draw(client, panel)
    pool = client.get(f"/paneelit/{panel.id}/arvonta/1/pooli.csv").get_data(as_text=True)
    drawn = client.get(f"/paneelit/{panel.id}/arvonta/1/paneeli.csv").get_data(as_text=True)
    assert pool.splitlines()[0] == "id,commitment" and drawn.splitlines()[0] == "id"
    for value in ("female", "male", "young", "old"):
        assert value not in pool and value not in drawn
    assert len(pool.splitlines()) == 13 and len(drawn.splitlines()) == 5
    moderator = make_staff("moderator")
    login(moderator)
    assert client.get(f"/hallinta/paneelit/{panel.id}/arvonta/1/tarkastus/pooli-tarkastaja.csv"
                      ).status_code == 403


def _links(category="panel_invitation"):
    mails = db.session.scalars(select(OutboxMail).where(OutboxMail.category == category)
                               .order_by(OutboxMail.id)).all()
    return [re.search(r"/paneelit/kutsu/\S+", m.body_text).group(0) for m in mails]


def _quotas_met(draw):
    people = {row["id"]: row for row in csv.DictReader(io.StringIO(draw.people_csv))}
    for q in csv.DictReader(io.StringIO(draw.quotas_csv)):
        n = sum(1 for pid in draw.selected if people[pid][q["feature"]] == q["value"])
        if not int(q["min"]) <= n <= int(q["max"]):
            return False
    return len(draw.selected) == draw.size


def test_decline_expiry_and_replacement(app, client, make_staff, runner, tmp_path, login):
    from kuulas import scheduler
    from panel.invitations.models import ACCEPTED, Invitation
    from panel.selection.models import Draw

    staff = make_staff("preparer")
    panel = _closed_panel(staff, n=16)
    now = utcnow()
    selection.prepare_draw(panel.id, seed_source="x", actor=staff, now=now)
    selection.run_draw(panel.id, seed_value="42", actor=staff, now=now)
    db.session.commit()
    links = _links()
    assert len(links) == 4
    assert client.post(links[0], data={"answer": "accept"}).status_code == 302
    assert client.post(links[1], data={"answer": "decline", "confirm": "yes"}).status_code == 302
    accepted = db.session.scalar(select(Invitation.pseudonym).where(Invitation.state == ACCEPTED))
    declined = db.session.scalar(select(Invitation.pseudonym).where(Invitation.state == "declined"))

    # Within the decline's undo window the job leaves the seat open...
    scheduler.run_job(app, "panel.invitations", now + timedelta(minutes=1))
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 4
    # ...and fills it once the window has passed.
    now = now + timedelta(hours=24)
    scheduler.run_job(app, "panel.invitations", now + timedelta(minutes=1))
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 5
    second = db.session.scalar(select(Draw).where(Draw.panel_id == panel.id, Draw.number == 2))
    assert second.state == "done" and second.kind == "replacement"
    assert accepted in second.selected and declined not in second.selected
    assert _quotas_met(second)
    first = db.session.scalar(select(Draw).where(Draw.panel_id == panel.id, Draw.number == 1))
    assert second.pool_hash != first.pool_hash  # the hash covers kept and excluded ids
    # Idempotent: no open gap left, so a second run draws nothing.
    scheduler.run_job(app, "panel.invitations", now + timedelta(minutes=2))
    assert db.session.scalar(select(func.count()).select_from(Draw)) == 2

    # The replacement draw is reproduced from its published files too.
    for name in ("pooli.csv", "kiintiot.csv", "pakotetut.csv", "poissuljetut.csv",
                 "paneeli.csv"):
        body = client.get(f"/paneelit/{panel.id}/arvonta/2/{name}").get_data(as_text=True)
        (tmp_path / name).write_text(body)
    login(staff)
    for name in ("pooli-tarkastaja.csv", "avain.txt"):
        body = client.get(f"/hallinta/paneelit/{panel.id}/arvonta/2/tarkastus/{name}").get_data(as_text=True)
        (tmp_path / name).write_text(body)
    result = runner.invoke(args=[
        "panel", "select", "--people", str(tmp_path / "pooli-tarkastaja.csv"), "--quotas",
        str(tmp_path / "kiintiot.csv"), "--size", "4", "--seed", "42#2",
        "--forced", str(tmp_path / "pakotetut.csv"), "--excluded",
        str(tmp_path / "poissuljetut.csv"), "--out", str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.csv").read_text() == (tmp_path / "paneeli.csv").read_text()
    hashed = runner.invoke(args=[
        "panel", "hash", "--commitments", str(tmp_path / "pooli.csv"), "--quotas",
        str(tmp_path / "kiintiot.csv"), "--size", "4", "--forced", str(tmp_path / "pakotetut.csv"),
        "--excluded", str(tmp_path / "poissuljetut.csv")])
    assert hashed.output.strip() == second.pool_hash

    # The deadline passes for the unanswered: their links answer 410 with a clear page.
    later = now + timedelta(days=8)
    scheduler.run_job(app, "panel.invitations", later)
    db.session.expire_all()
    expired = client.get(links[2])
    assert expired.status_code == 410
    assert "Kutsuun vastaamisen määräaika on umpeutunut" in expired.get_data(as_text=True)
    # ...and the job filled those seats as well, still keeping the accepted member.
    last = db.session.scalar(select(Draw).where(Draw.panel_id == panel.id)
                             .order_by(Draw.number.desc()))
    assert last.number == 3 and accepted in last.selected and _quotas_met(last)
    # The accepted member's link still shows their answer; the roster lists them.
    assert client.get(links[0]).status_code == 200


def test_expired_link_page_is_translated(app, client, make_staff):
    staff = make_staff("preparer")
    panel = _closed_panel(staff)
    now = utcnow() - timedelta(days=8)
    selection.prepare_draw(panel.id, seed_source="x", actor=staff, now=now)
    selection.run_draw(panel.id, seed_value="42", actor=staff, now=now)
    db.session.commit()
    link = _links()[0]
    for lang, words in (("fi", "määräaika on umpeutunut"), ("sv", "tidsfristen för att svara"),
                        ("en", "deadline for answering this invitation has passed")):
        client.set_cookie("kuulas_lang", lang)
        response = client.get(link)
        assert response.status_code == 410
        assert words in response.get_data(as_text=True).lower(), lang
    assert client.post(link, data={"answer": "accept"}).status_code == 410


def test_published_hash_cannot_be_replaced(app, client, login, make_staff):
    from panel.selection.models import Draw

    staff = make_staff("preparer")
    panel = _closed_panel(staff)
    now = utcnow()
    draw = selection.prepare_draw(panel.id, seed_source="Lotto", actor=staff, now=now)
    db.session.commit()
    published = draw.pool_hash
    # The hash covers the public commitments to the full file, the quotas and the size.
    from panel.selection import engine

    public = engine.public_pool_csv(draw.people_csv, draw.commit_key)
    assert engine.commitment_hash(public, draw.quotas_csv, 4) == published
    assert engine.hash_files(draw.people_csv, draw.quotas_csv, 4, key=draw.commit_key) == published
    # Changing one answer in the full file changes its commitment and so the hash.
    first_row = draw.people_csv.splitlines()[1]
    changed = first_row.replace("female", "male") if "female" in first_row else first_row.replace("male", "female")
    altered = draw.people_csv.replace(first_row, changed)
    assert engine.hash_files(altered, draw.quotas_csv, 4, key=draw.commit_key) != published
    with pytest.raises(Conflict) as err:
        selection.prepare_draw(panel.id, seed_source="Another", actor=staff, now=now)
    assert "can no longer change" in text(err.value)
    db.session.rollback()
    with pytest.raises(Conflict) as err:
        selection.save_quotas(panel.id, {("gender", "female"): (1, 3)}, actor=staff, now=now)
    assert "can no longer change" in text(err.value)
    db.session.rollback()
    login(staff)
    response = client.post(f"/hallinta/paneelit/{panel.id}/arvonta",
                           data={"prepare-seed_source": "Something else", "confirm": "yes"})
    assert response.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Draw)) == 1
    assert db.session.scalar(select(Draw.pool_hash)) == published
    assert published in client.get(f"/paneelit/{panel.id}/arvonta").get_data(as_text=True)


@pytest.mark.parametrize("lang, expected", [
    ("en", "“gender” = “female”: the minimum is 3 but only 1 volunteers are available, 2 too few."),
    ("fi", "“gender” = “female”"),
    ("sv", "“gender” = “female”"),
])
def test_infeasible_quotas_say_which_and_by_how_much(app, make_staff, lang, expected):
    staff = make_staff("preparer")
    panel = make_panel(staff, size=4)
    rows = [{"gender": "female", "age": "young"}] + [{"gender": "male", "age": "old"}] * 7
    add_volunteers(panel, rows)
    recruitment.close_recruitment_now(panel.id, actor=staff, now=utcnow())
    selection.save_quotas(panel.id, {("gender", "female"): (3, 4), ("gender", "male"): (0, 1)},
                          actor=staff, now=utcnow())
    db.session.commit()
    with pytest.raises(DetailedValidation) as err:
        selection.prepare_draw(panel.id, seed_source="x", actor=staff, now=utcnow())
    shown = text(err.value, lang)
    assert expected in shown
    if lang != "en":
        assert "volunteers are available" not in shown  # really translated
    db.session.rollback()
    from panel.selection.models import Draw

    assert db.session.scalar(select(func.count()).select_from(Draw)) == 0


def test_combined_conflict_names_the_quota_to_relax(app):
    """Each category has enough people, but not together: the diagnosis says which
    quota to move and by how much."""
    from flask_babel import force_locale

    from panel.selection import engine

    people = "id,gender,age\n" + "".join(f"f{i},female,old\n" for i in range(3)) + \
        "".join(f"m{i},male,young\n" for i in range(3))
    quotas = "feature,value,min,max\ngender,female,2,2\ngender,male,0,2\nage,young,2,2\nage,old,0,2\n"
    with pytest.raises(engine.EngineProblem) as err:
        engine.run(people, quotas, 2, "1")
    with force_locale("en"):
        details = [str(d) for d in err.value.details]
        assert str(err.value.reason).startswith("No panel of this size can meet all the quotas")
    assert err.value.code == "quota_min_too_high"
    assert details == ["“age” = “young” (quota 2–2): lower the minimum by 2."]
    with force_locale("fi"):
        assert [str(d) for d in err.value.details] == ["“age” = “young” (kiintiö 2–2): laske vähimmäismäärää 2:llä."]


def test_every_engine_error_code_has_a_message():
    """The engine's documented codes (model, csvio, diagnose docstrings) all translate."""
    from panel.selection import engine
    from panel.sortition import csvio, diagnose, model

    docs = " ".join([model.validate.__doc__, csvio.__doc__, diagnose.__doc__])
    codes = set(re.findall(r"\b([a-z]+(?:_[a-z]+)+)\(", docs))
    assert {"pool_too_small", "csv_missing_column", "quota_min_too_high"} <= codes
    assert codes - set(engine.MESSAGES) == set()
    assert {"solver_failed", "solver_invalid_panel"} <= set(engine.MESSAGES)


@pytest.mark.parametrize("lang, words", [("en", "has no column “gender”"),
                                         ("fi", "gender"), ("sv", "gender")])
def test_cli_reports_a_bad_file_precisely(app, runner, tmp_path, lang, words):
    (tmp_path / "p.csv").write_text("id,age\na,young\nb,old\n")
    (tmp_path / "q.csv").write_text("feature,value,min,max\ngender,female,0,1\n"
                                    "gender,male,0,1\nage,young,0,1\nage,old,0,1\n")
    result = runner.invoke(args=["panel", "select", "--people", str(tmp_path / "p.csv"),
                                 "--quotas", str(tmp_path / "q.csv"), "--size", "1", "--seed",
                                 "s", "--out", str(tmp_path / "o.csv"), "--lang", lang])
    assert result.exit_code != 0
    assert words in result.output
    if lang != "en":
        assert "has no column" not in result.output
    assert not (tmp_path / "o.csv").exists()


def test_api_and_retention_without_draw(app, make_staff):
    """Retention deletes non-members' data after the period; counts remain."""
    from panel import api, retention

    staff = make_staff("preparer")
    panel = _closed_panel(staff)
    now = utcnow()
    retention.close_panel(panel.id, actor=staff, now=now)
    db.session.commit()
    assert retention.purge_due(now + timedelta(days=29)) == 0
    assert retention.purge_due(now + timedelta(days=31)) == 1
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 0
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    assert db.session.get(Panel, panel.id).aggregate["total"] == 12
    assert retention.purge_due(now + timedelta(days=32)) == 0
    assert api.accepted_members(panel.id) == [] and api.member_recipients(panel.id) == []
    comp = api.composition(panel.id, locale="fi")
    assert [f["feature"] for f in comp] == ["gender", "age"]
