"""SQLite file databases (the embedded default) use a write-ahead log.

With SQLite's default rollback journal and ``synchronous=FULL`` every commit creates, syncs
and deletes a journal and syncs the database: several fsyncs that block the whole process
(under gevent, every greenlet), which made a digiraati connect or message cost milliseconds.
WAL with ``synchronous=NORMAL`` syncs at checkpoints instead; a commit is still atomic and
the database is never corrupted, but the last transactions before a power cut (not a crash of
the process) can be lost.  Readers no longer wait for a writer either.  In-memory databases
keep their mode.  PostgreSQL is not touched.
"""
from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _write_ahead(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        mode = cursor.execute("PRAGMA journal_mode=WAL").fetchone()
        if mode and str(mode[0]).lower() == "wal":
            cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()
