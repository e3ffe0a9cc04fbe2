"""Security baseline: headers and CSP, CSRF on every unsafe route, rate limits,
sanitising, open redirects, upload size."""
import re
from html.parser import HTMLParser

import pytest
from werkzeug.routing.converters import NumberConverter

from kuulas.sanitize import markdown

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<svg onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<iframe src=//evil.example></iframe>",
    "<form action=//evil.example><button formaction=javascript:alert(1)>x</button></form>",
    "**bold** <b onmouseover=alert(1)>x</b>",
    "[x](\u200bjavascript:alert(1))",
    "<style>body{display:none}</style>",
]


def test_security_headers_and_strict_csp(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    html = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script on the page"
    assert " style=" not in html, "inline style attribute on the page"


def test_signed_in_pages_are_not_cached(client, make_staff, login):
    login(make_staff("administrator"))
    assert client.get("/hallinta").headers["Cache-Control"] == "no-store"


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def _dummy_args(rule):
    args = {}
    for name, converter in rule._converters.items():
        kind = type(converter).__name__
        if isinstance(converter, NumberConverter):
            args[name] = 1
        elif kind == "AnyConverter":  # <any(a, b):name>: the first allowed value
            args[name] = sorted(converter.items)[0]
        else:
            args[name] = "x"
    return args


def test_every_unsafe_route_rejects_a_missing_csrf_token(csrf_app, make_staff, login):
    client = csrf_app.test_client()
    csrf_app.config["WTF_CSRF_ENABLED"] = False
    login(make_staff("administrator"), client)
    csrf_app.config["WTF_CSRF_ENABLED"] = True
    checked = 0
    exempt = csrf_app.config.get("KUULAS_CSRF_EXEMPT_ENDPOINTS", set())
    for rule in csrf_app.url_map.iter_rules():
        unsafe = rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
        if not unsafe or rule.endpoint in exempt:
            continue
        with csrf_app.test_request_context():
            from flask import url_for
            url = url_for(rule.endpoint, **_dummy_args(rule))
        for method in unsafe:
            response = client.open(url, method=method, data={"x": "1"})
            assert response.status_code == 400, f"{method} {url} answered {response.status_code} without a CSRF token"
            checked += 1
    assert checked >= 5


def test_csrf_error_page_is_translated(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/kirjaudu", data={"email": "a@example.fi"}, headers={"Accept-Language": "sv"})
    assert response.status_code == 400
    assert "Formuläret har gått ut" in response.get_data(as_text=True)


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html):
    parser = _Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_markdown_output_is_inert(payload):
    from kuulas.sanitize import ALLOWED_TAGS
    for tag, attrs in elements(str(markdown(payload))):
        assert tag in ALLOWED_TAGS, tag
        assert not any(name.startswith("on") or name in ("style", "formaction") for name in attrs), attrs
        href = attrs.get("href")
        if href is not None:
            assert re.match(r"^(https?://|mailto:|/(?!/)|#)", href), href


def test_markdown_subset_keeps_safe_formatting():
    html = str(markdown("**tärkeä** ja *kursiivi*\n\n- yksi\n- kaksi\n\n[linkki](https://example.fi)\n\n# Otsikko"))
    assert "<strong>tärkeä</strong>" in html and "<em>kursiivi</em>" in html and "<li>yksi</li>" in html
    assert 'href="https://example.fi"' in html and 'rel="nofollow noopener noreferrer ugc"' in html
    assert "<h1>" not in html and "<h2>Otsikko</h2>" in html


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_language_switch_never_redirects_off_site(client, target):
    response = client.get("/kieli/sv", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_oversize_upload_gets_413_in_users_language(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/kirjaudu", data={"email": "a@example.fi", "blob": "x" * 5000},
                           headers={"Accept-Language": "sv"})
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert '<html lang="sv">' in text and "Filen är för stor" in text


def test_user_text_on_legal_pages_is_sanitised(client, make_staff, login):
    login(make_staff("administrator"))
    client.post("/hallinta/sivut/privacy/fi", data={"title": "<script>x</script>Tietosuoja",
                                                    "body": "Hei <img src=x onerror=alert(1)> [a](javascript:alert(2))"})
    html = client.get("/tietosuoja", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    found = elements(html)
    assert not [t for t, _a in found if t == "img"]
    assert not [a for _t, a in found if any(k.startswith("on") for k in a)]
    assert not [a for _t, a in found if (a.get("href") or "").startswith("javascript")]
    assert "<h1>&lt;script&gt;x&lt;/script&gt;Tietosuoja</h1>" in html
    assert "<script>x" not in html


def test_unexpected_error_gives_a_translated_500_and_rolls_back(app):
    from kuulas.accounts.models import Account
    from kuulas.extensions import db

    @app.get("/_boom")
    def _boom():
        db.session.add(Account(email="half@example.fi"))
        db.session.flush()
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/_boom", headers={"Accept-Language": "sv"})
    assert response.status_code == 500
    assert "Något gick fel hos oss" in response.get_data(as_text=True)
    assert "RuntimeError" not in response.get_data(as_text=True)
    assert db.session.query(Account).filter_by(email="half@example.fi").count() == 0


def test_socketio_polling_and_handshake_carry_the_security_headers(client):
    """Engine.IO answers /socket.io/ in its own WSGI middleware, before Flask's
    after_request hooks (issue item 15): the headers are added around it."""
    response = client.get("/socket.io/?EIO=4&transport=polling")
    assert response.status_code == 200 and response.get_data(as_text=True).startswith("0{")
    for r in (response, client.get("/socket.io/?EIO=4&transport=polling&sid=nonexistent")):
        csp = r.headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, r.headers
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["Referrer-Policy"] == "same-origin"
    # Flask's own answers keep exactly one of each header.
    page = client.get("/")
    assert len(page.headers.getlist("Content-Security-Policy")) == 1
