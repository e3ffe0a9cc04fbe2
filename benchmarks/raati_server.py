"""Helpers shared by the digiraati benchmark and the scale-out test: fill a database with a
raati and members, mint signed-in session cookies for them, and run one app process.

    python benchmarks/raati_server.py serve PORT      # env: DATABASE_URL, REDIS_URL, SECRET_KEY,
                                                       #      KUULAS_ASYNC_MODE (gevent|threading)
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
USER_AGENT = "kuulas-raati-bench"


def prepare(database_url: str, secret_key: str, members: int) -> tuple[int, list[str]]:
    """Create a raati with a moderator and ``members`` members; return its id and one session
    cookie per participant (moderator first), valid for requests with ``USER_AGENT`` from
    127.0.0.1 (the login manager's strong session protection binds the two)."""
    os.environ.setdefault("KUULAS_INSTANCE", str(Path(database_url.replace("sqlite:///", "")).parent / "instance"))
    from app import create_app
    from deliberation.raati import services
    from flask_login.utils import _create_identifier
    from kuulas.accounts import services as accounts
    from kuulas.clock import utcnow
    from kuulas.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secret_key,
                      "SCHEDULER_MODE": "off", "TESTING": True})
    cookies = []
    with app.app_context():
        db.create_all()
        now = utcnow()
        mod = accounts.create_staff("bench-mod@example.fi", {"moderator"}, actor=None, now=now)
        raati = services.save_raati(None, {"title_fi": "Kuormitus", "question_fi": "Kestääkö?"}, actor=mod, now=now)
        m = services._ensure_member(raati, mod.id, "moderator", now)
        m.display_name = "Moderaattori"
        people = [mod]
        for i in range(members):
            acc = accounts.resident_account(f"bench{i}@example.fi", now=now)
            services._ensure_member(raati, acc.id, "member", now).display_name = f"Jäsen {i}"
            people.append(acc)
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                                      headers={"User-Agent": USER_AGENT}):
            ident = _create_identifier()
        for acc in people:
            cookies.append(serializer.dumps({"_user_id": acc.get_id(), "_fresh": True, "_id": ident}))
        raati_id = raati.id
        db.engine.dispose()
    return raati_id, cookies


def serve(port: int) -> None:
    mode = os.environ.get("KUULAS_ASYNC_MODE", "threading")
    if mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
    from app import create_app
    from kuulas.extensions import socketio

    app = create_app({"SCHEDULER_MODE": "off", "SITE_URL": f"http://127.0.0.1:{port}",
                      "SESSION_COOKIE_SECURE": False})
    socketio.run(app, host="127.0.0.1", port=port, allow_unsafe_werkzeug=True, log_output=False)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]))
