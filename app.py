"""Kuulas application factory: ``flask --app app run`` or ``gunicorn 'app:create_app()'``."""
from __future__ import annotations

import gc
import logging
import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent


def create_app(config: dict | None = None) -> Flask:
    from kuulas import (accounts, audit_web, db_liveness, demo, errors, i18n, logs, mail, pages, personal,
                        retention, sanitize, scheduler, web, security)
    from kuulas.config import from_environment
    from kuulas.extensions import csrf, db, limiter, login_manager, migrate, socketio

    import deliberation
    import panel

    app = Flask(__name__, instance_path=os.environ.get("KUULAS_INSTANCE", str(ROOT / "instance")),
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(from_environment(app.instance_path))
    if config:
        app.config.update(config)
    # Whatever the configuration says, SQL parameters never reach a log (kuulas.logs).
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = db_liveness.engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], logs.engine_options(app.config.get("SQLALCHEMY_ENGINE_OPTIONS")))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    db.init_app(app)
    db_liveness.init_app(app)   # PostgreSQL: a socket check at checkout instead of a ping
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    # Flask-SocketIO keeps server options between init_app calls; a queue manager left over
    # from an app with REDIS_URL must not leak into one without it.
    socketio.server_options.pop("client_manager", None)
    socketio.init_app(
        app,
        message_queue=app.config["REDIS_URL"],
        async_mode=os.environ.get("KUULAS_ASYNC_MODE", "threading"),
        cors_allowed_origins=app.config.get("SOCKETIO_ALLOWED_ORIGINS"),
        max_http_buffer_size=64 * 1024,
    )
    from kuulas import socketio_frames

    socketio_frames.install(socketio.server)  # gevent: a broadcast is framed once (see module)

    for module in (errors, security, sanitize, web, i18n, scheduler, accounts, mail, pages, personal, demo,
                   audit_web, retention):
        module.init_app(app)
    panel.init_app(app)
    deliberation.init_app(app)
    _import_models()
    logs.init_app(app)   # last: it reads every route that takes a one-time token
    if not app.config.get("TESTING"):
        # What is built by now (modules, mappers, statements, the app) lives as long as the
        # process. Frozen, it is left out of the garbage collector's full collections: one of
        # them took 140 ms of a server's CPU while 300 sockets connected to a room.
        gc.freeze()
    return app


def _import_models() -> None:
    """Every model module, so Alembic and ``db.create_all`` see the whole schema."""
    import kuulas.accounts.models  # noqa: F401
    import kuulas.audit  # noqa: F401
    import kuulas.mail.models  # noqa: F401
    import kuulas.pages.models  # noqa: F401
    import kuulas.retention  # noqa: F401
    import kuulas.scheduler  # noqa: F401
    import kuulas.submissions  # noqa: F401
