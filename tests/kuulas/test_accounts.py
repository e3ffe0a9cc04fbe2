"""Accounts: staff passwords and TOTP, residents' one-time links, roles, the CLI."""
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from kuulas.accounts import services
from kuulas.accounts.models import Account, LoginToken
from kuulas.clock import utcnow
from kuulas.extensions import db
from kuulas.mail.models import OutboxMail
from tests.conftest import TEST_PASSWORD, mail_link


def last_mail(to):
    return db.session.scalars(select(OutboxMail).where(OutboxMail.recipient == to)
                              .order_by(OutboxMail.id.desc())).first()


def test_password_is_argon2_hashed(make_staff):
    staff = make_staff("preparer")
    assert staff.password_hash.startswith("$argon2")
    assert TEST_PASSWORD not in staff.password_hash


def test_wrong_password_is_refused_in_users_language(client, make_staff):
    staff = make_staff("moderator")
    response = client.post("/kirjaudu/henkilosto", data={"email": staff.email, "password": "nope nope nope"},
                           headers={"Accept-Language": "fi"})
    assert response.status_code == 401
    assert "Sähköpostiosoite tai salasana on väärä." in response.get_data(as_text=True)
    assert client.get("/hallinta").status_code == 302


def test_email_case_does_not_matter(client, make_staff):
    staff = make_staff("moderator", email="Mirja.M@Example.FI")
    assert staff.email == "mirja.m@example.fi"
    response = client.post("/kirjaudu/henkilosto", data={"email": "MIRJA.m@example.fi", "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_resident_link_flow_works_once(client, make_resident):
    resident = make_resident("asukas@example.fi")
    response = client.post("/kirjaudu", data={"email": "Asukas@Example.fi"})
    assert response.status_code == 200
    mail = last_mail("asukas@example.fi")
    assert mail is not None and mail.category == "login"
    link = mail_link(mail.body_text).replace("http://localhost", "")
    # Opening the link (as a mail scanner would) does not sign in or use it up.
    page = client.get(link)
    assert page.status_code == 200
    assert client.get("/oma").status_code == 302
    assert client.post(link).status_code == 302
    assert client.get("/oma").status_code == 200
    # The same link a second time: refused, with a clear message.
    other = client.application.test_client()
    again = other.post(link)
    assert again.status_code == 410
    assert "jo käytetty" in again.get_data(as_text=True)
    # Only a hash of the token is stored.
    token = link.rsplit("/", 1)[1]
    assert db.session.scalar(select(LoginToken).where(LoginToken.token_hash == token)) is None


def test_expired_and_bogus_links(client, make_resident):
    resident = make_resident()
    token = services.issue_token(resident, services.PURPOSE_LOGIN, now=utcnow() - timedelta(minutes=31))
    db.session.commit()
    response = client.post(f"/kirjaudu/linkki/{token}", headers={"Accept-Language": "sv"})
    assert response.status_code == 410
    assert "Länken har gått ut" in response.get_data(as_text=True)
    assert client.get("/kirjaudu/linkki/not-a-real-token").status_code == 404


def test_link_request_does_not_reveal_accounts(client, make_staff):
    staff = make_staff("administrator")
    unknown = client.post("/kirjaudu", data={"email": "nobody@example.fi"})
    known_staff = client.post("/kirjaudu", data={"email": staff.email})
    assert unknown.status_code == known_staff.status_code == 200
    # Staff must use password (+ TOTP); no link is sent that would bypass it.
    assert db.session.scalar(select(OutboxMail)) is None


def test_invalid_email_form_is_400(client):
    response = client.post("/kirjaudu", data={"email": "not an address"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_totp_enrolment_and_second_factor(client, make_staff, login, clock):
    staff = make_staff("preparer")
    login(staff)
    page = client.get("/tili/kaksivaiheinen")
    assert page.status_code == 200
    with client.session_transaction() as sess:
        secret = sess["totp_setup_secret"]
    assert client.post("/tili/kaksivaiheinen", data={"code": "000000"}).status_code == 200
    assert db.session.get(Account, staff.id).totp_secret is None
    enrolment_code = pyotp.TOTP(secret).at(clock.now)
    assert client.post("/tili/kaksivaiheinen", data={"code": enrolment_code}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Account, staff.id).totp_enabled
    client.post("/kirjaudu/ulos")

    # Password alone is not enough now.
    response = client.post("/kirjaudu/henkilosto", data={"email": staff.email, "password": TEST_PASSWORD})
    assert response.headers["Location"].endswith("/kirjaudu/tunnistus")
    assert client.get("/hallinta").status_code == 302
    assert client.post("/kirjaudu/tunnistus", data={"code": "123456"}).status_code == 401
    # The code used at enrolment is refused when replayed inside its window (the clock has not moved).
    assert client.post("/kirjaudu/tunnistus", data={"code": enrolment_code}).status_code == 401
    assert client.get("/hallinta").status_code == 302
    # Thirty seconds on, the next code signs in.
    clock.advance(seconds=30)
    assert client.post("/kirjaudu/tunnistus", data={"code": pyotp.TOTP(secret).at(clock.now)}).status_code == 302
    assert client.get("/hallinta").status_code == 200


def test_totp_codes_are_single_use():
    secret = pyotp.random_base32()
    account = Account(email="x@example.fi", totp_secret=secret)
    now = utcnow()
    code = pyotp.TOTP(secret).at(now)
    services.verify_totp(account, code, now=now)
    with pytest.raises(services.InvalidCredentials):
        services.verify_totp(account, code, now=now)


def test_deactivation_ends_existing_sessions(client, make_staff, login, app):
    admin = make_staff("administrator")
    victim = make_staff("moderator")
    other = app.test_client()
    login(victim, other)
    assert other.get("/hallinta").status_code == 200
    services.update_staff(victim.id, roles={"moderator"}, active=False, actor=admin, now=utcnow())
    db.session.commit()
    assert other.get("/hallinta").status_code == 302


def test_admin_creates_staff_who_sets_password(client, make_staff, login):
    admin = make_staff("administrator")
    login(admin)
    response = client.post("/hallinta/henkilosto/uusi",
                           data={"email": "Uusi@Example.fi", "display_name": "Uusi", "roles": ["preparer"]})
    assert response.status_code == 302
    mail = last_mail("uusi@example.fi")
    link = mail_link(mail.body_text).replace("http://localhost", "")
    fresh = client.application.test_client()
    assert fresh.post(link, data={"password": "short"}).status_code == 400
    assert fresh.post(link, data={"password": "a long enough password"}).status_code == 302
    assert fresh.post("/kirjaudu/henkilosto",
                      data={"email": "uusi@example.fi", "password": "a long enough password"}).status_code == 302
    assert fresh.get("/hallinta").status_code == 200
    # Duplicate staff e-mail is refused with a message, nothing saved twice.
    again = client.post("/hallinta/henkilosto/uusi",
                        data={"email": "UUSI@example.fi", "roles": ["moderator"]})
    assert "on jo henkilöstötili" in again.get_data(as_text=True)


def test_admin_cannot_lock_themselves_out(make_staff):
    admin = make_staff("administrator")
    with pytest.raises(services.ValidationFailed):
        services.update_staff(admin.id, roles={"preparer"}, active=True, actor=admin, now=utcnow())


def test_create_admin_cli(runner):
    result = runner.invoke(args=["create-admin", "--email", "Root@Example.fi", "--password-stdin"],
                           input="a very long password\n")
    assert result.exit_code == 0, result.output
    account = services.find_by_email("root@example.fi")
    assert account is not None and "administrator" in account.role_set
    short = runner.invoke(args=["create-admin", "--email", "b@example.fi", "--password-stdin"], input="x\n")
    assert short.exit_code != 0
    assert services.find_by_email("b@example.fi") is None


def test_deactivation_and_role_changes_need_a_confirmation_step(client, make_staff, login, app):
    """Both end the person's sessions: the form first shows what will happen (no
    JavaScript needed), and only the confirming POST changes anything (issue item 18)."""
    admin = make_staff("administrator")
    victim = make_staff("moderator", email="moderaattori@example.fi")
    other = app.test_client()
    login(victim, other)
    login(admin)
    url = f"/hallinta/henkilosto/{victim.id}"
    response = client.post(url, data={"roles": ["moderator"]}, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "can no longer sign in" in html and "signed out at once on every device" in html
    assert 'name="confirmed" value="yes"' in html and 'name="active"' not in html
    db.session.expire_all()
    assert db.session.get(Account, victim.id).active and other.get("/hallinta").status_code == 200

    response = client.post(url, data={"roles": ["moderator"], "confirmed": "yes"})
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(Account, victim.id).active
    assert other.get("/hallinta").status_code == 302

    # A role change: the step names the roles before and after.
    response = client.post(url, data={"roles": ["preparer"], "active": "y"},
                           headers={"Accept-Language": "en"})
    assert "Roles change from Moderator to Preparer." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Account, victim.id).role_set == {"moderator"}
    # Saving without a change needs no step.
    response = client.post(url, data={"roles": ["moderator"]})
    assert response.status_code == 302
