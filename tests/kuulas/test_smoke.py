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


def test_attempt_without_flash_leaves_the_reason_to_the_view(app):
    from flask import get_flashed_messages
    from kuulas.accounts.models import Account
    from kuulas.errors import ValidationFailed
    from kuulas.extensions import db
    from kuulas.web import attempt

    def add():
        db.session.add(Account(email="field@example.fi"))
        db.session.flush()
        raise ValidationFailed("beside the field")

    with app.test_request_context():
        ok, exc = attempt(add, flash_error=False)
        assert not ok and isinstance(exc, ValidationFailed)
        assert get_flashed_messages() == []
    assert db.session.query(Account).filter_by(email="field@example.fi").count() == 0


def test_queue_template_renders_an_areas_folder_with_headers(app):
    from kuulas.clock import utcnow
    from kuulas.extensions import db
    from kuulas.mail.services import queue_template

    with app.test_request_context():
        mail = queue_template("seuraaja@example.fi", "confirm", folder="follow/mail", locale="sv",
                              category="follow", now=utcnow(),
                              headers={"List-Unsubscribe": "<https://x/peru>", "X-Other": "dropped"},
                              target=type("T", (), {"title": "Parken", "lang": "sv"})(),
                              confirm_url="https://x/vahvista", days=7, site_url=lambda p: p,
                              manage_url="https://x/omat", unsubscribe_url="https://x/peru",
                              day_text=str)
        db.session.commit()
    assert mail.headers == {"List-Unsubscribe": "<https://x/peru>"}
    assert mail.subject == "Bekräfta att du vill följa: Parken"   # first line, in Swedish
    assert "https://x/vahvista" in mail.body_text and mail.body_text == mail.body_text.lstrip("\n")
