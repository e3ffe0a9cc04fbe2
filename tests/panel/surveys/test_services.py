"""Surveys end to end through the services: building, sending, answering, reminders,
results, publication, leaving and unlinkability."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, text

from kuulas import scheduler
from kuulas.errors import Conflict, NotFound, ValidationFailed
from kuulas.extensions import db
from kuulas.mail.models import OutboxMail
from panel import pool
from panel.surveys import answering, report, services
from panel.surveys.models import Recipient, Survey, SurveyResponse

from ..helpers import text as tr
from .helpers import NOW, add_service, join, send, survey, token_for, uses


@pytest.fixture
def staff(make_staff):
    return make_staff("preparer")


@pytest.fixture
def panel(staff):
    from .helpers import standing_panel

    return standing_panel(staff)


def _answers(s, choice="1", scale="4", number="3", free="", multi=("1",)):
    q = {x.kind: x.id for x in s.questions}
    return {f"q{q['single']}": [choice], f"q{q['scale']}": [scale], f"q{q['number']}": [number],
            f"q{q['text']}": [free], f"q{q['multiple']}": list(multi)}


def test_a_survey_to_an_empty_group_is_refused_and_stays_a_draft(app, staff, panel):
    add_service("home_care")
    join(panel, 1)       # a member, but not a home-care client
    s = survey(staff, panel, audience="client_group", service_keys=["home_care"])
    with force_locale("en"), pytest.raises(ValidationFailed) as exc:
        services.schedule(s.id, opens_at=None, closes_at=NOW + timedelta(days=3), actor=staff, now=NOW)
    assert "Nobody is in the chosen group" in tr(exc.value)
    db.session.rollback()
    assert db.session.get(Survey, s.id).state == "draft"
    assert db.session.scalar(select(func.count()).select_from(Recipient)) == 0


def test_bad_question_input_is_refused_with_a_reason(app, staff, panel):
    s = survey(staff, panel, questions=False)
    with force_locale("en"):
        with pytest.raises(ValidationFailed, match="at least two options"):
            services.add_question(s.id, kind="single", texts={"fi": "K"}, options=services.parse_options("Vain yksi"),
                                  actor=staff, now=NOW)
        with pytest.raises(ValidationFailed, match="smallest"):
            services.add_question(s.id, kind="number", texts={"fi": "K"}, min_value=5, max_value=1, actor=staff, now=NOW)
        with pytest.raises(ValidationFailed, match="Finnish"):
            services.add_question(s.id, kind="text", texts={"en": "Only English"}, actor=staff, now=NOW)
        with pytest.raises(ValidationFailed, match="at least one question"):
            services.schedule(s.id, opens_at=None, closes_at=NOW + timedelta(days=1), actor=staff, now=NOW)


def test_client_group_gets_links_and_members_answer_stop_and_continue(app, staff, panel):
    home = add_service("home_care")
    clients = [join(panel, n, sensitive=True, gender="female" if n % 2 else "male") for n in range(3)]
    outsider = join(panel, 9)
    for c in clients:
        uses(c, home)
    s = send(staff, survey(staff, panel, audience="client_group", service_keys=["home_care"]))
    assert s.state == "open" and s.recipient_count == 3
    mails = db.session.scalars(select(OutboxMail).where(OutboxMail.category == "panel-survey")).all()
    assert sorted(m.recipient for m in mails) == sorted(c.email for c in clients)
    assert outsider.email not in {m.recipient for m in mails}
    assert token_for(app, s, clients[0]) in next(m.body_text for m in mails if m.recipient == clients[0].email)

    # One member saves half-way, continues later, then submits.
    tok = token_for(app, s, clients[0])
    q = {x.kind: x.id for x in s.questions}
    answering.save(s.id, tok, {f"q{q['single']}": ["2"]}, submit=False, now=NOW)
    db.session.commit()
    again = answering.open_link(s.id, tok, now=NOW + timedelta(hours=5))
    assert again.response.answers == {str(q["single"]): "2"} and not again.response.submitted
    answering.save(s.id, tok, _answers(s, choice="1"), submit=True, now=NOW + timedelta(days=1))
    db.session.commit()
    recipient = db.session.scalar(select(Recipient).where(Recipient.volunteer_id == clients[0].id))
    assert recipient.answered
    response = db.session.scalar(select(SurveyResponse))
    assert response.submitted and response.cells == {"gender": "male", "age": "young"}
    assert str(response.started_on) == "2026-03-02" and str(response.updated_on) == "2026-03-03"
    # Changing the answer later replaces it, still one row.
    answering.save(s.id, tok, _answers(s, choice="3"), submit=True, now=NOW + timedelta(days=2))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    assert db.session.scalar(select(SurveyResponse)).answers[str(q["single"])] == "3"


def test_bad_answers_save_nothing_and_say_where(app, staff, panel):
    member = join(panel, 1)
    s = send(staff, survey(staff, panel))
    tok = token_for(app, s, member)
    q = {x.kind: x.id for x in s.questions}
    with force_locale("en"), pytest.raises(answering.AnswersInvalid) as exc:
        answering.save(s.id, tok, _answers(s, choice="7", scale="6", number="51"), submit=True, now=NOW)
    errors = {k: str(v) for k, v in exc.value.errors.items()}
    assert set(errors) == {q["single"], q["scale"], q["number"]}
    assert "from 0 to 50" in errors[q["number"]]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0
    with force_locale("en"), pytest.raises(answering.AnswersInvalid) as exc:
        answering.save(s.id, tok, {}, submit=True, now=NOW)
    assert q["single"] in exc.value.errors          # required


def test_identity_codes_and_phones_are_masked_before_storing(app, staff, panel):
    member = join(panel, 1)
    s = send(staff, survey(staff, panel))
    tok = token_for(app, s, member)
    saved = answering.save(s.id, tok, _answers(s, free="Olen 131052-308T, soita 040 123 4567"), submit=True, now=NOW)
    db.session.commit()
    assert saved.notices and set(saved.notices[0]["found"]) == {"identity_code", "phone"}
    dump = json.dumps(db.session.scalar(select(SurveyResponse)).answers)
    assert "131052-308T" not in dump and "123 4567" not in dump


def test_link_after_close_and_unknown_links(app, staff, panel):
    member = join(panel, 1)
    s = send(staff, survey(staff, panel))
    tok = token_for(app, s, member)
    with pytest.raises(NotFound):
        answering.open_link(s.id, "0" * 32, now=NOW)
    with pytest.raises(NotFound):
        answering.open_link(s.id + 1, tok, now=NOW)
    # Past the closing time the link is refused even before the job has run.
    with force_locale("en"), pytest.raises(answering.LinkClosed) as exc:
        answering.save(s.id, tok, _answers(s), submit=True, now=NOW + timedelta(days=8))
    assert exc.value.status == 410 and "closed" in tr(exc.value)
    db.session.rollback()
    assert scheduler.run_job(app, "panel.surveys", NOW + timedelta(days=8))["closed"] == 1
    assert db.session.get(Survey, s.id).state == "closed"
    with pytest.raises(answering.LinkClosed):
        answering.open_link(s.id, tok, now=NOW + timedelta(days=8))


def test_reminders_go_once_to_those_who_have_not_answered(app, staff, panel):
    a, b = join(panel, 1), join(panel, 2)
    s = send(staff, survey(staff, panel))
    answering.save(s.id, token_for(app, s, a), _answers(s), submit=True, now=NOW)
    db.session.commit()
    assert scheduler.run_job(app, "panel.surveys", NOW + timedelta(days=1))["reminded"] == 0
    assert scheduler.run_job(app, "panel.surveys", NOW + timedelta(days=3, hours=1))["reminded"] == 1
    assert scheduler.run_job(app, "panel.surveys", NOW + timedelta(days=4))["reminded"] == 0
    db.session.rollback()
    mails = db.session.scalars(select(OutboxMail.recipient).where(OutboxMail.category == "panel-survey")).all()
    assert sorted(mails) == sorted([a.email, b.email, b.email])


def _close_with_answers(app, staff, panel, count=12):
    people = [join(panel, 100 + n, gender="female" if n < count - 3 else "male", age="young" if n % 2 else "old")
              for n in range(count)]
    s = send(staff, survey(staff, panel))
    for n, person in enumerate(people):
        answering.save(s.id, token_for(app, s, person), _answers(s, choice="1" if n < 6 else ("2" if n < 9 else "3"),
                                                                 multi=("1", "2") if n % 2 else ("1",)),
                       submit=True, now=NOW)
    db.session.commit()
    services.close(s.id, actor=staff, now=NOW + timedelta(days=1))
    db.session.commit()
    return s, people


def test_results_only_after_close_and_weighted_with_suppression(app, staff, panel):
    people = [join(panel, n) for n in range(2)]
    s = send(staff, survey(staff, panel))
    with force_locale("en"), pytest.raises(Conflict, match="closed"):
        report.survey_results(s.id, actor=staff, now=NOW)
    db.session.rollback()
    s2, _people = _close_with_answers(app, staff, panel, count=12)
    _survey, res = report.survey_results(s2.id, actor=staff, now=NOW + timedelta(days=1))
    assert res["respondents"] == 12 and res["recipients"] == 14
    single = next(q for q in res["questions"] if q["kind"] == "single")
    rows = {r["value"]: r for r in single["rows"]}
    assert rows["1"]["count"] == 6 and rows["1"]["weighted"] != rows["1"]["unweighted"]
    assert rows["2"]["suppressed"] and rows["2"]["count"] is None     # 3 answered "2"
    assert rows["3"]["suppressed"] and rows["3"]["weighted"] is None
    assert res["weighting"]["ok"]
    gender = next(f for f in res["composition"] if f["feature"] == "gender")
    male = next(r for r in gender["rows"] if r["value"] == "male")
    assert male["suppressed"]                                          # 3 men answered
    assert people


def test_a_member_who_cannot_see_results(app, staff, panel, make_staff):
    s, _p = _close_with_answers(app, staff, panel, count=6)
    from kuulas.errors import AccessDenied

    with force_locale("en"), pytest.raises(AccessDenied):
        report.survey_results(s.id, actor=make_staff("moderator"), now=NOW)


def test_publish_leave_and_figures_stay(app, staff, panel):
    from deliberation.outcomes import services as outcomes
    from deliberation.outcomes.models import Outcome

    s, people = _close_with_answers(app, staff, panel, count=12)
    outcome = report.publish(s.id, actor=staff, now=NOW + timedelta(days=2))
    db.session.commit()
    assert outcome.source_kind == "surveys" and "Kyllä" in outcome.summary
    assert outcome.figures == {"participants": 12, "members": 12}
    outcomes.publish(outcome.id, actor=staff, now=NOW + timedelta(days=2))
    db.session.commit()
    outcomes.record_decision(outcome.id, body="Aluehallitus", meeting_date="2026-04-01", item="§ 12",
                             summary="Kotihoidon käyntiaikoja pidennetään.", actor=staff,
                             now=NOW + timedelta(days=3))
    db.session.commit()
    before = report.survey_results(s.id, actor=staff, now=NOW + timedelta(days=3))[1]
    snapshot = json.dumps(before, sort_keys=True)

    # The member's own page lists the survey and its outcome.
    items = pool.asked(people[0], "fi")
    assert items[0].title == "Kotihoidon kysely" and items[0].status == "Vastattu"
    assert items[0].outcome_url.endswith(f"/{outcome.id}")

    leaver = people[0]
    leaver_id, email = leaver.id, leaver.email
    pool.leave(leaver_id, actor=None, now=NOW + timedelta(days=4))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Recipient).where(Recipient.volunteer_id == leaver_id)) == 0
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 12
    after = report.survey_results(s.id, actor=staff, now=NOW + timedelta(days=5))[1]
    assert json.dumps(after, sort_keys=True) == snapshot
    assert db.session.get(Outcome, outcome.id).figures == {"participants": 12, "members": 12}
    # Even with the secret key the response can no longer be found from the member.
    from panel.surveys import tokens

    key = tokens.survey_key(app.secret_key, s.id)
    assert db.session.get(SurveyResponse, tokens.response_key(key, tokens.member_token(key, leaver_id))) is None
    assert db.session.scalar(select(func.count()).select_from(OutboxMail).where(OutboxMail.recipient == email)) == 0


def test_response_table_holds_nothing_that_names_a_member(app, staff, panel, caplog):
    caplog.set_level("DEBUG")
    s, people = _close_with_answers(app, staff, panel, count=6)
    dump = " ".join(" ".join(str(c) for c in row) for row in
                    db.session.execute(text("SELECT * FROM panel_survey_response")).all())
    columns = {c.name for c in SurveyResponse.__table__.columns}
    assert columns == {"key", "survey_id", "cells", "answers", "submitted", "started_on", "updated_on"}
    recipient_columns = {c.name for c in Recipient.__table__.columns}
    assert not recipient_columns & {"token", "response_key", "answered_at"}
    for person in people:
        tok = token_for(app, s, person)
        assert tok not in dump and person.email not in dump and person.pseudonym not in dump
        assert tok not in caplog.text and person.email not in caplog.text
    # No column ties a response to a time finer than a day.
    stored = [v for row in db.session.execute(text("SELECT started_on, updated_on FROM panel_survey_response"))
              for v in row]
    assert stored and all(str(v).count(":") == 0 for v in stored)


def test_publishing_needs_a_closed_survey(app, staff, panel):
    join(panel, 1)
    s = send(staff, survey(staff, panel))
    with force_locale("en"), pytest.raises(Conflict, match="closed"):
        report.publish(s.id, actor=staff, now=NOW)


def test_a_control_character_in_free_text_is_refused(app, staff, panel):
    member = join(panel, 1)
    s = send(staff, survey(staff, panel))
    with pytest.raises(answering.AnswersInvalid):
        answering.save(s.id, token_for(app, s, member), _answers(s, free="a\x00b"), submit=True, now=NOW)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0


def test_a_representative_sample_from_a_draw_group(app, staff, panel):
    from panel.invitations.models import Invitation
    from panel.recruitment.models import Volunteer
    from panel.selection import services as selection
    from panel.standing import services as standing

    people = [join(panel, n, gender="female" if n % 2 else "male", age="young" if n % 3 else "old")
              for n in range(12)]
    with force_locale("en"), pytest.raises(ValidationFailed, match="draw group"):
        services.create_survey(panel.id, titles={"fi": "Otos"}, intros={}, audience="sample", actor=staff, now=NOW)
    db.session.rollback()
    group = standing.create_draw_group(panel.id, name_fi="Otos", name_sv="Urval", target_size=4,
                                       actor=staff, now=NOW)
    db.session.commit()
    selection.prepare_draw(group.id, seed_source="test", actor=staff, now=NOW)
    selection.run_draw(group.id, seed_value="1 2 3", actor=staff, now=NOW)
    db.session.commit()
    chosen = set(db.session.scalars(select(Volunteer.source_volunteer_id).join(
        Invitation, Invitation.volunteer_id == Volunteer.id).where(Invitation.panel_id == group.id)))
    s = services.create_survey(panel.id, titles={"fi": "Otos"}, intros={}, audience="sample",
                               sample_panel_id=group.id, actor=staff, now=NOW)
    services.add_question(s.id, kind="scale", texts={"fi": "Samaa mieltä?"}, actor=staff, now=NOW)
    db.session.commit()
    send(staff, s)
    sent = set(db.session.scalars(select(Recipient.volunteer_id).where(Recipient.survey_id == s.id)))
    assert len(chosen) == 4 and sent == chosen
    assert sent < {p.id for p in people}


def test_figures_are_kept_at_closing_and_follow_corrected_population_shares(app, staff, panel):
    from panel.recruitment.models import Category, Feature

    s, _people = _close_with_answers(app, staff, panel, count=12)
    stored = db.session.get(Survey, s.id).figures
    assert stored["respondents"] == 12 and db.session.get(Survey, s.id).figures_key
    _s, res = report.survey_results(s.id, actor=staff, now=NOW + timedelta(days=2))
    assert res == stored
    # The county corrects the gender shares after closing: the page recomputes, the stored
    # figures are not overwritten by a page view.
    female = db.session.scalar(select(Category).join(Feature).where(
        Feature.panel_id == panel.id, Feature.key == "gender", Category.value == "female"))
    male = db.session.scalar(select(Category).join(Feature).where(
        Feature.panel_id == panel.id, Feature.key == "gender", Category.value == "male"))
    female.population_share, male.population_share = 30.0, 70.0
    db.session.commit()
    _s, fresh = report.survey_results(s.id, actor=staff, now=NOW + timedelta(days=3))
    gender = {r["value"]: r for f in fresh["composition"] if f["feature"] == "gender" for r in f["rows"]}
    assert gender["female"]["population_share"] == 0.3
    assert db.session.get(Survey, s.id).figures == stored
