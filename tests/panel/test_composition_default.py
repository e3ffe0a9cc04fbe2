"""panel.api.composition is safe by default: without asking for the staff view a caller gets
the public-safe composition (kuulas.disclosure.public_group): no sensitive feature, small
cells and their complements hidden."""
from __future__ import annotations

from kuulas.clock import utcnow
from kuulas.extensions import db
from panel import api
from panel.recruitment import services

from .helpers import make_panel

# 9 volunteers: gender 6 / 3 (3 hidden, 6 its partner); age 9 / 0; service 2 / 7 (sensitive).
GENDERS = ["female"] * 6 + ["male"] * 3
SERVICE = ["yes"] * 2 + ["no"] * 7


def _panel_with_members(make_staff):
    staff = make_staff("preparer")
    panel = make_panel(staff, open_now=False)
    services.save_feature(panel.id, key="service", label_fi="Palvelujen käyttö", label_sv="Tjänster",
                          sensitive=True, categories=services.parse_categories("yes | 30\nno | 70"),
                          actor=staff, now=utcnow())
    services.publish(panel.id, actor=staff, now=utcnow())
    accounts = []
    for i, (gender, service) in enumerate(zip(GENDERS, SERVICE)):
        volunteer, _token = services.register(
            panel.id, email=f"c{i}@example.fi", display_name=f"C{i}",
            answers={"gender": gender, "age": "old", "service": service}, consent=True,
            sensitive_consent=True, now=utcnow(), channel="paper", confirmed=True)
        accounts.append(volunteer.account_id)
    db.session.commit()
    assert all(accounts)
    return panel, accounts


def test_composition_is_public_and_suppressed_by_default(app, make_staff):
    panel, accounts = _panel_with_members(make_staff)
    shown = api.composition(panel.id, accounts, locale="fi")
    assert [f["feature"] for f in shown] == ["gender", "age"]          # the sensitive feature is left out
    gender = {c["value"]: (c["count"], c["share"]) for c in shown[0]["categories"]}
    assert gender == {"female": (None, None), "male": (None, None)}    # 3 hidden, and 6 with it
    age = {c["value"]: c["count"] for c in shown[1]["categories"]}
    assert age == {"young": 0, "old": 9}


def test_the_exact_counts_only_when_staff_side_code_asks(app, make_staff):
    panel, accounts = _panel_with_members(make_staff)
    exact = api.composition(panel.id, accounts, locale="fi", public=False)
    assert [f["feature"] for f in exact] == ["gender", "age", "service"]
    assert {c["value"]: c["count"] for c in exact[0]["categories"]} == {"female": 6, "male": 3}
    assert {c["value"]: c["count"] for c in exact[2]["categories"]} == {"yes": 2, "no": 7}
    assert api.composition(panel.id, accounts, locale="fi", public=True) == \
        api.composition(panel.id, accounts, locale="fi")
