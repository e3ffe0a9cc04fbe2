"""Standing panels: renewal and expiry job, draw groups from the pool, idea-round
invitations, and deletion on leave (frozen clock throughout)."""
from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from kuulas import scheduler
from kuulas.accounts.models import Account
from kuulas.errors import ValidationFailed
from kuulas.extensions import db
from kuulas.mail.models import OutboxMail
from panel import pool
from panel.clients import services as clients
from panel.invitations.models import Invitation
from panel.recruitment import services
from panel.recruitment.models import Panel, Volunteer
from panel.selection import services as selection
from panel.standing import services as standing
from panel.standing.models import PoolMailing, PoolMailingRecipient

from .helpers import make_panel, text

NOW = datetime(2026, 3, 1, 12, 0)


def standing_panel(staff, **extra):
    return make_panel(staff, now=NOW, standing=True, consent_months=12,
                      recruitment_closes_at=None, **extra)


def catalogue(staff):
    for position, (key, fi, sv) in enumerate([("home_care", "Kotihoito", "Hemvård"),
                                              ("family_doctor", "Omalääkäri", "Egenläkare")]):
        clients.create_service({"key": key, "name_fi": fi, "name_sv": sv, "name_en": key,
                                "area": "health", "position": position}, actor=staff, now=NOW)
    db.session.commit()


def join(panel, n, *, now=NOW, services_used=(), locale="fi"):
    volunteer, token = services.register(
        panel.id, email=f"m{n}@example.fi", display_name=f"Jäsen {n}",
        answers={"gender": "female" if n % 2 else "male", "age": "young" if n % 3 else "old"},
        consent=True, sensitive_consent=bool(services_used), services=list(services_used),
        locale=locale, now=now)
    services.confirm(token, now=now)
    db.session.commit()
    return volunteer


def mails(category):
    return db.session.scalars(select(OutboxMail).where(OutboxMail.category == category)
                              .order_by(OutboxMail.id)).all()


def test_renewal_mail_once_then_renew_extends(app, make_staff):
    staff = make_staff("preparer")
    panel = standing_panel(staff)
    member = join(panel, 1)
    expires = member.consent_expires_at
    assert expires == datetime(2027, 3, 1, 12, 0)
    assert scheduler.run_job(app, "panel.standing", expires - timedelta(days=31))["renewal_mails"] == 0
    assert scheduler.run_job(app, "panel.standing", expires - timedelta(days=29))["renewal_mails"] == 1
    assert scheduler.run_job(app, "panel.standing", expires - timedelta(days=28))["renewal_mails"] == 0
    [mail] = mails("panel_renewal")
    assert mail.recipient == "m1@example.fi" and "Jäsenyytesi" in mail.subject
    token = re.search(r"/paneelit/jatka/(\S+)", mail.body_text).group(1)
    renewed_at = expires - timedelta(days=10)
    standing.renew(token, now=renewed_at)
    db.session.commit()
    db.session.expire_all()
    member = db.session.get(Volunteer, member.id)
    assert member.consent_expires_at == pool.add_months(renewed_at, 12)
    assert member.renewal_sent_at is None
    # the old expiry passes: nothing is deleted
    assert scheduler.run_job(app, "panel.standing", expires + timedelta(days=1))["expired_deleted"] == 0
    assert db.session.get(Volunteer, member.id) is not None


def test_expired_members_are_deleted_by_the_job(app, make_staff):
    staff = make_staff("preparer")
    panel = standing_panel(staff)
    catalogue(staff)
    old = join(panel, 1, services_used=["home_care"])
    young = join(panel, 2, now=NOW + timedelta(days=60))
    old_id, old_account, expiry = old.id, old.account_id, old.consent_expires_at
    result = scheduler.run_job(app, "panel.standing", expiry)
    assert result["expired_deleted"] == 1
    db.session.expire_all()
    assert db.session.get(Volunteer, old_id) is None
    assert db.session.get(Account, old_account) is None
    assert db.session.get(Volunteer, young.id) is not None
    assert scheduler.run_job(app, "panel.standing", expiry)["expired_deleted"] == 0


def test_renewal_link_of_an_ended_membership_is_refused(app, client, make_staff):
    staff = make_staff("preparer")
    panel = standing_panel(staff)
    member = join(panel, 1)
    scheduler.run_job(app, "panel.standing", member.consent_expires_at - timedelta(days=5))
    token = re.search(r"/paneelit/jatka/(\S+)", mails("panel_renewal")[0].body_text).group(1)
    assert client.get(f"/paneelit/jatka/{token}").status_code == 200
    assert client.get("/paneelit/jatka/not-a-token").status_code == 404
    response = client.post(f"/paneelit/jatka/{token}")
    assert response.status_code == 302 and f"/paneelit/{panel.id}/jasenyys" in response.location
    assert client.post(f"/paneelit/jatka/{token}").status_code == 410     # used


def test_job_deletes_service_use_of_expired_unconfirmed_sign_ups(app, make_staff):
    from panel.clients.models import ServiceUse

    staff = make_staff("preparer")
    panel = standing_panel(staff)
    catalogue(staff)
    services.register(panel.id, email="p@example.fi", display_name="P", answers={},
                      consent=True, sensitive_consent=True, services=["home_care"], now=NOW)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ServiceUse)) == 1
    later = NOW + timedelta(days=5)
    scheduler.run_job(app, "panel.recruitment", later)     # deletes the unconfirmed sign-up
    assert scheduler.run_job(app, "panel.standing", later)["orphans_deleted"] == 1
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ServiceUse)) == 0


def test_sign_up_with_services_needs_the_separate_consent(app, make_staff):
    staff = make_staff("preparer")
    panel = standing_panel(staff)
    catalogue(staff)
    with pytest.raises(ValidationFailed) as err:
        services.register(panel.id, email="x@example.fi", display_name="X", answers={},
                          consent=True, sensitive_consent=False, services=["home_care"], now=NOW)
    assert "separate consent" in text(err.value)
    db.session.rollback()
    with pytest.raises(ValidationFailed) as err:
        services.register(panel.id, email="x@example.fi", display_name="X", answers={},
                          consent=True, sensitive_consent=True, services=["dentist"], now=NOW)
    assert "dentist" in text(err.value)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 0


def test_draw_group_reuses_the_draw_and_leave_cascades(app, make_staff):
    staff = make_staff("preparer")
    panel = standing_panel(staff)
    catalogue(staff)
    members = [join(panel, n, services_used=["home_care"] if n < 8 else ()) for n in range(12)]
    with pytest.raises(ValidationFailed):
        standing.create_draw_group(panel.id, name_fi="R", name_sv="R", target_size=20,
                                   actor=staff, now=NOW)
    db.session.rollback()
    group = standing.create_draw_group(panel.id, name_fi="Asiakasraati", name_sv="Klientjury",
                                       target_size=4, client_group="home_care", actor=staff,
                                       now=NOW)
    db.session.commit()
    assert group.parent_id == panel.id and group.kind == "client"
    assert [f.key for f in group.features] == ["gender", "age"]
    copies = db.session.scalars(select(Volunteer).where(Volunteer.panel_id == group.id)).all()
    assert sorted(c.source_volunteer_id for c in copies) == sorted(m.id for m in members[:8])
    assert not {c.pseudonym for c in copies} & {m.pseudonym for m in members}
    selection.prepare_draw(group.id, seed_source="test", actor=staff, now=NOW)
    draw = selection.run_draw(group.id, seed_value="1 2 3", actor=staff, now=NOW)
    db.session.commit()
    assert len(draw.selected) == 4
    assert "home_care" not in draw.people_csv
    invited = db.session.scalars(select(Invitation).where(Invitation.panel_id == group.id)).all()
    assert len(invited) == 4 and len(mails("panel_invitation")) == 4
    copy = db.session.get(Volunteer, invited[0].volunteer_id)
    source = db.session.get(Volunteer, copy.source_volunteer_id)
    with app.test_request_context():
        assert [item.title for item in pool.asked(source, "fi")] == ["Asiakasraati"]
    pool.leave(source.id, actor=staff, now=NOW)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Volunteer, copy.id) is None
    assert db.session.get(Invitation, invited[0].id).state == "withdrawn"
    assert selection.gaps(db.session.get(Panel, group.id))


def test_invite_pool_to_idea_round(app, make_staff):
    from deliberation.ideas import services as ideas

    from tests.ideas.conftest import round_data

    staff = make_staff("preparer")
    panel = standing_panel(staff)
    catalogue(staff)
    round_ = ideas.create_round(round_data(opens_at=NOW - timedelta(hours=1),
                                           closes_at=NOW + timedelta(days=7)),
                                actor=staff, now=NOW, publish=True)
    db.session.commit()
    members = [join(panel, n, services_used=["family_doctor"] if n % 2 else (),
                    locale="sv" if n == 1 else "fi") for n in range(6)]
    with pytest.raises(ValidationFailed):
        standing.invite_to_idea_round(panel.id, 9999, actor=staff, now=NOW)
    record = standing.invite_to_idea_round(panel.id, round_.id, client_group="family_doctor",
                                           sample_size=2, actor=staff, now=NOW,
                                           rng=random.Random(3))
    db.session.commit()
    assert (record.eligible, record.recipients) == (3, 2)
    sent = mails("panel_pool_invite")
    assert len(sent) == 2
    assert all(f"/ideariihi/{round_.id}" in m.body_text for m in sent)
    record = standing.invite_to_idea_round(panel.id, round_.id, actor=staff, now=NOW)
    db.session.commit()
    assert (record.eligible, record.recipients) == (4, 4)     # the two invited are skipped
    swedish = [m for m in mails("panel_pool_invite") if m.recipient == "m1@example.fi"]
    assert swedish and "Framtidens hemvård" in swedish[0].subject
    with pytest.raises(ValidationFailed):
        standing.invite_to_idea_round(panel.id, round_.id, actor=staff, now=NOW)
    db.session.rollback()
    with app.test_request_context():
        items = pool.asked(members[1], "sv")
    assert [i.title for i in items] == ["Framtidens hemvård"]
    pool.leave(members[1].id, actor=staff, now=NOW)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(PoolMailingRecipient)) == 5
    assert sum(m.recipients for m in db.session.scalars(select(PoolMailing))) == 6  # counts stay


def test_withdraw_or_remove_service_consent_deletes_service_use(app, make_staff):
    from panel.clients.models import ServiceUse

    staff = make_staff("preparer")
    panel = standing_panel(staff)
    catalogue(staff)
    member = join(panel, 1, services_used=["home_care", "family_doctor"])
    account = db.session.get(Account, member.account_id)
    assert clients.own_service_keys(member) == ["home_care", "family_doctor"]
    with pytest.raises(ValidationFailed):
        clients.update_own_services(panel.id, keys=["home_care"], consent=False, actor=account,
                                    now=NOW)
    db.session.rollback()
    clients.update_own_services(panel.id, keys=[], consent=False, actor=account, now=NOW)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ServiceUse)) == 0
    assert db.session.get(Volunteer, member.id).sensitive_consent_at is None
    assert pool.members(panel.id, now=NOW, service_keys=["home_care"]) == []


def test_withdrawing_consent_on_the_answers_page_deletes_service_use(app, make_staff):
    from panel.clients.models import ServiceUse

    staff = make_staff("preparer")
    panel = standing_panel(staff)
    catalogue(staff)
    member = join(panel, 1, services_used=["home_care"])
    account = db.session.get(Account, member.account_id)
    services.update_registration(panel.id, display_name="J", answers={"gender": "male"},
                                 sensitive_consent=False, actor=account, now=NOW)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ServiceUse)) == 0


def test_service_aggregates_are_suppressed(app, make_staff):
    staff = make_staff("preparer")
    panel = standing_panel(staff)
    catalogue(staff)
    for n in range(9):
        join(panel, n, services_used=["family_doctor"] + (["home_care"] if n < 2 else []))
    view = clients.service_aggregates(panel.id, actor=staff, now=NOW)
    rows = {r["service"]: r["row"] for r in view["rows"]}
    assert rows["home_care"].count is None and rows["home_care"].suppressed
    # 9 use the family doctor and 0 do not: the "no" cell is empty, nothing to hide
    assert rows["family_doctor"].count == 9
    assert view["consented"] == 9


def test_demo_standing_panel(app):
    from kuulas.clock import utcnow
    from kuulas.demo import seed_staff
    from panel.clients.models import Service, ServiceUse
    from panel.demo import seed_standing_panel

    now, out = utcnow(), []
    seed_staff(now, random.Random(1), out)
    seed_standing_panel(now, random.Random(1), out)
    db.session.commit()
    parent, group = db.session.scalars(select(Panel).order_by(Panel.id)).all()
    assert parent.standing and group.parent_id == parent.id and group.client_group == "family_doctor"
    assert db.session.scalar(select(func.count()).select_from(Service)) == 8
    assert db.session.scalar(select(func.count()).select_from(ServiceUse)) > 50
    assert len(pool.members(parent.id, now=now)) == 300
    assert standing.send_renewals(now) > 0          # some memberships are in the renewal window
