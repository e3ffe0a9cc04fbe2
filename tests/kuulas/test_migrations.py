"""`flask db upgrade` builds the schema on SQLite and PostgreSQL alike, and the migrations
describe exactly the models (no autogenerate diff)."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from kuulas.extensions import db


def _diff_after_upgrade(app):
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
            return compare_metadata(context, db.metadata)


@pytest.fixture
def fresh_app(tmp_path, monkeypatch):
    monkeypatch.setenv("KUULAS_INSTANCE", str(tmp_path / "instance"))
    from app import create_app

    def make(url):
        return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_MODE": "off"})
    return make


def test_migrations_match_models_on_sqlite(fresh_app, tmp_path):
    app = fresh_app(f"sqlite:///{tmp_path / 'migrated.sqlite3'}")
    assert _diff_after_upgrade(app) == []
    with app.app_context():
        downgrade(revision="base")  # and they can be rolled back
        db.engine.dispose()


@pytest.mark.postgres
def test_migrations_match_models_on_postgresql(fresh_app, postgres_url):
    app = fresh_app(postgres_url)
    assert _diff_after_upgrade(app) == []
    with app.app_context():
        db.engine.dispose()
