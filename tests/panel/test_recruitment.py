"""Panel set-up and recruitment: services and their pages."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kuulas.clock import utcnow
from kuulas.errors import AccessDenied, ValidationFailed
from kuulas.extensions import db
from kuulas.mail.models import OutboxMail
from panel.errors import DetailedValidation
from panel.recruitment import services
from panel.recruitment.models import Answer, Category, Panel, Volunteer

from .helpers import GENDER, make_panel, text


def test_shares_must_sum_to_100(app, make_staff):
    staff = make_staff("preparer")
    panel = make_panel(staff, features=(), open_now=False)
    with pytest.raises(ValidationFailed) as err:
        services.save_feature(panel.id, key="gender", label_fi="Sukupuoli",
                              categories=services.parse_categories("f | 50\nm | 45"),
                              actor=staff, now=utcnow())
    assert "95.0" in text(err.value)
    # within rounding is fine
    services.save_feature(panel.id, key="gender", label_fi="Sukupuoli",
                          categories=services.parse_categories("f | 50,2\nm | 49.9 %"),
                          actor=staff, now=utcnow())


def test_moderator_cannot_set_up(app, make_staff):
    from flask_babel import force_locale

    with force_locale("en"), pytest.raises(AccessDenied):   # the kernel formats the reason eagerly
        make_panel(make_staff("moderator"))


def test_share_import_all_or_nothing(app, make_staff):
    staff = make_staff("preparer")
    panel = make_panel(staff, open_now=False)
    bad = "feature,value,population_share\ngender,female,51\ngender,nonbinary,1\nshoe,42,3\n"
    with pytest.raises(DetailedValidation) as err:
        services.import_shares(panel.id, bad, actor=staff, now=utcnow())
    details = text(err.value)
    assert "Row 3" in details and "nonbinary" in details and "Row 4" in details
    db.session.rollback()
    assert db.session.scalar(select(Category.population_share).where(Category.value == "female")) == 50
    with pytest.raises(ValidationFailed) as err:
        services.import_shares(panel.id, "feature,value\ngender,female\n", actor=staff, now=utcnow())
    assert "population_share" in text(err.value)
    n = services.import_shares(panel.id, "feature;value;population_share\ngender;female;51\n"
                               "gender;male;49\n", actor=staff, now=utcnow())
    assert n == 2


def test_register_confirm_and_duplicate_in_other_case(app, client, make_staff):
    panel = make_panel(make_staff("preparer"))
    client.set_cookie("kuulas_lang", "en")
    data = {"email": "Maija.Meikalainen@Example.FI", "display_name": "Maija",
            "f_gender": "female", "f_age": "undisclosed", "consent": "y"}
    response = client.post(f"/paneelit/{panel.id}", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.category == "panel_confirm"))
    assert mail.recipient == "maija.meikalainen@example.fi"
    link = re.search(r"https?://\S+", mail.body_text).group(0)
    path = link.split("localhost", 1)[1]
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302 and response.location.endswith(f"/paneelit/{panel.id}/oma")
    volunteer = db.session.scalar(select(Volunteer))
    assert volunteer.state == "confirmed" and volunteer.values() == {"gender": "female",
                                                                     "age": "undisclosed"}
    # The link works once.
    assert client.post(path).status_code == 410
    # Same address in another letter case: a clear 409 and nothing saved.
    response = client.post(f"/paneelit/{panel.id}", data={**data, "email": "MAIJA.meikalainen@example.fi"})
    assert response.status_code == 409
    assert "already registered" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 1


def test_register_requires_consent_and_known_category(app, client, make_staff):
    panel = make_panel(make_staff("preparer"))
    base = {"email": "a@example.fi", "display_name": "A", "f_gender": "female", "f_age": "old"}
    assert client.post(f"/paneelit/{panel.id}", data=base).status_code == 400
    response = client.post(f"/paneelit/{panel.id}", data={**base, "consent": "y", "f_gender": "robot"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 0


def test_finnish_error_message(app, client, make_staff):
    panel = make_panel(make_staff("preparer"))
    data = {"email": "b@example.fi", "display_name": "B", "f_gender": "male", "f_age": "old",
            "consent": "y"}
    client.set_cookie("kuulas_lang", "fi")
    assert client.post(f"/paneelit/{panel.id}", data=data).status_code == 200
    response = client.post(f"/paneelit/{panel.id}", data={**data, "email": "B@EXAMPLE.FI"})
    assert response.status_code == 409
    assert "on jo ilmoittauduttu" in response.get_data(as_text=True)


def test_sensitive_feature_needs_separate_consent(app, make_staff):
    staff = make_staff("preparer")
    panel = make_panel(staff, open_now=False)
    services.save_feature(panel.id, key="service", label_fi="Palvelut", sensitive=True,
                          categories=services.parse_categories("yes | 30\nno | 70"),
                          actor=staff, now=utcnow())
    services.publish(panel.id, actor=staff, now=utcnow())
    v, _ = services.register(panel.id, email="c@example.fi", display_name="C",
                             answers={"gender": "male", "age": "old", "service": "yes"},
                             consent=True, sensitive_consent=False, now=utcnow())
    assert v.values()["service"] == "undisclosed"
    v2, _ = services.register(panel.id, email="d@example.fi", display_name="D",
                              answers={"gender": "male", "age": "old", "service": "yes"},
                              consent=True, sensitive_consent=True, now=utcnow())
    assert v2.values()["service"] == "yes" and v2.sensitive_consent_at is not None


def test_one_per_household(app, make_staff):
    panel = make_panel(make_staff("preparer"), asks_address=True, one_per_household=True)
    kw = dict(display_name="X", answers={"gender": "male", "age": "old"}, consent=True,
              now=utcnow())
    services.register(panel.id, email="e@example.fi", postal_code="33100",
                      address="Hämeenkatu 1 A 2", **kw)
    with pytest.raises(services.AlreadyRegistered) as err:
        services.register(panel.id, email="f@example.fi", postal_code="33100",
                          address="  hämeenkatu 1  a 2 ", **kw)
    assert "household" in text(err.value)


def test_edit_and_withdraw_deletes_at_once(app, client, login, make_staff):
    panel = make_panel(make_staff("preparer"))
    v, _ = services.register(panel.id, email="g@example.fi", display_name="G",
                             answers={"gender": "male", "age": "old"}, consent=True, now=utcnow())
    db.session.commit()
    from kuulas.accounts.models import Account

    account = db.session.get(Account, v.account_id)
    login(account)
    page = client.get("/oma").get_data(as_text=True)
    assert "Testipaneeli" in page
    response = client.post(f"/paneelit/{panel.id}/oma", data={"display_name": "Gee",
                                                                 "f_gender": "female", "f_age": "young"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Volunteer, v.id).values() == {"gender": "female", "age": "young"}
    confirm = client.post(f"/paneelit/{panel.id}/oma/peru")
    assert confirm.status_code == 200 and db.session.scalar(select(func.count()).select_from(Volunteer)) == 1
    assert client.post(f"/paneelit/{panel.id}/oma/peru", data={"confirm": "yes"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 0
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_other_resident_cannot_see_registration(app, client, login, make_staff, make_resident):
    panel = make_panel(make_staff("preparer"))
    services.register(panel.id, email="h@example.fi", display_name="H",
                      answers={"gender": "male", "age": "old"}, consent=True, now=utcnow())
    db.session.commit()
    login(make_resident())
    assert client.get(f"/paneelit/{panel.id}/oma").status_code == 404


def test_volunteer_csv_import(app, client, login, make_staff):
    staff = make_staff("preparer")
    panel = make_panel(staff)
    login(staff)
    client.set_cookie("kuulas_lang", "en")
    bad = ("email,display_name,channel,gender,age\n"
           "p1@example.fi,Paperi 1,paper,female,old\n"
           "not-an-email,X,paper,male,old\n"
           "p3@example.fi,Y,fax,male,ancient\n"
           "P1@example.fi,Z,phone,male,young\n")
    response = client.post(f"/hallinta/paneelit/{panel.id}/pooli", data={"volunteers-text": bad})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    for expected in ("Row 3", "Row 4", "ancient", "Row 5"):
        assert expected in text
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 0
    response = client.post(f"/hallinta/paneelit/{panel.id}/pooli",
                           data={"volunteers-text": "email,display_name,gender\na@b.fi,A,male\n"})
    assert response.status_code == 400 and "age" in response.get_data(as_text=True)
    good = "email,display_name,channel,gender,age\np1@example.fi,P,paper,female,old\np2@example.fi,Q,phone,male,\n"
    response = client.post(f"/hallinta/paneelit/{panel.id}/pooli", data={"volunteers-text": good})
    assert response.status_code == 302
    page = client.get(f"/hallinta/paneelit/{panel.id}/pooli").get_data(as_text=True)
    assert "Shortfall: recruit at least" in page


def test_recruitment_opens_and_closes_by_itself(app, make_staff):
    from kuulas import scheduler

    now = utcnow()
    staff = make_staff("preparer")
    panel = make_panel(staff, now=now, recruitment_opens_at=now + timedelta(days=1),
                       recruitment_closes_at=now + timedelta(days=2))
    assert panel.state == "scheduled"
    scheduler.run_job(app, "panel.recruitment", now + timedelta(days=1, minutes=1))
    db.session.expire_all()
    assert db.session.get(Panel, panel.id).state == "recruiting"
    scheduler.run_job(app, "panel.recruitment", now + timedelta(days=1, minutes=1))  # idempotent
    scheduler.run_job(app, "panel.recruitment", now + timedelta(days=2, minutes=1))
    db.session.expire_all()
    assert db.session.get(Panel, panel.id).state == "recruitment_closed"


def test_front_page_card_and_staff_menu(app, client, login, make_staff):
    staff = make_staff("preparer")
    make_panel(staff)
    assert "Testipaneeli" in client.get("/", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    login(staff)
    assert "/hallinta/paneelit" in client.get("/hallinta").get_data(as_text=True)
