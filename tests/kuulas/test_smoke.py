def test_front_page_in_finnish_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="fi">' in response.get_data(as_text=True)


def test_staff_sign_in_and_home(client, make_staff, login):
    admin = make_staff("administrator")
    login(admin)
    response = client.get("/hallinta")
    assert response.status_code == 200
    assert admin.email in response.get_data(as_text=True)


def test_attempt_commits_or_rolls_back_with_a_flash(app):
    from flask import get_flashed_messages
    from kuulas.accounts.models import Account
    from kuulas.errors import ValidationFailed
    from kuulas.extensions import db
    from kuulas.web import attempt

    def add(email, fail=False):
        db.session.add(Account(email=email))
        db.session.flush()
        if fail:
            raise ValidationFailed("nope")
        return email

    with app.test_request_context():
        assert attempt(lambda: add("ok@example.fi"), "tallennettu") == (True, "ok@example.fi")
        ok, exc = attempt(lambda: add("bad@example.fi", fail=True))
        assert not ok and str(exc) == "nope"
        assert get_flashed_messages(with_categories=True) == [("success", "tallennettu"), ("error", "nope")]
    assert [a.email for a in db.session.query(Account)] == ["ok@example.fi"]
