"""Fixtures for service feedback: units made through the services, a handler and a
preparer, and a helper that gives feedback as the public does."""
from __future__ import annotations

import pytest

from kuulas.clock import utcnow


@pytest.fixture
def preparer(make_staff):
    return make_staff("preparer")


@pytest.fixture
def handler(make_staff):
    return make_staff("moderator")


@pytest.fixture
def make_unit(app, preparer, handler):
    from deliberation.feedback import services
    from kuulas.extensions import db

    def factory(name="Hervannan terveysasema", handlers=None, **kw):
        unit = services.create_unit(
            services.UnitData(name={"fi": name, "sv": name + " (sv)"}, area=kw.pop("area", "health"),
                              target_days=kw.pop("target_days", 14), handler_ids=tuple(
                                  h.id for h in (handlers if handlers is not None else [handler])), **kw),
            actor=preparer, now=utcnow())
        db.session.commit()
        return unit
    return factory


@pytest.fixture
def unit(make_unit):
    return make_unit()


@pytest.fixture
def give(app, unit):
    from deliberation.feedback import services
    from kuulas.extensions import db

    def do(rating=4, text="Hyvää palvelua", kind=None, contact=None, now=None, target=None):
        given = services.give(target or unit, rating=rating, text=text, kind=kind, contact=contact,
                              locale="fi", channel="web", now=now or utcnow())
        db.session.commit()
        return given.feedback
    return do
