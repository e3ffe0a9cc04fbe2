"""A server process freezes what the app factory built, so full garbage collections under
load (a room's 300 sockets connecting) no longer walk every module, mapper and statement.
Test apps do not: a test process builds many apps, and frozen garbage is never freed."""
from __future__ import annotations

import gc


def test_a_server_app_freezes_what_it_built_and_a_test_app_does_not(tmp_path):
    from app import create_app

    gc.unfreeze()
    try:
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SCHEDULER_MODE": "off"})
        assert gc.get_freeze_count() == 0
        create_app({"TESTING": False, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'f.sqlite3'}",
                    "SCHEDULER_MODE": "off", "SECRET_KEY": "x" * 32})
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
