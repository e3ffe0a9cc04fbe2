"""A pooled PostgreSQL connection that the server has closed is replaced at checkout without
a ping round trip (kuulas.db_liveness); other databases keep SQLAlchemy's ping."""
from __future__ import annotations

import pytest
from sqlalchemy import text


def test_sqlite_keeps_the_ping(app):
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


@pytest.mark.postgres
class TestPostgres:
    @pytest.fixture
    def app_config(self, app_config, postgres_url):
        return dict(app_config, SQLALCHEMY_DATABASE_URI=postgres_url)

    def test_no_ping_a_closed_connection_is_replaced(self, app, postgres_url):
        import sqlalchemy as sa

        from kuulas.extensions import db

        assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.remove()                       # back to the pool
        admin = sa.create_engine(postgres_url)
        with admin.begin() as conn:
            # waits (up to 10 s) until the backend has gone
            assert conn.scalar(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pid}) is True
        admin.dispose()
        new_pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        assert new_pid != pid
        db.session.remove()
