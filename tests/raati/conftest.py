"""Fixtures for the digiraati tests: a raati built through the services, with a moderator,
chair, secretary and members who have chosen display names, each with a signed-in client."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from kuulas.clock import utcnow


@dataclass
class Person:
    account: object
    member: object
    client: object


@pytest.fixture
def room(app, make_staff, make_resident, login):
    from deliberation.raati import services
    from kuulas.extensions import db

    now = utcnow()
    preparer = make_staff("preparer")
    raati = services.save_raati(None, {"title_fi": "Omalääkärimalli", "question_fi": "Miten?"},
                                actor=preparer, now=now)
    people = {}
    for key, role in [("mod", "moderator"), ("chair", "chair"), ("secretary", "secretary"),
                      ("a", "member"), ("b", "member"), ("c", "member")]:
        account = make_staff("moderator") if role == "moderator" else make_resident()
        member = services._ensure_member(raati, account.id, role, now)
        member.display_name = key.capitalize()
        people[key] = account
    db.session.commit()

    class Room:
        id = raati.id
        staff = preparer

        def person(self, key):
            account = people[key]
            client = app.test_client()
            login(account, client)
            return Person(account, services.membership(raati.id, account), client)

        def socket(self, key, **kw):
            from kuulas.extensions import socketio

            p = self.person(key)
            sc = socketio.test_client(app, namespace="/raati", flask_test_client=p.client,
                                      auth={"raati": raati.id}, **kw)
            return sc

    return Room()


def emit(sc, event, data=None):
    return sc.emit(event, data or {}, namespace="/raati", callback=True)


def received(sc, name="event"):
    return [p["args"][0] for p in sc.get_received("/raati") if p["name"] == name]
