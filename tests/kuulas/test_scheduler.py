"""Jobs run under a database lease: never twice at once, even with two schedulers."""
import threading
import time
from datetime import timedelta

import pytest

from kuulas import scheduler
from kuulas.clock import utcnow
from kuulas.extensions import db


@pytest.fixture
def counting_job():
    calls = []

    def slow(now):
        calls.append(now)
        time.sleep(0.3)
        return len(calls)

    scheduler.JOBS["test.counting"] = scheduler.Job("test.counting", slow, 60)
    yield calls
    scheduler.JOBS.pop("test.counting", None)


def test_lease_is_exclusive_until_it_expires(app):
    now = utcnow()
    assert scheduler.acquire("x", now, timedelta(minutes=5))
    assert not scheduler.acquire("x", now, timedelta(minutes=5))
    assert scheduler.acquire("x", now + timedelta(minutes=6), timedelta(minutes=5))


def _race(app, name, runners=4):
    results = []

    def run():
        results.append(scheduler.run_job(app, name))

    threads = [threading.Thread(target=run) for _ in range(runners)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_runs_execute_once(app, counting_job):
    db.session.commit()
    results = _race(app, "test.counting")
    assert len(counting_job) == 1
    assert sorted(results, key=str) == [1, None, None, None]
    # The lease is released afterwards: the next run goes ahead.
    assert scheduler.run_job(app, "test.counting") == 2


@pytest.mark.postgres
def test_concurrent_runs_execute_once_on_postgresql(postgres_url, counting_job, tmp_path, monkeypatch):
    monkeypatch.setenv("KUULAS_INSTANCE", str(tmp_path / "pg-instance"))
    from app import create_app
    pg_app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": postgres_url, "SCHEDULER_MODE": "off"})
    with pg_app.app_context():
        db.create_all()
        db.session.remove()
    results = _race(pg_app, "test.counting", runners=6)
    assert len(counting_job) == 1 and results.count(None) == 5
    with pg_app.app_context():
        db.engine.dispose()


def test_scheduler_once_command_runs_every_job(runner):
    result = runner.invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert "mail.send_due" in result.output


def test_embedded_scheduler_is_not_started_by_cli_or_tests(app):
    assert app.config["SCHEDULER_MODE"] == "off"
    assert not [f for f in app.before_request_funcs.get(None, []) if f.__name__ == "_start_embedded_scheduler"]
