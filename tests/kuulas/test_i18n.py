"""Languages: Finnish by default, the user's choice kept, Accept-Language honoured,
every page's lang attribute right, catalogues complete."""
from datetime import datetime

import pytest
from flask_babel import format_datetime, format_decimal, force_locale

from kuulas.i18n_tools import AREAS, missing


@pytest.mark.parametrize("header,lang,skip", [
    (None, "fi", "Siirry sisältöön"),
    ("sv-FI,sv;q=0.9", "sv", "Hoppa till innehållet"),
    ("en-GB,en;q=0.8", "en", "Skip to content"),
    ("de-DE", "fi", "Siirry sisältöön"),
])
def test_accept_language(client, header, lang, skip):
    headers = {"Accept-Language": header} if header else {}
    html = client.get("/", headers=headers).get_data(as_text=True)
    assert f'<html lang="{lang}">' in html and skip in html


def test_choice_is_kept_in_a_cookie_and_beats_the_browser(client):
    response = client.get("/kieli/sv", query_string={"next": "/tietosuoja"})
    assert response.status_code == 302 and response.headers["Location"] == "/tietosuoja"
    html = client.get("/tietosuoja", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="sv">' in html and "Dataskyddsbeskrivning" in html


def test_choice_is_kept_on_the_profile(client, make_staff, login):
    staff = make_staff("moderator")
    login(staff)
    client.get("/kieli/en")
    from kuulas.accounts.models import Account
    from kuulas.extensions import db
    db.session.expire_all()
    assert db.session.get(Account, staff.id).locale == "en"


def test_unknown_language_is_a_translated_404(client):
    response = client.get("/kieli/xx", headers={"Accept-Language": "sv"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<html lang="sv">' in html and "Okänt språk." in html


def test_error_pages_speak_the_users_language(client):
    for lang, title in (("fi", "Sivua ei löydy"), ("sv", "Sidan hittades inte"), ("en", "Page not found")):
        response = client.get("/ei-ole-olemassa", headers={"Accept-Language": lang})
        assert response.status_code == 404
        assert title in response.get_data(as_text=True)


def test_every_page_has_a_visible_language_switcher(client):
    html = client.get("/saavutettavuus").get_data(as_text=True)
    assert 'href="/kieli/sv?next=/saavutettavuus"' in html and 'href="/kieli/en?next=/saavutettavuus"' in html


def test_dates_and_numbers_in_the_locales_format(app):
    moment = datetime(2026, 11, 23, 10, 5)  # UTC; shown in Europe/Helsinki (UTC+2)
    with app.test_request_context():
        with force_locale("fi"):
            assert format_datetime(moment, "short") == "23.11.2026 12.05"
            assert format_decimal(1234.5) == "1\xa0234,5"
        with force_locale("sv"):
            assert "2026-11-23" in format_datetime(moment, "short") or "23.11.2026" in format_datetime(moment, "short")
        with force_locale("en"):
            assert format_decimal(1234.5) == "1,234.5"


@pytest.mark.parametrize("area", list(AREAS))
def test_catalogues_are_complete_in_finnish_and_swedish(area):
    todo = missing(area)
    assert not todo, f"{len(todo)} untranslated messages in {area}: {sorted(todo)[:10]}"


def test_domain_errors_translate_outside_a_request(app):
    """Jobs and CLI commands have an app context but no request."""
    from kuulas.errors import ValidationFailed
    from flask_babel import lazy_gettext as _l
    assert str(ValidationFailed(_l("Choose at least one role."))) == "Valitse vähintään yksi rooli."
    with force_locale("sv"):
        assert str(ValidationFailed(_l("Choose at least one role."))) == "Välj minst en roll."


def test_every_template_string_reaches_a_catalogue():
    """Babel's extractor skips a template it cannot parse without saying so; make sure
    every literal _("...") in every template made it into some catalogue."""
    import re
    from pathlib import Path

    from babel.messages.pofile import read_po

    from kuulas.i18n_tools import ROOT, _po

    known = set()
    for area in AREAS:
        with _po(area, "fi").open("rb") as fh:
            known.update(m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id)
    pattern = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)+)"|'((?:[^'\\]|\\.)+)')""")
    lost = []
    for path in (ROOT / "templates").rglob("*.*"):
        if path.suffix not in (".html", ".txt"):
            continue
        for double, single in pattern.findall(path.read_text(encoding="utf-8")):
            text = (double or single).replace('\\"', '"').replace("\\'", "'")
            if text not in known:
                lost.append(f"{path.relative_to(ROOT)}: {text}")
    assert not lost, "\n".join(lost[:20])
