"""A pooled PostgreSQL connection is checked for life without a round trip.

SQLAlchemy's ``pool_pre_ping`` sends a query to the server at every checkout, that is on
every request: under load that round trip was a fifth of a vote's time.  For PostgreSQL the
ping is replaced by a look at the idle connection's socket.  A connection resting in the
pool has nothing to read; if the server has since closed it (restart, ``pg_terminate_backend``,
``idle_session_timeout``) or written to it (the FATAL notice before closing), the socket is
readable, the connection is discarded and the pool hands out a fresh one, as after a failed
ping.  Other databases keep the ping.
"""
from __future__ import annotations

import os
import select

from sqlalchemy import event, exc

from kuulas.extensions import db


POOL_SIZE = 10     # connections a process keeps (a gunicorn worker's threads and more)


def engine_options(uri, options: dict) -> dict:
    """The engine options for PostgreSQL: the ping switched off (``init_app`` checks the
    socket instead), and a pool as large as a worker's threads (``KUULAS_DB_POOL_SIZE``,
    default 10), so that under load no connection is opened for one request and closed
    after it (SQLAlchemy's default keeps 5: beyond that every checkout was a new connection,
    its start-up, and its prepared statements lost)."""
    if not str(uri).startswith("postgresql"):
        return options
    options = dict(options)
    if options.get("pool_pre_ping"):
        options["pool_pre_ping"] = False
    options.setdefault("pool_size", int(os.environ.get("KUULAS_DB_POOL_SIZE") or POOL_SIZE))
    return options


def init_app(app) -> None:
    """After ``db.init_app``: the socket check at every checkout of a PostgreSQL engine."""
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "postgresql" and not event.contains(engine, "checkout", check):
                event.listen(engine, "checkout", check)


def check(dbapi_connection, _record, _proxy) -> None:
    if dbapi_connection.closed or getattr(dbapi_connection, "broken", False):
        raise exc.DisconnectionError("the connection is closed")
    poll = select.poll()
    poll.register(dbapi_connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    if poll.poll(0):
        raise exc.DisconnectionError("the server closed or wrote to an idle connection")
