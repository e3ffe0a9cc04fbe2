"""Standing panels through the Flask client: staff set-up and pool pages, joining with
service use, the member's own page and leaving; what moderators and the public see; and
that leaving leaves no trace of the member in any table."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kuulas import scheduler
from kuulas.clock import utcnow
from kuulas.extensions import db
from kuulas.mail.models import OutboxMail
from panel import pool
from panel.clients import services as clients
from panel.clients.models import ServiceUse
from panel.recruitment import services
from panel.recruitment.models import Panel, Volunteer
from panel.selection import services as selection
from panel.standing import services as standing

from .helpers import make_panel

CONSENT_FIRST = {"fi": "anna ensin erillinen suostumus", "sv": "ge först det separata samtycket",
                 "en": "give the separate consent"}
CLOSING_DATE = {"fi": "rekrytoinnin päättymisaika", "sv": "när rekryteringen stänger",
                "en": "when recruitment closes"}


def standing_panel(staff, **extra):
    return make_panel(staff, standing=True, consent_months=12, recruitment_closes_at=None, **extra)


def catalogue(staff):
    for position, (key, fi, sv, en) in enumerate([
            ("home_care", "Kotihoito", "Hemvård", "Home care"),
            ("mental_health", "Mielenterveyspalvelut", "Mentalvårdstjänster", "Mental-health services")]):
        clients.create_service({"key": key, "name_fi": fi, "name_sv": sv, "name_en": en,
                                "area": "health", "position": position}, actor=staff, now=utcnow())
    db.session.commit()


def member(panel, n, services_used=(), email=None, name=None):
    now = utcnow()
    volunteer, token = services.register(
        panel.id, email=email or f"m{n}@example.fi", display_name=name or f"Jäsen {n}",
        answers={"gender": "female" if n % 2 else "male", "age": "young" if n % 3 else "old"},
        consent=True, sensitive_consent=bool(services_used), services=list(services_used), now=now)
    services.confirm(token, now=now)
    db.session.commit()
    return volunteer


def panel_form(now, **extra):
    form = {"name_fi": "Jatkuva paneeli", "name_sv": "Fortlöpande panel", "description_fi": "Kuvaus",
            "description_sv": "Beskrivning", "kind": "resident", "target_size": "40",
            "controller": "Hyvinvointialue", "retention_days": "30", "invitation_days": "7",
            "recruitment_opens_at": now.strftime("%Y-%m-%dT%H:%M"), "consent_months": "24"}
    form.update(extra)
    return form


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_staff_create_standing_panel_without_closing_date(app, client, login, make_staff, lang):
    login(make_staff("preparer"))
    client.set_cookie("kuulas_lang", lang)
    now = utcnow()
    bad = client.post("/hallinta/paneelit/uusi", data=panel_form(now))    # not standing
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and CLOSING_DATE[lang] in body and 'value="Jatkuva paneeli"' in body
    assert db.session.scalar(select(func.count()).select_from(Panel)) == 0
    ok = client.post("/hallinta/paneelit/uusi", data=panel_form(now, standing="y"))
    assert ok.status_code == 302
    panel = db.session.scalars(select(Panel)).one()
    assert panel.standing and panel.recruitment_closes_at is None and panel.consent_months == 24


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_join_with_services_needs_separate_consent(app, client, make_staff, lang):
    staff = make_staff("preparer")
    panel = standing_panel(staff)
    catalogue(staff)
    client.set_cookie("kuulas_lang", lang)
    page = client.get(f"/paneelit/{panel.id}").get_data(as_text=True)
    assert {"fi": "Kotihoito", "sv": "Hemvård", "en": "Home care"}[lang] in page
    assert {"fi": "12 kuukautta", "sv": "12 månader", "en": "12 months"}[lang] in page
    form = {"email": "uusi@example.fi", "display_name": "Uusi", "f_gender": "female",
            "f_age": "old", "services": ["home_care"], "consent": "y"}
    bad = client.post(f"/paneelit/{panel.id}", data=form)
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and CONSENT_FIRST[lang] in body and 'value="uusi@example.fi"' in body
    assert 'id="services-error"' in body          # the error sits next to the checkboxes
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 0
    ok = client.post(f"/paneelit/{panel.id}", data=dict(form, sensitive_consent="y"))
    assert ok.status_code == 200
    volunteer = db.session.scalars(select(Volunteer)).one()
    assert clients.own_service_keys(volunteer) == ["home_care"]
    mail = db.session.scalars(select(OutboxMail)).one()
    token = re.search(r"/paneelit/vahvista/(\S+)", mail.body_text).group(1)
    assert client.post(f"/paneelit/vahvista/{token}").status_code == 302
    db.session.expire_all()
    assert db.session.get(Volunteer, volunteer.id).consent_expires_at is not None


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_member_page_services_renew_and_leave(app, client, login, make_staff, lang):
    from kuulas.accounts.models import Account

    staff = make_staff("preparer")
    panel = standing_panel(staff)
    catalogue(staff)
    volunteer = member(panel, 1, services_used=["home_care"])
    account = db.session.get(Account, volunteer.account_id)
    login(account)
    client.set_cookie("kuulas_lang", lang)
    home = client.get("/oma").get_data(as_text=True)
    assert f"/paneelit/{panel.id}/jasenyys" in home
    page = client.get(f"/paneelit/{panel.id}/jasenyys")
    assert page.status_code == 200
    assert re.search(r'<input checked[^>]*value="home_care"', page.get_data(as_text=True))
    assert not re.search(r'<input checked[^>]*value="mental_health"', page.get_data(as_text=True))
    bad = client.post(f"/paneelit/{panel.id}/jasenyys",
                      data={"services-services": ["mental_health"]})       # no consent
    assert bad.status_code == 400 and CONSENT_FIRST[lang] in bad.get_data(as_text=True)
    assert 'id="services-services-error"' in bad.get_data(as_text=True)
    assert clients.own_service_keys(volunteer) == ["home_care"]
    ok = client.post(f"/paneelit/{panel.id}/jasenyys",
                     data={"services-consent": "y", "services-services": ["mental_health"]})
    assert ok.status_code == 302
    assert clients.own_service_keys(volunteer) == ["mental_health"]
    confirm = client.get(f"/paneelit/{panel.id}/jasenyys/eroa")
    assert confirm.status_code == 200
    assert {"fi": "poistetaan heti", "sv": "raderas följande genast", "en": "deleted at once"}[lang] \
        in confirm.get_data(as_text=True)
    gone = client.post(f"/paneelit/{panel.id}/jasenyys/eroa")
    assert gone.status_code == 302
    db.session.expire_all()
    assert db.session.get(Volunteer, volunteer.id) is None
    assert db.session.scalar(select(func.count()).select_from(ServiceUse)) == 0
    assert client.get(f"/paneelit/{panel.id}/jasenyys").status_code == 302     # signed out


def test_renew_button_on_own_page(app, client, login, make_staff):
    from kuulas.accounts.models import Account

    staff = make_staff("preparer")
    panel = standing_panel(staff)
    volunteer = member(panel, 1)
    db.session.execute(Volunteer.__table__.update().where(Volunteer.id == volunteer.id)
                       .values(consent_expires_at=utcnow() + timedelta(days=5)))
    db.session.commit()
    login(db.session.get(Account, volunteer.account_id))
    client.set_cookie("kuulas_lang", "en")
    assert "Renew my membership" in client.get(f"/paneelit/{panel.id}/jasenyys").get_data(as_text=True)
    assert client.post(f"/paneelit/{panel.id}/jasenyys/jatka").status_code == 302
    db.session.expire_all()
    assert db.session.get(Volunteer, volunteer.id).consent_expires_at > utcnow() + timedelta(days=300)


def _group_with_draw(staff, panel):
    group = standing.create_draw_group(panel.id, name_fi="Asiakasraati", name_sv="Klientjury",
                                       target_size=4, client_group="home_care", actor=staff,
                                       now=utcnow())
    db.session.commit()
    selection.prepare_draw(group.id, seed_source="test", actor=staff, now=utcnow())
    selection.run_draw(group.id, seed_value="4 5 6", actor=staff, now=utcnow())
    db.session.commit()
    return group


def test_service_use_never_reaches_moderators_or_the_public(app, client, login, make_staff):
    staff = make_staff("preparer")
    panel = standing_panel(staff)
    catalogue(staff)
    for n in range(8):
        member(panel, n, services_used=["home_care"] if n < 6 else ["mental_health"])
    group = _group_with_draw(staff, panel)
    secret = ("home_care", "Kotihoito", "mental_health", "Mielenterveyspalvelut")
    # the public: front page, both panels' pages, the draw report and every published file
    urls = ["/", f"/paneelit/{group.id}", f"/paneelit/{group.id}/arvonta"]
    urls += [f"/paneelit/{group.id}/arvonta/1/{name}" for name in
             ("pooli.csv", "kiintiot.csv", "paneeli.csv", "todennakoisyydet.csv")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not any(s in response.get_data(as_text=True) for s in secret), url
    # moderators: no pool page, no catalogue, and the roster names only
    login(make_staff("moderator"))
    assert client.get(f"/hallinta/paneelit/{panel.id}/jasenisto").status_code == 403
    assert client.get("/hallinta/paneelit/palvelut").status_code == 403
    for url in ("/hallinta/paneelit", f"/hallinta/paneelit/{group.id}/jasenet",
                f"/hallinta/paneelit/{panel.id}/jasenet"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not any(s in response.get_data(as_text=True) for s in secret), url
    # preparers see the counts, suppressed: 6 home-care users, "fewer than 5" for the 2 others
    login(staff)
    client.set_cookie("kuulas_lang", "en")
    page = client.get(f"/hallinta/paneelit/{panel.id}/jasenisto").get_data(as_text=True)
    # 6 use home care, 2 do not: the 2 is hidden, and the 6 too (it would give the 2 away)
    assert page.count("hidden (small numbers)") == 2 and "<td>6</td>" not in page


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_staff_service_catalogue_pages(app, client, login, make_staff, lang):
    login(make_staff("preparer"))
    client.set_cookie("kuulas_lang", lang)
    assert client.get("/hallinta/paneelit/palvelut").status_code == 200
    form = {"key": "Bad Key!", "name_fi": "Kotihoito", "name_sv": "Hemvård", "area": "elderly"}
    bad = client.post("/hallinta/paneelit/palvelut/uusi", data=form)
    assert bad.status_code == 400 and 'value="Kotihoito"' in bad.get_data(as_text=True)
    assert {"fi": "Palvelun tunnuksessa", "sv": "Tjänstens kod", "en": "service code"}[lang] \
        in bad.get_data(as_text=True)
    assert client.post("/hallinta/paneelit/palvelut/uusi", data=dict(form, key="home_care")).status_code == 302
    service = clients.catalogue()[0]
    dup = client.post("/hallinta/paneelit/palvelut/uusi", data=dict(form, key="home_care",
                                                                   name_fi="Toinen"))
    assert dup.status_code == 409
    assert client.post(f"/hallinta/paneelit/palvelut/{service.id}",
                       data=dict(form, key="home_care", name_fi="Kotihoito ja kotisairaala")).status_code == 302
    assert client.post(f"/hallinta/paneelit/palvelut/{service.id}/pois").status_code == 302
    db.session.expire_all()
    assert clients.catalogue() == []
    assert clients.catalogue(active_only=False)[0].name_fi == "Kotihoito ja kotisairaala"


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_staff_pool_page_draw_group_and_invite(app, client, login, make_staff, lang):
    from deliberation.ideas import services as ideas

    from tests.ideas.conftest import round_data

    staff = make_staff("preparer")
    panel = standing_panel(staff)
    catalogue(staff)
    for n in range(6):
        member(panel, n, services_used=["home_care"])
    round_ = ideas.create_round(round_data(), actor=staff, now=utcnow(), publish=True)
    db.session.commit()
    login(staff)
    client.set_cookie("kuulas_lang", lang)
    assert client.get(f"/hallinta/paneelit/{panel.id}/jasenisto").status_code == 200
    bad = client.post(f"/hallinta/paneelit/{panel.id}/jasenisto/ryhma",
                      data={"group-name_fi": "Raati", "group-name_sv": "Jury", "group-target_size": "50",
                            "group-invitation_days": "7"})
    assert bad.status_code == 400 and 'value="Raati"' in bad.get_data(as_text=True)
    assert {"fi": "Vain 6 jäsentä", "sv": "Endast 6 medlemmar", "en": "Only 6 members"}[lang] \
        in bad.get_data(as_text=True)
    ok = client.post(f"/hallinta/paneelit/{panel.id}/jasenisto/ryhma",
                     data={"group-name_fi": "Raati", "group-name_sv": "Jury", "group-target_size": "4",
                           "group-client_group": "home_care", "group-invitation_days": "7"})
    assert ok.status_code == 302 and "/arvonta" in ok.location
    invite = client.post(f"/hallinta/paneelit/{panel.id}/jasenisto/ideariihi",
                         data={"invite-round_id": str(round_.id), "invite-sample_size": "3"})
    assert invite.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)
                             .where(OutboxMail.category == "panel_pool_invite")) == 3
    again = client.post(f"/hallinta/paneelit/{panel.id}/jasenisto/ideariihi",
                        data={"invite-round_id": str(round_.id), "invite-sample_size": "x"})
    assert again.status_code == 400


def test_leaving_leaves_no_trace_in_any_table(app, client, login, make_staff):
    from deliberation.ideas import services as ideas
    from kuulas.accounts.models import Account

    from tests.ideas.conftest import round_data

    staff = make_staff("preparer")
    panel = standing_panel(staff)
    catalogue(staff)
    email, name = "zyxwv.qutsrp@example.fi", "Zyxwv Qutsrp"
    target = member(panel, 1, services_used=["home_care"], email=email, name=name)
    for n in range(2, 9):
        member(panel, n, services_used=["home_care"])
    group = _group_with_draw(staff, panel)
    round_ = ideas.create_round(round_data(), actor=staff, now=utcnow(), publish=True)
    db.session.commit()
    standing.invite_to_idea_round(panel.id, round_.id, actor=staff, now=utcnow())
    db.session.commit()
    scheduler.run_job(app, "panel.standing", target.consent_expires_at - timedelta(days=3))
    db.session.expire_all()

    def traces():
        found = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)).all():
                flat = " ".join(str(v) for v in row)
                if email in flat or name in flat:
                    found.append(table.name)
        return sorted(set(found))

    before = traces()
    assert {"panel_volunteer", "account", "outbox_mail"} <= set(before)
    login(db.session.get(Account, target.account_id))
    assert client.post(f"/paneelit/{panel.id}/jasenyys/eroa").status_code == 302
    db.session.expire_all()
    assert traces() == []
    assert db.session.get(Panel, group.id) is not None       # the group and its draw stay
