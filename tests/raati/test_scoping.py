"""Every staff route that names a raati and an item of it (member, session, phase ...) acts
only on items of *that* raati: an item of another raati is a 404, and nothing is written."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from kuulas.clock import utcnow

# Form fields every such route may need, so a refusal comes from scoping, not from a bad form.
FORM = {"session-title": "Siirretty", "session-starts_at": "2031-05-02T17:00",
        "session-ends_at": "2031-05-02T19:00", "phase-kind": "discussion", "phase-minutes": "45",
        "confirm": "1", "reason": "syy"}


def _two_raatis(make_staff, make_resident):
    from deliberation.raati import services
    from kuulas.extensions import db

    now = utcnow()
    staff = make_staff("preparer")
    out = []
    for title in ("A", "B"):
        raati = services.save_raati(None, {"title_fi": title, "question_fi": "Q"}, actor=staff, now=now)
        member = services._ensure_member(raati, make_resident().id, "member", now)
        session = services.add_session(raati.id, "Ilta", now + timedelta(days=3), now + timedelta(days=3, hours=2),
                                       actor=staff, now=now, invite=False)
        db.session.flush()
        out.append({"raati": raati.id, "member": member.id, "session": session.id,
                    "phase": raati.phases[0].id})
    db.session.commit()
    return staff, out


def _snapshot(raati_id: int) -> list:
    from deliberation.raati.models import Member, Phase, RaatiSession
    from kuulas.extensions import db

    db.session.expire_all()
    return [
        [(m.id, m.role, m.removed_at, m.muted) for m in db.session.scalars(
            select(Member).where(Member.raati_id == raati_id).order_by(Member.id))],
        [(s.id, s.title, s.starts_at, s.ical_sequence) for s in db.session.scalars(
            select(RaatiSession).where(RaatiSession.raati_id == raati_id).order_by(RaatiSession.id))],
        [(p.id, p.position, p.kind, p.planned_minutes) for p in db.session.scalars(
            select(Phase).where(Phase.raati_id == raati_id).order_by(Phase.id))],
    ]


def _item_routes(app):
    """Rules of the raati staff pages with a raati id and at least one more id."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("raati_staff."):
            continue
        ids = [a for a in rule.arguments if a.endswith("_id") and a != "raati_id"]
        if "raati_id" in rule.arguments and ids:
            out.append(rule)
    return out


def test_the_item_routes_are_found(app):
    names = {r.endpoint for r in _item_routes(app)}
    assert {"raati_staff.member_role", "raati_staff.member_remove", "raati_staff.edit_session",
            "raati_staff.cancel_session", "raati_staff.edit_phase", "raati_staff.move_phase",
            "raati_staff.delete_phase"} <= names


def test_an_item_of_another_raati_is_not_found_and_nothing_changes(app, client, make_staff, make_resident, login):
    staff, (a, b) = _two_raatis(make_staff, make_resident)
    login(staff)
    before = _snapshot(b["raati"])
    tried = 0
    for rule in _item_routes(app):
        values = {"raati_id": a["raati"]}
        for arg in rule.arguments:
            if arg.endswith("_id") and arg != "raati_id":
                values[arg] = b[arg.removesuffix("_id")]
        for arg in rule.arguments - set(values):
            values[arg] = next(iter(rule._converters[arg].items)) if hasattr(rule._converters[arg], "items") else "x"
        url = rule.build(values, append_unknown=False)[1]
        data = dict(FORM, **{f"m{b['member']}-role": "chair"})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            r = client.open(url, method=method, data=data if method == "POST" else None)
            assert r.status_code == 404, (method, url, r.status_code)
            tried += 1
        assert _snapshot(b["raati"]) == before, url
    assert tried >= 9


@pytest.mark.parametrize("call", ["set_role", "staff_remove"])
def test_services_refuse_a_member_of_another_raati(app, make_staff, make_resident, call):
    from deliberation.raati import services
    from kuulas.errors import NotFound

    staff, (a, b) = _two_raatis(make_staff, make_resident)
    before = _snapshot(b["raati"])
    with pytest.raises(NotFound):
        if call == "set_role":
            services.set_role(a["raati"], b["member"], "chair", actor=staff, now=utcnow())
        else:
            services.staff_remove(a["raati"], b["member"], actor=staff, now=utcnow())
    assert _snapshot(b["raati"]) == before
