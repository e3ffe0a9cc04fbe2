"""The personal-data map is complete: every model with a personal column is declared."""
from __future__ import annotations

import pytest

from kuulas.personal import registry
from kuulas.personal.completeness import NOT_PERSONAL, personal_columns


def test_every_model_with_a_personal_column_is_in_the_map(app):
    from kuulas.extensions import db

    covered = registry.covered_models()
    missing = []
    for mapper in db.Model.registry.mappers:
        table = mapper.local_table
        if personal_columns(table) and mapper.class_ not in covered and table.name not in NOT_PERSONAL:
            missing.append(f"{mapper.class_.__name__} ({table.name}: {personal_columns(table)})")
    assert missing == []
    # The allow-list only names real tables that a personal-looking column put there.
    tables = {m.local_table.name: m.local_table for m in db.Model.registry.mappers}
    for name in NOT_PERSONAL:
        assert name in tables and personal_columns(tables[name]), name


def test_the_check_fails_for_an_undeclared_model(app):
    """A new table with an e-mail column and no entry is caught (the test above can fail)."""
    import sqlalchemy as sa

    metadata = sa.MetaData()
    table = sa.Table("newsletter", metadata, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("email", sa.String(254)))
    assert personal_columns(table) == ["email"]


def test_entries_use_known_retention_keys_and_real_columns(app):
    for entry in registry.entries():
        assert entry.retention in registry.RETENTION_KEYS
        cols = {c.name for c in entry.model.__table__.columns}
        assert set(entry.columns) <= cols
        for text in (entry.about, entry.purpose, entry.basis, entry.title):
            assert str(text).strip()


def test_unknown_retention_key_or_column_is_refused(app):
    from kuulas.accounts.models import Account

    with pytest.raises(ValueError):
        registry.PersonalData(area="x", model=Account, columns=("email",), about="a", purpose="p",
                              basis="b", retention="forever")
    with pytest.raises(ValueError):
        registry.PersonalData(area="x", model=Account, columns=("shoe_size",), about="a", purpose="p",
                              basis="b", retention="accounts_inactive")


def test_registry_core_imports_no_flask():
    import subprocess
    import sys

    code = ("import sys; import kuulas.personal.registry; "
            "assert 'flask' not in sys.modules and 'sqlalchemy' not in sys.modules, sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_area_declares_an_entry_with_export(app):
    areas = {e.area for e in registry.exporters()}
    assert {"accounts", "mail", "pages", "panel", "raati", "ideas", "feedback", "personal"} <= areas
    assert any(e.erase for e in registry.entries() if e.model.__tablename__ == "account")
