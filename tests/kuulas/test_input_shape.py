"""Text normalisation, control characters, integer ranges and double submits: the kernel's
answers to bad input that used to reach the database (and give a 500)."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from kuulas.text import BIDI_CONTROLS, ControlCharacter, clean, normalise

FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467"   # one grapheme joined by ZWJ


def test_emoji_joiners_survive_and_text_is_nfc():
    assert clean(f"Perhe {FAMILY}") == f"Perhe {FAMILY}"
    assert clean("\U0001F44D\U0001F3FD") == "\U0001F44D\U0001F3FD"      # skin tone modifier
    assert normalise("A\u030angstrom") == "\u00c5ngstrom"                  # NFD -> NFC
    assert clean("ma\u0308ki") == "mäki"


def test_bidi_spoofing_controls_are_removed():
    assert clean("Matti\u202e\u2066txt.exe") == "Mattitxt.exe"
    assert all(ch not in clean("a\u200fb\u061cc\u2069") for ch in BIDI_CONTROLS)
    # Right-to-left letters themselves are text and stay.
    assert clean("שלום") == "שלום"


def test_control_characters_are_refused_in_strict_mode_and_dropped_when_lenient():
    with pytest.raises(ControlCharacter):
        normalise("Matti\x00 Meikäläinen")
    with pytest.raises(ControlCharacter):
        normalise("a\x1bb")
    assert clean("a\x00b\x07c") == "abc"
    assert normalise("rivi\r\ntoinen\rkolmas\tsarkain") == "rivi\ntoinen\nkolmas\tsarkain"


@given(st.text())
def test_clean_is_idempotent_and_never_leaves_controls(text):
    once = clean(text)
    assert clean(once) == once
    assert not any(ch in BIDI_CONTROLS or (ord(ch) < 32 and ch not in "\n\t") for ch in once)


def test_nul_byte_in_staff_name_is_a_field_error_and_nothing_is_saved(client, make_staff, login):
    from kuulas.accounts import services

    login(make_staff("administrator"))
    response = client.post("/hallinta/henkilosto/uusi", headers={"Accept-Language": "fi"},
                           data={"email": "nul@example.fi", "display_name": "Nul\x00Nimi",
                                 "roles": ["preparer"]})
    assert response.status_code == 400
    assert "ohjausmerkki" in response.get_data(as_text=True)
    assert services.find_by_email("nul@example.fi") is None


def test_bidi_override_in_staff_name_is_stored_without_it(client, make_staff, login):
    from kuulas.accounts import services

    login(make_staff("administrator"))
    response = client.post("/hallinta/henkilosto/uusi",
                           data={"email": "rtl@example.fi", "display_name": "Anna\u202eakkaP",
                                 "roles": ["preparer"]})
    assert response.status_code == 302
    assert services.find_by_email("rtl@example.fi").display_name == "AnnaakkaP"


@pytest.mark.parametrize("path", ["/ideariihi/2147483648", "/ideariihi/99999999999999999999",
                                  "/tulokset/2147483648", "/hallinta/henkilosto/9223372036854775808"])
def test_ids_above_the_column_range_are_not_found(client, make_staff, login, path):
    login(make_staff("administrator"))
    response = client.get(path)
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_the_largest_valid_id_is_still_routed(client):
    assert client.get("/ideariihi/2147483647").status_code == 404   # routed, then not found


def test_double_submit_creates_one_account_and_the_repeat_follows_the_first(client, make_staff, login):
    from sqlalchemy import func, select

    from kuulas.accounts.models import Account
    from kuulas.extensions import db

    login(make_staff("administrator"))
    data = {"email": "kahdesti@example.fi", "display_name": "Kahdesti", "roles": ["moderator"]}
    first = client.post("/hallinta/henkilosto/uusi", data=data)
    second = client.post("/hallinta/henkilosto/uusi", data=data, headers={"Accept-Language": "en"})
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    count = db.session.scalar(select(func.count()).select_from(Account)
                              .where(Account.email == "kahdesti@example.fi"))
    assert count == 1
    page = client.get(second.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "already sent and saved once" in page


def test_same_submission_after_the_window_is_a_new_submission(app, client, make_staff, login):
    """After the window the key is free again; the duplicate e-mail is then refused by the
    service itself with its own message (not deduplicated silently)."""
    from datetime import timedelta

    from kuulas import submissions
    from kuulas.extensions import db

    login(make_staff("administrator"))
    data = {"email": "myohemmin@example.fi", "roles": ["moderator"]}
    assert client.post("/hallinta/henkilosto/uusi", data=data).status_code == 302
    for row in db.session.scalars(db.select(submissions.FormSubmission)):
        row.created_at -= submissions.WINDOW + timedelta(seconds=1)
    db.session.commit()
    again = client.post("/hallinta/henkilosto/uusi", data=data, headers={"Accept-Language": "fi"})
    assert again.status_code == 409
    assert "on jo henkilöstötili" in again.get_data(as_text=True)


def test_submission_keys_are_purged_after_the_window(app, client, make_staff, login):
    from datetime import timedelta

    from kuulas import scheduler, submissions
    from kuulas.clock import utcnow
    from kuulas.extensions import db

    login(make_staff("administrator"))
    client.post("/hallinta/henkilosto/uusi", data={"email": "p@example.fi", "roles": ["moderator"]})
    assert db.session.scalar(db.select(db.func.count()).select_from(submissions.FormSubmission)) == 1
    scheduler.run_job(app, "kernel.purge_form_submissions", utcnow() + submissions.WINDOW + timedelta(minutes=1))
    assert db.session.scalar(db.select(db.func.count()).select_from(submissions.FormSubmission)) == 0


def test_user_text_is_isolated_in_the_kernel_templates(client, make_staff, login, app):
    """Right-to-left names cannot reorder the page around them (issue item 14): inline
    user text sits in <bdi>, blocks get dir="auto"; the |bdi filter escapes."""
    from kuulas.sanitize import bdi

    assert str(bdi("<b>x</b>")) == "<bdi>&lt;b&gt;x&lt;/b&gt;</bdi>"
    admin = make_staff("administrator")
    login(admin)
    response = client.post("/hallinta/henkilosto/uusi", data={
        "email": "rtl-nimi@example.fi", "display_name": "שרה כהן", "roles": ["preparer"]})
    assert response.status_code == 302
    html = client.get("/hallinta/henkilosto").get_data(as_text=True)
    assert "<td><bdi>שרה כהן</bdi></td>" in html and "<bdi>rtl-nimi@example.fi</bdi>" in html
    client.post("/hallinta/sivut/privacy/fi", data={"title": "Tietosuoja", "body": "مرحبا بكم"})
    page = client.get("/tietosuoja", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    assert '<div dir="auto"><p>مرحبا بكم</p>' in page
    outbox = client.get("/hallinta/postilaatikko").get_data(as_text=True)
    assert "<td><bdi>rtl-nimi@example.fi</bdi></td>" in outbox
