"""No POST anywhere answers 500 to hostile input (issue item 13).

Every route in ``app.url_map`` that accepts POST is sent, by an anonymous participant and
by a signed-in administrator, a form whose every field is a NUL-containing string, a form
whose every field is a huge integer, and JSON bodies with a NUL, an out-of-range integer
and deep nesting.  The field names are every name the site's own pages render plus every
field of every form class, so each view's own fields are among them.  One of each kind of
object exists (id 1), so the views get past their "not found" checks.
"""
from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from werkzeug.routing import IntegerConverter

from kuulas.clock import utcnow
from kuulas.extensions import db

from ..ideas.conftest import round_data

NUL = "Matti\x00Meikäläinen"
HUGE = "99999999999999999999999999"
NESTED = '{"a": ' + "[" * 3000 + "]" * 3000 + "}"   # deeper than Python's recursion limit


def _world(make_staff):
    """One panel, idea round with an idea and a comment, digiraati with a member and a
    session, and outcome: each area's first object gets id 1."""
    from deliberation.ideas import services as ideas
    from deliberation.raati import services as raati
    from deliberation.outcomes.models import Outcome

    from ..panel.helpers import add_volunteers, make_panel

    now = utcnow()
    preparer = make_staff("preparer")
    panel = make_panel(preparer)
    add_volunteers(panel, [{"gender": "female", "age": "old"}])
    round_ = ideas.create_round(round_data(), actor=preparer, now=now, publish=True)
    r = raati.save_raati(None, {"title_fi": "T", "question_fi": "Q"}, actor=preparer, now=now)
    raati.add_member(r.id, "jasen@example.fi", actor=preparer, now=now)
    raati.add_session(r.id, "S", now + timedelta(days=1), now + timedelta(days=1, hours=2),
                      actor=preparer, now=now, invite=False)
    db.session.add(Outcome(source_kind="raati", source_id=r.id, title="T", question="Q",
                           background="B", summary="S", figures={}, timeline=[], composition=[],
                           points=[], results={}, statement={}, created_at=now, updated_at=now,
                           created_by_id=preparer.id))
    db.session.commit()
    return round_


def _url(rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif type(converter).__name__ == "AnyConverter":          # <any(a, b):name>
            values[name] = sorted(converter.items)[0]
        elif name == "locale":
            values[name] = "fi"
        elif name == "slug":
            values[name] = "accessibility"
        elif name == "action":
            values[name] = "publish"
        else:
            values[name] = "x"
    try:
        return rule.build(values, append_unknown=False)[1]
    except Exception:  # noqa: BLE001 - an <any()> the guess above missed
        return None


def _form_field_names() -> set[str]:
    from wtforms.fields.core import UnboundField

    from kuulas.forms import KuulasForm

    names, stack = set(), [KuulasForm]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        names.update(n for n in dir(cls) if isinstance(getattr(cls, n, None), UnboundField))
    return names


def _page_field_names(app, clients) -> set[str]:
    names = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or "socket" in rule.rule:
            continue
        url = _url(rule)
        if url is None:
            continue
        for c in clients:
            response = c.get(url)
            if response.mimetype != "text/html":      # PDFs, images, downloads: no form in them
                continue
            body = response.get_data(as_text=True)
            names.update(re.findall(r'\bname="([^"]+)"', body))
    return names - {"csrf_token"}


def _payloads(names):
    return [
        ("form with NUL", dict(data={n: NUL for n in names})),
        ("form with huge integers", dict(data={n: HUGE for n in names})),
        ("JSON with NUL", dict(json={n: NUL for n in list(names)[:50]})),
        ("JSON with huge integers", dict(json={n: 10**30 for n in list(names)[:50]})),
        ("JSON nested 3000 deep", dict(data=NESTED, content_type="application/json")),
    ]


def test_no_post_route_answers_500_to_nul_huge_numbers_or_hostile_json(app, make_staff, login):
    round_ = _world(make_staff)
    admin_client = login(make_staff("administrator"), app.test_client())
    anonymous = app.test_client()
    anonymous.get(f"/ideariihi/{round_.id}")          # a participant's cookie for the round
    names = _page_field_names(app, [admin_client, anonymous]) | _form_field_names()
    assert {"email", "display_name", "text", "title", "body"} <= names

    failures = []
    rules = [r for r in app.url_map.iter_rules() if "POST" in r.methods]
    rules += [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/")]
    for rule in rules:
        url = _url(rule)
        if url is None:
            failures.append(f"{rule.rule}: could not build a URL")
            continue
        for who, c in (("anonymous", anonymous), ("administrator", admin_client)):
            if rule.endpoint == "accounts.sign_out":
                continue    # tested elsewhere; here it would end the administrator's session
            for label, kwargs in _payloads(names):
                response = c.post(url, **kwargs)
                if response.status_code >= 500:
                    failures.append(f"{who} POST {url} ({label}): {response.status_code}")
    assert not failures, "\n".join(failures)


def test_hostile_json_bodies_are_400_with_a_reason(app, client, make_staff, login):
    """JSON is answered like a form post: a NUL or a huge number is a field error (400),
    a body that is not an object of scalars or is nested too deep is a 400, never a 500."""
    assert client.post("/kirjaudu", json={"email": "maija\x00@example.fi"}).status_code == 400
    assert client.post("/kirjaudu", json=["email", "a@example.fi"]).status_code == 400
    assert client.post("/kirjaudu", json={"email": {"nested": "x"}}).status_code == 400
    response = client.post("/kirjaudu", data=NESTED, content_type="application/json")
    assert response.status_code == 400
    assert client.post("/saavutettavuus/palaute", json={"email": 10**30, "description": 10**30}).status_code == 400
    login(make_staff("administrator"))
    response = client.post("/hallinta/sivut/privacy/fi", json={"title": "Otsikko\x00", "body": "x"})
    assert response.status_code == 400 and "ohjausmerkki" in response.get_data(as_text=True)
    # A well-formed JSON object still works like the form it stands for.
    response = client.post("/hallinta/sivut/privacy/fi", json={"title": "Otsikko", "body": "Teksti"})
    assert response.status_code == 302
