"""The access log: append-only, staff actions and sign-ins recorded with who/what/when/where,
nothing from anonymous participation, administrators search and export it."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import select, text
from werkzeug.routing.converters import AnyConverter, IntegerConverter

from kuulas import audit
from kuulas.clock import utcnow
from kuulas.extensions import db
from tests.raati.conftest import emit, room  # noqa: F401  (fixture)

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}

# Public and residents' endpoints that change state: never recorded (anonymous participation,
# residents' own pages).  Sign-in endpoints record explicitly (tested below).  A new
# state-changing endpoint must be either a staff view (recorded) or listed here.
NOT_STAFF = {
    "accounts.link", "accounts.second_factor", "accounts.set_password", "accounts.sign_in",
    "accounts.sign_out", "accounts.staff_sign_in",
    "feedback.give",
    "follow.confirm", "follow.subscribe", "follow.unfollow", "follow.unsubscribe", "feedback.kiosk_post", "feedback.kiosk_setup", "feedback.kiosk_unlock",
    "ideas.edit_comment", "ideas.edit_idea", "ideas.flag", "ideas.notify", "ideas.post_comment",
    "ideas.post_idea", "ideas.vote", "ideas.withdraw_comment", "ideas.withdraw_idea",
    "pages.feedback_form",
    "panel.confirm", "panel.invitation", "panel.membership", "panel.membership_leave",
    "panel.membership_renew", "panel.own", "panel.recruit", "panel.renew_link", "panel.withdraw",
    "panel_surveys.answer", "panel_surveys.resend",
    "participation.experience",
    "personal.own_delete",
    "raati.choose_name", "raati.expert_link", "raati.lock_statement",
}
AREAS = {"accounts", "panel", "panel_surveys", "ideas_staff", "raati_staff", "outcomes_staff",
         "feedback_staff", "participation_staff", "pages", "audit", "personal"}


def lines(**where):
    query = select(audit.AuditEvent).order_by(audit.AuditEvent.id)
    for key, value in where.items():
        query = query.where(getattr(audit.AuditEvent, key) == value)
    db.session.expire_all()
    return list(db.session.scalars(query))


def actions():
    return [line.action for line in lines()]


# --- the service API ----------------------------------------------------------------------

def test_record_stores_who_what_when_where_and_no_address(app, make_staff):
    admin = make_staff("administrator", "preparer")
    now = utcnow()
    audit.record("panel.pool.view", actor=admin, target_type="panel", target_id=7,
                 detail={"method": "GET", "ids": [1, 2]}, ip="203.0.113.9", now=now)
    db.session.commit()
    (line,) = lines()
    assert (line.at, line.actor_id, line.actor_role, line.action, line.target_type, line.target_id,
            line.ip, line.detail) == (now, admin.id, "administrator,preparer", "panel.pool.view", "panel",
                                      "7", "203.0.113.9", {"method": "GET", "ids": [1, 2]})
    row = db.session.execute(text("SELECT * FROM audit_event")).one()
    assert admin.email not in " ".join(str(v) for v in row)


@pytest.mark.parametrize("detail,refusal", [({"nested": {"a": 1}}, TypeError), ("text", TypeError),
                                            ({"obj": object()}, TypeError), ({"big": ["x" * 80] * 50}, ValueError)])
def test_detail_holds_only_small_scalars(app, detail, refusal):
    with pytest.raises(refusal):
        audit.record("x.y", detail=detail)


def test_the_api_offers_no_way_to_edit_a_line(app):
    import inspect

    public = set(audit.__all__) | {name for name, f in inspect.getmembers(audit, inspect.isfunction)
                                   if f.__module__ == audit.__name__ and not name.startswith("_")}
    editing = {n for n in public if any(w in n.lower() for w in ("update", "edit", "change", "delete", "remove"))}
    assert editing == set()
    assert {n for n in public if "purge" in n} == {"purge_older_than"}   # the retention job's path


def test_an_update_is_refused_by_the_orm_and_by_the_database(app):
    line = audit.record("auth.sign_in", ip="198.51.100.1")
    db.session.commit()
    line.action = "auth.nothing"
    with pytest.raises(audit.AppendOnly):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(sa_exc.IntegrityError, match="append-only"):     # SQLite: RAISE(ABORT)
        db.session.execute(text("UPDATE audit_event SET action = 'auth.nothing'"))
    db.session.rollback()
    assert actions() == ["auth.sign_in"]


@pytest.mark.postgres
def test_postgresql_trigger_refuses_update(tmp_path, monkeypatch, postgres_url):
    monkeypatch.setenv("KUULAS_INSTANCE", str(tmp_path / "instance"))
    from flask_migrate import upgrade

    from app import create_app

    pg = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": postgres_url, "SCHEDULER_MODE": "off"})
    with pg.app_context():
        upgrade()    # the migration's trigger
        audit.record("auth.sign_in", ip="198.51.100.1")
        db.session.commit()
        with pytest.raises(sa_exc.ProgrammingError, match="append-only"):  # PostgreSQL: RAISE EXCEPTION
            db.session.execute(text("UPDATE audit_event SET ip = NULL"))
        db.session.rollback()
        assert audit.purge_older_than(utcnow() + timedelta(seconds=1)) == 1   # DELETE stays possible
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


# --- sign-ins -----------------------------------------------------------------------------

def test_sign_ins_success_and_failure_and_sign_out(app, client, make_staff, make_resident, login):
    admin = make_staff("administrator")
    client.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    r = client.post("/kirjaudu/henkilosto", data={"email": admin.email, "password": "wrong password x"})
    assert r.status_code == 401
    r = client.post("/kirjaudu/henkilosto", data={"email": "nobody@example.fi", "password": "wrong password x"})
    assert r.status_code == 401
    login(admin)
    client.post("/kirjaudu/ulos")
    resident = make_resident()
    login(resident, app.test_client())
    app.test_client().post("/kirjaudu/linkki/not-a-real-token")
    got = [(line.action, line.actor_id, line.target_id, line.ip) for line in lines()]
    assert got[:4] == [("auth.sign_in_failed", None, str(admin.id), "192.0.2.44"),
                       ("auth.sign_in_failed", None, None, "192.0.2.44"),
                       ("auth.sign_in", admin.id, None, "192.0.2.44"),
                       ("auth.sign_out", admin.id, None, "192.0.2.44")]
    assert got[4][:2] == ("auth.sign_in", resident.id)
    assert lines(action="auth.sign_in")[1].actor_role == audit.RESIDENT
    assert lines()[-1].detail == {"method": "mail_link", "reason": "token_invalid"}
    dump = " ".join(str(v) for row in db.session.execute(text("SELECT * FROM audit_event")) for v in row)
    assert "nobody@example.fi" not in dump and admin.email not in dump and "wrong password" not in dump


def test_role_change_is_recorded_with_old_and_new_roles(app, client, make_staff, login):
    admin, other = make_staff("administrator"), make_staff("moderator")
    login(admin)
    r = client.post(f"/hallinta/henkilosto/{other.id}",
                    data={"roles": ["preparer"], "active": "y", "confirmed": "yes"})
    assert r.status_code == 302
    (line,) = lines(action="accounts.staff.update")
    assert (line.actor_id, line.target_type, line.target_id) == (admin.id, "account", str(other.id))
    assert line.detail == {"roles": ["preparer"], "old_roles": ["moderator"], "active": True}
    assert not lines(action="accounts.staff_edit")   # one line, not two


# --- anonymous participation is never recorded --------------------------------------------

def test_anonymous_participation_is_never_logged_even_for_signed_in_staff(app, client, make_staff, login):
    from deliberation.feedback import services as feedback
    from deliberation.ideas import services as ideas
    from deliberation.ideas.models import Idea
    from tests.ideas.conftest import round_data

    staff = make_staff("administrator")
    round_ = ideas.create_round(round_data(), actor=staff, now=utcnow(), publish=True)
    unit = feedback.create_unit(feedback.UnitData(name={"fi": "Asema"}, area="health", target_days=14,
                                                  handler_ids=(staff.id,)), actor=staff, now=utcnow())
    db.session.commit()
    login(staff)
    start = len(lines())
    assert client.get(f"/ideariihi/{round_.id}").status_code == 200
    assert client.post(f"/ideariihi/{round_.id}/ideat", data={"text": "Iltavastaanotto"}).status_code == 302
    idea = db.session.scalars(select(Idea)).one()
    other = app.test_client()
    other.get(f"/ideariihi/{round_.id}")
    other.post(f"/ideariihi/{round_.id}/ideat", data={"text": "Toinen idea"})
    client.get(f"/ideariihi/{round_.id}")
    assert client.post(f"/ideariihi/{round_.id}/aani",
                       data={"idea_id": idea.public_id, "value": "agree"}).status_code == 302
    assert client.post(f"/palaute/{unit.slug}", data={"rating": "4", "text": "Hyvä"}).status_code == 303
    assert lines()[start:] == []


def test_every_state_changing_endpoint_is_staff_or_known_public(app):
    """A state-changing view without ``staff_required`` would escape the log: it must be a
    known public/resident endpoint (never logged), or become a staff view."""
    unknown, areas = [], set()
    for rule in app.url_map.iter_rules():
        if not rule.methods & STATE_CHANGING or rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        if getattr(view, "permission", None):
            areas.add(rule.endpoint.split(".")[0])
        elif rule.endpoint not in NOT_STAFF:
            unknown.append(rule.endpoint)
    assert unknown == []
    assert AREAS - areas == set()     # every area's staff actions are in the walk below


def _url_for_rule(rule) -> str:
    values = {}
    for name, conv in rule._converters.items():
        values[name] = (1 if isinstance(conv, IntegerConverter)
                        else sorted(conv.items)[0] if isinstance(conv, AnyConverter) else "fi")
    return rule.build({**(rule.defaults or {}), **values}, append_unknown=False)[1]


def test_walk_every_staff_action_and_find_its_line(app, client, make_staff, login, monkeypatch):
    """Every staff POST endpoint of every area, answered successfully (the views are replaced
    by a stub that redirects, so the test covers routing and the hook, not each form), leaves
    one line naming the endpoint, the actor and the target; the admin export lists them."""
    from flask import redirect

    admin = make_staff("administrator")
    login(admin)
    walked = []
    for rule in list(app.url_map.iter_rules()):
        view = app.view_functions[rule.endpoint]
        if not rule.methods & STATE_CHANGING or not getattr(view, "permission", None):
            continue

        def stub(**_kw):
            return redirect("/hallinta")
        stub.permission = view.permission
        monkeypatch.setitem(app.view_functions, rule.endpoint, stub)
        url = _url_for_rule(rule)
        assert client.post(url).status_code == 302, url
        walked.append((rule.endpoint, url))
    assert len(walked) >= 60
    got = [(line.action, line.actor_id) for line in lines()[1:]]   # after the sign-in
    assert got == [(endpoint, admin.id) for endpoint, _url in walked]
    by_action = {line.action: line for line in lines()}
    raati_member = by_action["raati_staff.member_role"]
    assert (raati_member.target_type, raati_member.target_id) == ("member", "1")
    assert raati_member.detail["raati_id"] == 1
    assert {endpoint.split(".")[0] for endpoint, _u in walked} == AREAS

    monkeypatch.undo()
    export = client.get("/hallinta/lokit/loki.csv")
    assert export.status_code == 200 and export.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    exported = {row[3] for row in rows[1:]}
    assert {endpoint for endpoint, _u in walked} <= exported
    assert lines()[-1].action == "audit.log.export"          # the export itself is logged


def test_real_actions_are_logged(app, client, make_staff, login):
    """Real (not stubbed) staff actions: an account created, a page edited."""
    admin = make_staff("administrator")
    login(admin)
    r = client.post("/hallinta/henkilosto/uusi", data={"email": "uusi@example.fi", "roles": ["moderator"]})
    assert r.status_code == 302
    r = client.post("/hallinta/sivut/privacy/en", data={"title": "Edited", "body": "Edited text"})
    assert r.status_code == 302
    created = lines(action="accounts.staff.create")[0]
    assert created.detail == {"roles": ["moderator"]} and created.target_type == "account"
    (edit,) = lines(action="pages.edit")
    assert edit.actor_id == admin.id and edit.detail["slug"] == "privacy" and edit.detail["locale"] == "en"
    assert "Edited" not in str(edit.detail)       # what was written is not copied into the log


# --- sensitive views, search and export ---------------------------------------------------

def test_sensitive_views_are_logged_and_plain_pages_are_not(app, client, make_staff, login):
    admin = make_staff("administrator")
    login(admin)
    start = len(lines())
    assert client.get("/hallinta").status_code == 200
    assert client.get("/hallinta/postilaatikko").status_code == 200
    assert client.get("/hallinta/henkilosto").status_code == 200
    assert client.get("/hallinta/postilaatikko/999").status_code == 404   # not found: nothing shown
    assert [line.action for line in lines()[start:]] == ["mail.outbox.view", "accounts.staff.view"]


def test_only_administrators_read_the_log(app, client, make_staff, login):
    login(make_staff("preparer"))
    assert client.get("/hallinta/lokit").status_code == 403
    assert client.get("/hallinta/lokit/loki.csv").status_code == 403


def test_search_by_actor_action_dates_and_target_with_pages(app, client, make_staff, login):
    admin, other = make_staff("administrator"), make_staff("moderator")
    now = utcnow()
    for n in range(60):
        audit.record("panel.pool.view", actor=other, target_type="panel", target_id=n % 3,
                     now=now - timedelta(days=n))
    audit.record("auth.sign_in", actor=other, now=now)
    db.session.commit()
    login(admin)
    page = client.get("/hallinta/lokit", query_string={"actor": other.email, "action": "panel."})
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "60 " in body and "page=2" in body
    f = audit.Filters(actor_id=other.id, action="panel.pool.view",
                      since=(now - timedelta(days=9)).date(), until=now.date(), target_type="panel",
                      target_id="0")
    assert audit.count(f) == 4          # days 0, 3, 6, 9
    assert audit.count(audit.Filters(action="panel_pool.")) == 0   # "_" is not a wildcard
    r = client.get("/hallinta/lokit", query_string={"actor": "nobody@example.fi"})
    assert r.status_code == 400 and 'aria-invalid="true"' in r.get_data(as_text=True)


def test_export_neutralises_formulas(app, client, make_staff, login):
    admin = make_staff("administrator")
    audit.record("x.y", target_type="=HYPERLINK(1)", target_id="+1", detail={"k": "@x"})
    db.session.commit()
    login(admin)
    body = client.get("/hallinta/lokit/loki.csv", query_string={"action": "x.y"}).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 2
    assert rows[1][4] == "'=HYPERLINK(1)" and rows[1][5] == "'+1"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_moderation_in_the_raati_room_is_logged_without_text(app, room):  # noqa: F811
    mod, a = room.socket("mod"), room.socket("a")
    assert emit(a, "message", {"body": "Viesti jonka moderaattori piilottaa"})["ok"]
    seq = max(m.seq for m in _messages(room.id))
    target = room.person("a").member.id
    assert emit(mod, "hide", {"seq": seq, "reason": "asiaton kommentti"})["ok"]
    assert emit(mod, "moderate", {"member": target, "action": "mute", "reason": "häirintä"})["ok"]
    got = [(line.action, line.actor_id, line.target_id, line.detail) for line in lines()
           if line.action.startswith("raati.room.")]
    moderator = room.person("mod").account.id
    assert got == [("raati.room.hide", moderator, str(room.id), {"seq": seq}),
                   ("raati.room.moderate", moderator, str(room.id), {"member": target, "action": "mute"})]
    assert not [line for line in lines() if line.action == "raati.room.message"]   # members' posts: not logged


def _messages(raati_id):
    from deliberation.raati.models import Message

    return db.session.scalars(select(Message).where(Message.raati_id == raati_id)).all()


def test_create_admin_from_the_cli_is_logged_as_system(app, runner):
    result = runner.invoke(args=["create-admin", "--email", "root@example.fi", "--password-stdin"],
                           input="a long enough password\n")
    assert result.exit_code == 0, result.output
    (line,) = lines(action="accounts.staff.create")
    assert (line.actor_id, line.actor_role, line.target_type) == (None, audit.SYSTEM, "account")
    assert line.detail == {"roles": ["administrator"], "via": "cli"}
