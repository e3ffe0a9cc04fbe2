"""With REDIS_URL set, rate limits are shared by every app process through Redis (the
in-memory default would give each process its own count)."""
import uuid

import pytest


@pytest.mark.redis
def test_rate_limit_counts_are_shared_between_processes(redis_url, tmp_path, monkeypatch):
    import redis

    monkeypatch.setenv("KUULAS_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("REDIS_URL", redis_url)
    from app import create_app
    from kuulas.extensions import db

    prefix = f"kuulas-test-{uuid.uuid4().hex[:8]}"
    apps = []
    for _ in range(2):  # two "processes": separate app objects and limiter storages
        config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'r.sqlite3'}",
                  "RATELIMIT_ENABLED": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_KEY_PREFIX": prefix, "SCHEDULER_MODE": "off"}
        app = create_app(config)
        assert app.config["RATELIMIT_STORAGE_URI"] == redis_url
        with app.app_context():
            db.create_all()
        apps.append(app)
    first, second = (a.test_client() for a in apps)
    data = {"email": "x@example.fi", "password": "wrong password"}
    statuses = [first.post("/kirjaudu/henkilosto", data=data).status_code for _ in range(6)]
    statuses += [second.post("/kirjaudu/henkilosto", data=data).status_code for _ in range(5)]
    assert statuses[:10] == [401] * 10 and statuses[10] == 429
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"*{prefix}*"))
    assert keys, "the limiter wrote nothing to Redis"
    client.delete(*keys)
    for app in apps:
        with app.app_context():
            db.engine.dispose()
