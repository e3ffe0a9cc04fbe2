"""Retention periods: configuration with legal minimums, the administrator's page, and each
purge with a frozen clock (older than the period goes, newer stays, the count is logged)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kuulas import audit, retention
from kuulas.clock import utcnow
from kuulas.extensions import db
from kuulas.scheduler import run_job
from tests.raati.conftest import room  # noqa: F401  (fixture)

NOW = utcnow().replace(microsecond=0)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def purge_lines(key):
    db.session.expire_all()
    return [line.detail["count"] for line in db.session.scalars(
        select(audit.AuditEvent).where(audit.AuditEvent.action == f"system.retention.{key}"))]


# --- configuration ----------------------------------------------------------------------

def test_defaults_cover_every_key():
    config = retention.from_environment({})
    assert set(config["days"]) == set(retention.KEYS) == {
        "accounts_inactive", "panel_volunteers", "panel_members", "raati_messages", "raati_members",
        "invitations", "survey_participation", "mail_outbox", "feedback_contact",
        "follow_subscriptions", "access_log", "data_requests", "idea_content"}
    assert config["days"]["accounts_inactive"] == 3 * 365 and config["days"]["mail_outbox"] == 30
    assert all(config["days"][k] >= config["minimum"][k] for k in retention.KEYS)


def test_environment_sets_periods_and_minimums():
    config = retention.from_environment({"KUULAS_RETENTION_ACCESS_LOG_DAYS": "400",
                                         "KUULAS_RETENTION_MAIL_OUTBOX_MIN_DAYS": "10",
                                         "KUULAS_RETENTION_MAIL_OUTBOX_DAYS": "10"})
    assert config["days"]["access_log"] == 400 and config["days"]["mail_outbox"] == 10


@pytest.mark.parametrize("env, message", [
    ({"KUULAS_RETENTION_ACCESS_LOG_DAYS": "30"}, "shorter than the legal minimum of 365 days"),
    ({"KUULAS_RETENTION_MAIL_OUTBOX_MIN_DAYS": "60"}, "MAIL_OUTBOX_DAYS=30 is shorter"),
    ({"KUULAS_RETENTION_IDEA_CONTENT_DAYS": "-5"}, "whole number of days"),
    ({"KUULAS_RETENTION_IDEA_CONTENT_DAYS": "kolme"}, "whole number of days"),
])
def test_a_bad_period_stops_the_start(env, message, tmp_path, monkeypatch):
    with pytest.raises(retention.RetentionConfigError, match=message):
        retention.from_environment(env)
    monkeypatch.setenv("KUULAS_INSTANCE", str(tmp_path / "instance"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    from app import create_app

    with pytest.raises(retention.RetentionConfigError):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


# --- the administrator's page ------------------------------------------------------------

def _form(**overrides):
    data = {key: str(retention.days(key)) for key in retention.KEYS}
    data.update({k: str(v) for k, v in overrides.items()})
    return data


def test_admin_page_refuses_a_period_below_the_minimum_and_saves_nothing(app, client, make_staff, login):
    login(make_staff("administrator"))
    r = client.post("/hallinta/sailytysajat", data=_form(access_log=30, mail_outbox=60),
                    headers={"Accept-Language": "sv"})
    body = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Minst 365 dagar" in body and 'id="access_log-error"' in body
    assert retention.days("mail_outbox") == 30 and retention.days("access_log") == 3 * 365   # nothing saved
    assert db.session.scalar(select(func.count()).select_from(retention.RetentionSetting)) == 0


def test_admin_page_saves_and_logs_the_change(app, client, make_staff, login):
    admin = make_staff("administrator")
    login(admin)
    r = client.post("/hallinta/sailytysajat", data=_form(mail_outbox=60))
    assert r.status_code == 302
    assert retention.days("mail_outbox") == 60
    (line,) = db.session.scalars(select(audit.AuditEvent).where(
        audit.AuditEvent.action == "retention.settings.change"))
    assert line.actor_id == admin.id and line.detail == {"mail_outbox": 60}
    assert client.post("/hallinta/sailytysajat", data=_form(mail_outbox=30)).status_code == 302
    assert retention.days("mail_outbox") == 30     # back to the configuration: the row goes
    assert count(retention.RetentionSetting) == 0


def test_only_administrators_set_periods(app, client, make_staff, login):
    login(make_staff("preparer"))
    assert client.get("/hallinta/sailytysajat").status_code == 403


# --- the purges, frozen clock ----------------------------------------------------------

def test_inactive_accounts_are_erased_recent_and_active_admins_stay(app, make_staff, make_resident):
    from kuulas.accounts.models import Account

    old, recent = make_resident("vanha@example.fi"), make_resident("uusi@example.fi")
    admin = make_staff("administrator", email="admin@example.fi")
    old_staff = make_staff("moderator", email="mod@example.fi")
    for account in (old, admin, old_staff):
        account.created_at = NOW - timedelta(days=3 * 365 + 1)
        account.last_login_at = None
    recent.created_at = NOW - timedelta(days=3 * 365 + 1)
    recent.last_login_at = NOW - timedelta(days=3 * 365 - 1)
    db.session.commit()
    old_id = old.id
    assert run_job(app, "retention.purge", NOW)["accounts_inactive"] == 2
    db.session.expire_all()
    emails = set(db.session.scalars(select(Account.email)))
    assert "vanha@example.fi" not in emails and "mod@example.fi" not in emails
    assert {"uusi@example.fi", "admin@example.fi"} <= emails
    erased = db.session.get(Account, old_staff.id)
    assert (erased.active, erased.password_hash, erased.roles, erased.display_name) == (False, None, [], "")
    # The resident went through the personal-data erasure: the account row itself is gone.
    assert db.session.get(Account, old_id) is None
    assert purge_lines("accounts_inactive") == [2]
    assert run_job(app, "retention.purge", NOW)["accounts_inactive"] == 0   # idempotent


def test_records_of_data_requests_go_after_their_period(app):
    from kuulas.personal.models import DataRequest
    from kuulas.personal.requests import log_request

    days = retention.days("data_requests")
    log_request("export", "vanha@example.fi", channel="self", actor=None, basis="", rows=3,
                now=NOW - timedelta(days=days + 1), secret="k")
    log_request("erase", "uusi@example.fi", channel="self", actor=None, basis="", rows=3,
                now=NOW - timedelta(days=days - 1), secret="k")
    db.session.commit()
    assert run_job(app, "retention.purge", NOW)["data_requests"] == 1
    db.session.expire_all()
    assert [r.kind for r in db.session.scalars(select(DataRequest))] == ["erase"]
    assert purge_lines("data_requests") == [1]


def test_mail_outbox_and_access_log(app):
    from kuulas.mail import services
    from kuulas.mail.models import OutboxMail

    sent = services.queue("a@example.fi", "Vanha", "x", now=NOW - timedelta(days=31))
    sent.status = "sent"
    services.queue("b@example.fi", "Tuore", "x", now=NOW - timedelta(days=29)).status = "sent"
    audit.record("auth.sign_in", now=NOW - timedelta(days=3 * 365 + 1))
    audit.record("auth.sign_in", now=NOW - timedelta(days=3 * 365 - 1))
    db.session.commit()
    result = run_job(app, "retention.purge", NOW)
    assert result["mail_outbox"] == 1 and result["access_log"] == 1
    assert [m.subject for m in db.session.scalars(select(OutboxMail))] == ["Tuore"]
    assert purge_lines("mail_outbox") == [1] and purge_lines("access_log") == [1]
    assert sorted(line.action for line in db.session.scalars(select(audit.AuditEvent))) == [
        "auth.sign_in", "system.retention.access_log", "system.retention.mail_outbox"]


def test_feedback_contacts_and_follow_requests(app, make_staff):
    from deliberation.feedback import services as feedback
    from deliberation.feedback.models import FeedbackContact
    from deliberation.ideas import services as ideas
    from deliberation.ideas.models import IdeaNotifyRequest
    from tests.ideas.conftest import round_data

    staff = make_staff("administrator")
    unit = feedback.create_unit(feedback.UnitData(name={"fi": "Asema"}, area="health", target_days=14,
                                                  handler_ids=(staff.id,)), actor=staff, now=NOW)
    for days in (366, 364):
        feedback.give(unit, rating=3, text="x", kind=None, contact=f"p{days}@example.fi", locale="fi",
                      channel="web", now=NOW - timedelta(days=days))
    old_round = ideas.create_round(round_data(opens_at=NOW - timedelta(days=400),
                                              closes_at=NOW - timedelta(days=366)),
                                   actor=staff, now=NOW - timedelta(days=400), publish=True)
    new_round = ideas.create_round(round_data(opens_at=NOW - timedelta(days=400),
                                              closes_at=NOW - timedelta(days=364)),
                                   actor=staff, now=NOW - timedelta(days=400), publish=True)
    for r in (old_round, new_round):
        db.session.add(IdeaNotifyRequest(id=f"k{r.id}", round_id=r.id, email=f"r{r.id}@example.fi"))
    db.session.commit()
    result = run_job(app, "retention.purge", NOW)
    assert result["feedback_contact"] == 1 and result["follow_subscriptions"] == 1
    assert [c.email for c in db.session.scalars(select(FeedbackContact))] == ["p364@example.fi"]
    assert [n.round_id for n in db.session.scalars(select(IdeaNotifyRequest))] == [new_round.id]


def test_idea_texts_of_rounds_closed_long_ago(app, make_staff):
    from deliberation.ideas import services as ideas
    from deliberation.ideas.models import CLOSED, Idea, IdeaComment
    from tests.ideas.conftest import round_data

    staff = make_staff("administrator")
    rounds = []
    for days in (5 * 365 + 1, 5 * 365 - 1):
        r = ideas.create_round(round_data(), actor=staff, now=NOW, publish=True)
        r.state, r.closed_at = CLOSED, NOW - timedelta(days=days)
        idea = Idea(round_id=r.id, author_hash="h" * 64, text=f"idea {days}", created_at=r.closed_at)
        db.session.add(idea)
        db.session.flush()
        db.session.add(IdeaComment(idea_id=idea.id, round_id=r.id, author_hash="h" * 64, text="c",
                                   created_at=r.closed_at))
        rounds.append(r)
    db.session.commit()
    assert run_job(app, "retention.purge", NOW)["idea_content"] == 2   # one comment, one text
    texts = {i.round_id: i.text for i in db.session.scalars(select(Idea))}
    assert texts == {rounds[0].id: "", rounds[1].id: f"idea {5 * 365 - 1}"}
    assert [c.round_id for c in db.session.scalars(select(IdeaComment))] == [rounds[1].id]


def test_raati_messages_and_members_after_the_end(app, room):  # noqa: F811
    from deliberation.raati import services
    from deliberation.raati.models import FINISHED, Event, Member, Message, Raati

    a = room.person("a")
    services.post_message(room.id, "Hei kaikki", actor=a.account, now=NOW)
    db.session.commit()
    raati = db.session.get(Raati, room.id)
    raati.state, raati.finished_at = FINISHED, NOW - timedelta(days=364)
    db.session.commit()
    result = run_job(app, "retention.purge", NOW)
    assert result["raati_messages"] == 0 and count(Message) == 1           # not yet
    later = NOW + timedelta(days=2)
    result = run_job(app, "retention.purge", later)
    assert result["raati_messages"] == 1 and count(Message) == 0 and count(Event) == 0
    assert purge_lines("raati_messages") == [1]
    members = count(Member)
    assert run_job(app, "retention.purge", later)["raati_members"] == 0
    assert run_job(app, "retention.purge", NOW + timedelta(days=2 * 365))["raati_members"] == members
    assert count(Member) == 0
