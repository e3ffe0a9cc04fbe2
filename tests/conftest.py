"""Shared fixtures: a fresh app and SQLite database per test, staff and resident
sign-in through the real views, a real local SMTP server (aiosmtpd), and the real
PostgreSQL / Redis servers when the KUULAS_TEST_* variables name them.

With ``KUULAS_TEST_POSTGRES_URL`` / ``KUULAS_TEST_REDIS_URL`` unset the server tests
skip; with them set (as in CI) an unreachable server fails the test.
"""
from __future__ import annotations

import atexit
import os
import re
import shutil
import socket
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kuulas.clock import utcnow

TEST_PASSWORD = "correct horse battery staple"


def base_config(tmp_path) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "SERVER_NAME": None,
        "SITE_URL": "http://localhost",
        "SCHEDULER_MODE": "off",
        "MAIL_SERVER": None,
    }


_SCHEMA = {}     # "template": an SQLite file holding every table, made by the first app of the run


def _sqlite_file(config: dict) -> Path | None:
    uri = config.get("SQLALCHEMY_DATABASE_URI") or ""
    return Path(uri.removeprefix("sqlite:///")) if uri.startswith("sqlite:///") and "?" not in uri else None


def _keep_schema_template(db_file: Path) -> None:
    """Copy the freshly created, still empty database aside (SQLite's backup API, so the
    write-ahead log is included) for the next tests to start from."""
    folder = Path(tempfile.mkdtemp(prefix="kuulas-schema-"))
    atexit.register(shutil.rmtree, folder, True)
    template = folder / "schema.sqlite3"
    with closing(sqlite3.connect(db_file)) as source, closing(sqlite3.connect(template)) as copy:
        source.backup(copy)
    _SCHEMA["template"] = template


def app_in_context(config: dict):
    """Create the app with ``config`` and its tables, and keep an app context pushed while
    the generator is suspended (the body of the ``app`` fixture and of module-wide copies).

    A new SQLite file starts as a copy of the empty schema the first test created
    (``create_all`` then only checks the tables): most of a test's set-up time otherwise."""
    from app import create_app
    from kuulas.extensions import db

    db_file = _sqlite_file(config)
    fresh = db_file is not None and not db_file.exists()
    if fresh and "template" in _SCHEMA:
        shutil.copyfile(_SCHEMA["template"], db_file)
    app = create_app(config)

    # The fixture keeps an app context pushed, and Flask reuses it for test-client requests,
    # so `g` outlives a request here.  Forget Flask-Login's cached user, as a real server would.
    @app.teardown_request
    def _forget_cached_user(_exc):
        from flask import g
        from flask_babel import refresh
        g.pop("_login_user", None)
        refresh()  # Flask-Babel caches the locale on the (shared) context too

    with app.app_context():
        db.create_all()
        if fresh and "template" not in _SCHEMA:
            _keep_schema_template(db_file)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_config(tmp_path):
    return base_config(tmp_path)


@pytest.fixture
def app(app_config, tmp_path, monkeypatch):
    monkeypatch.setenv("KUULAS_INSTANCE", str(tmp_path / "instance"))
    yield from app_in_context(app_config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_staff(app):
    from kuulas.accounts import services
    from kuulas.extensions import db

    def factory(*roles, email: str | None = None, password: str = TEST_PASSWORD):
        account = services.create_staff(email or f"{'-'.join(roles) or 'staff'}-{uuid.uuid4().hex[:6]}@example.fi",
                                        roles, password=password, actor=None, now=utcnow())
        db.session.commit()
        return account
    return factory


@pytest.fixture
def make_resident(app):
    from kuulas.accounts import services
    from kuulas.extensions import db

    def factory(email: str | None = None, locale: str = "fi"):
        account = services.resident_account(email or f"asukas-{uuid.uuid4().hex[:6]}@example.fi",
                                            now=utcnow(), locale=locale)
        db.session.commit()
        return account
    return factory


@pytest.fixture
def login(client):
    """Sign a test client in through the real views (password for staff, link for residents)."""
    from kuulas.accounts import services
    from kuulas.extensions import db

    def do(account, c=None, password: str = TEST_PASSWORD):
        c = c or client
        if account.is_staff:
            response = c.post("/kirjaudu/henkilosto", data={"email": account.email, "password": password})
        else:
            token = services.issue_token(account, services.PURPOSE_LOGIN, now=utcnow())
            db.session.commit()
            response = c.post(f"/kirjaudu/linkki/{token}")
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return c
    return do


# --- the clock ---------------------------------------------------------------------------

class Clock:
    """A frozen "now": call it for the time, ``advance`` moves it on.  Services take it
    as their ``now`` argument (``now=clock.now``); the ``clock`` fixture also puts it in
    place of ``kuulas.clock.utcnow`` wherever that was imported, so views, jobs and the
    test module itself read the same frozen time."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta | None = None, **kwargs) -> datetime:
        self.now += delta if delta is not None else timedelta(**kwargs)
        return self.now


@pytest.fixture
def frozen_now():
    """A fixed instant for services that take ``now``: this minute, five seconds past a
    30-second step (so a TOTP window never turns over by accident)."""
    from kuulas.clock import utcnow as real_utcnow

    now = real_utcnow().replace(microsecond=0)
    return now.replace(second=5 if now.second < 30 else 35)


@pytest.fixture
def clock(app, frozen_now):
    """Freeze the application's clock at ``frozen_now`` for the whole test (after the app
    and so every module that imports ``utcnow`` is loaded), and restore it afterwards."""
    from kuulas import clock as clock_module

    real = clock_module.utcnow
    frozen = Clock(frozen_now)
    patched = [m for m in list(sys.modules.values()) if vars(m).get("utcnow") is real]
    for module in patched:
        module.utcnow = frozen
    try:
        yield frozen
    finally:
        # Modules first imported during the test took the frozen one too: restore them all.
        for module in list(sys.modules.values()):
            if vars(module).get("utcnow") is frozen:
                module.utcnow = real


# --- SMTP -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SmtpSink:
    host: str
    port: int
    messages: list = field(default_factory=list)

    def wait_for(self, count: int, timeout: float = 5.0) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


@pytest.fixture
def smtp_server():
    """A real SMTP server on localhost (aiosmtpd) that keeps every message it receives."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    sink = SmtpSink("127.0.0.1", free_port())

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            msg = message_from_bytes(envelope.original_content, policy=policy.default)
            sink.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "message": msg})
            return "250 OK"

    controller = Controller(Handler(), hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def mail_link(text: str) -> str:
    match = re.search(r"https?://\S+", text)
    assert match, f"no link in mail: {text!r}"
    return match.group(0)


# --- PostgreSQL and Redis -----------------------------------------------------------------

@pytest.fixture
def postgres_url():
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    base = os.environ.get("KUULAS_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("KUULAS_TEST_POSTGRES_URL is not set")
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:  # fails the test if the server is unreachable
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def redis_url():
    url = os.environ.get("KUULAS_TEST_REDIS_URL")
    if not url:
        pytest.skip("KUULAS_TEST_REDIS_URL is not set")
    import redis

    redis.Redis.from_url(url).ping()  # fails the test if the server is unreachable
    return url
