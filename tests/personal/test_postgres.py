"""Erasure on PostgreSQL, where foreign keys are enforced: the account goes, the raati
member row stays without it, and a failure midway leaves every table as it was."""
from __future__ import annotations

import pytest

from kuulas.clock import utcnow
from kuulas.extensions import db
from kuulas.personal import registry, services

from .conftest import EMAIL, NAME, RAATI_NAME

pytestmark = pytest.mark.postgres


@pytest.fixture
def app_config(app_config, postgres_url):
    return dict(app_config, SQLALCHEMY_DATABASE_URI=postgres_url)


def test_erase_on_postgresql(world, dump_tables, statement_state):
    before = statement_state(world.raati_id)
    services.own_erase(actor=world.account, now=utcnow(), secret="k")
    db.session.commit()
    tables = dump_tables()
    for needle in (EMAIL, NAME, RAATI_NAME):
        assert needle not in tables
    assert statement_state(world.raati_id) == before


def test_failure_midway_on_postgresql(world, dump_tables, monkeypatch):
    before = dump_tables()
    last = registry.erasers()[-1]

    def boom(subject, now):
        raise RuntimeError("forced")

    fields = {f: getattr(last, f) for f in last.__dataclass_fields__}
    monkeypatch.setitem(registry._ENTRIES, last.key, registry.PersonalData(**{**fields, "erase": boom}))
    with pytest.raises(RuntimeError):
        services.own_erase(actor=world.account, now=utcnow(), secret="k")
    db.session.rollback()
    assert dump_tables() == before
