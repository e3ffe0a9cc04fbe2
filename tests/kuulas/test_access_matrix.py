"""Route × role matrix: every staff page sends anonymous visitors to sign-in and refuses
residents; every permission the code checks is registered (unknown names fail closed)."""
import re

from werkzeug.routing.converters import AnyConverter, NumberConverter
from pathlib import Path

import pytest

from kuulas import access

ROOT = Path(__file__).resolve().parents[2]


def _staff_get_urls(app):
    from flask import url_for

    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.rule.startswith("/hallinta"):
            continue
        args = {name: 1 if isinstance(conv, NumberConverter) else
                sorted(conv.items)[0] if isinstance(conv, AnyConverter) else "x"
                for name, conv in rule._converters.items()}
        with app.test_request_context():
            urls.append(url_for(rule.endpoint, **args))
    return urls


def test_staff_pages_need_a_signed_in_staff_member(app, make_resident, login):
    urls = _staff_get_urls(app)
    assert "/hallinta" in urls and len(urls) >= 4
    anonymous = app.test_client()
    resident = login(make_resident(), app.test_client())
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302 and "/kirjaudu" in response.headers["Location"], url
        assert resident.get(url).status_code == 403, url


def test_admin_only_pages_refuse_other_staff(app, make_staff, login):
    moderator = login(make_staff("moderator"), app.test_client())
    for url in ("/hallinta/henkilosto", "/hallinta/henkilosto/uusi", "/hallinta/postilaatikko",
                "/hallinta/sivut/privacy/fi"):
        assert moderator.get(url).status_code == 403, url


def test_unknown_permission_fails_closed(make_staff):
    with pytest.raises(KeyError):
        access.can(make_staff("administrator"), "nonexistent:thing:do")


def test_every_permission_named_in_code_is_registered(app):
    names = set()
    pattern = re.compile(r"""(?:require|can|staff_required)\(\s*(?:[\w.]+,\s*)?["']([a-z_]+:[a-z_]+:[a-z_]+)["']""")
    for path in list(ROOT.glob("kuulas/**/*.py")) + list(ROOT.glob("panel/**/*.py")) \
            + list(ROOT.glob("deliberation/**/*.py")) + list(ROOT.glob("templates/**/*.html")):
        names.update(pattern.findall(path.read_text(encoding="utf-8")))
    assert names, "no permission checks found"
    unregistered = names - access.registered()
    assert not unregistered, f"checked but never registered: {sorted(unregistered)}"
