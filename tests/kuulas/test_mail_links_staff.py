"""A link sent by mail never opens a staff session (issue item 6).

Every consumer of a one-time link is tried with an administrator as the target: the
resident sign-in link, the panel confirmation, the digiraati expert link and the
set-password link.  The link may do its own job (confirm the registration); the staff
member then signs in with the password and the second factor, as staff always do.
"""
from __future__ import annotations

import re

import pyotp
from sqlalchemy import select

from kuulas.clock import utcnow
from kuulas.extensions import db

from ..conftest import TEST_PASSWORD


def _is_staff_session(client) -> bool:
    """The staff area answers 200 only to a signed-in staff session."""
    return client.get("/hallinta").status_code == 200


def test_resident_sign_in_link_does_not_sign_in_an_administrator(app, client, make_staff):
    from kuulas.accounts import services

    admin = make_staff("administrator")
    token = services.issue_token(admin, services.PURPOSE_LOGIN, now=utcnow(), next_path="/hallinta")
    db.session.commit()
    response = client.post(f"/kirjaudu/linkki/{token}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/kirjaudu/henkilosto")
    assert not _is_staff_session(client)
    with client.session_transaction() as sess:
        assert "_user_id" not in sess
    # The link is used up all the same.
    assert client.post(f"/kirjaudu/linkki/{token}").status_code == 410


def test_panel_confirmation_confirms_but_does_not_sign_in_staff(app, client, make_staff):
    from panel.recruitment.models import Volunteer

    from ..panel.helpers import make_panel

    admin = make_staff("administrator", email="admin-panel@example.fi")
    panel = make_panel(make_staff("preparer"))
    client.set_cookie("kuulas_lang", "en")
    response = client.post(f"/paneelit/{panel.id}", data={
        "email": admin.email, "display_name": "Admin", "f_gender": "female", "f_age": "old",
        "consent": "y"})
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    from kuulas.mail.models import OutboxMail

    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.category == "panel_confirm"))
    path = re.search(r"https?://\S+", mail.body_text).group(0).split("localhost", 1)[1]
    response = client.post(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/kirjaudu/henkilosto")
    assert f"next=/paneelit/{panel.id}/oma" in response.headers["Location"].replace("%2F", "/")
    assert not _is_staff_session(client)
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.panel_id == panel.id))
    assert volunteer.state == "confirmed"           # the link's own purpose is done
    page = client.get("/kirjaudu/henkilosto").get_data(as_text=True)
    assert "does not sign in a staff account" in page and "registration is confirmed" in page


def test_expert_link_to_an_administrator_needs_password_and_second_factor(app, client, make_staff):
    from deliberation.raati import services
    from kuulas.accounts import services as accounts
    from kuulas.accounts.models import Account

    now = utcnow()
    moderator = make_staff("moderator")
    admin = make_staff("administrator", email="admin-expert@example.fi")
    secret = pyotp.random_base32()
    accounts.enable_totp(db.session.get(Account, admin.id), secret, pyotp.TOTP(secret).at(now),
                         now=now)
    raati = services.save_raati(None, {"title_fi": "T", "question_fi": "Q"}, actor=moderator, now=now)
    token = services.invite_expert(raati.id, admin.email, actor=moderator, now=now)
    db.session.commit()

    response = client.post(f"/raati/asiantuntija/{token}")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/kirjaudu/henkilosto"), location
    assert not _is_staff_session(client)
    assert client.get(f"/raati/{raati.id}/nimi").status_code == 302     # not a member session either

    # The way in: password, then the second factor, then on to the expert view.
    response = client.post(location, data={"email": admin.email, "password": TEST_PASSWORD})
    assert response.headers["Location"].endswith("/kirjaudu/tunnistus")
    assert not _is_staff_session(client)
    step = db.session.get(Account, admin.id).totp_last_step
    response = client.post("/kirjaudu/tunnistus",
                           data={"code": pyotp.TOTP(secret).at((step + 1) * 30)})
    assert response.status_code == 302 and response.headers["Location"] == f"/raati/{raati.id}"
    assert client.get(f"/raati/{raati.id}/nimi").status_code == 200
    assert _is_staff_session(client)


def test_set_password_link_of_an_administrator_signs_nobody_in(app, client, make_staff):
    from kuulas.accounts import services

    admin = make_staff("administrator")
    token = services.issue_token(admin, services.PURPOSE_SET_PASSWORD, now=utcnow())
    db.session.commit()
    response = client.post(f"/tili/salasana/{token}", data={"password": "a brand new passphrase"})
    assert response.status_code == 302 and response.headers["Location"] == "/kirjaudu/henkilosto"
    assert not _is_staff_session(client)


def test_no_area_can_open_a_staff_session_with_login_user(app, make_staff, make_resident):
    """The user loader refuses a staff account in a session its password did not open, so
    an area that calls ``login_user`` itself (as the expert and panel views did) cannot."""
    from flask_login import login_user

    from kuulas.accounts.models import Account

    admin = make_staff("administrator")
    resident = make_resident()

    def backdoor(account_id: int):
        login_user(db.session.get(Account, account_id))
        return "ok"

    app.add_url_rule("/test-backdoor/<int:account_id>", view_func=backdoor, methods=["POST"])
    staff_client, resident_client = app.test_client(), app.test_client()
    staff_client.post(f"/test-backdoor/{admin.id}")
    assert not _is_staff_session(staff_client)
    resident_client.post(f"/test-backdoor/{resident.id}")
    assert resident_client.get("/oma").status_code == 200
