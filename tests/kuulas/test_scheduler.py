"""Jobs run under a database lease: never twice at once, even with two schedulers."""
import threading
from datetime import timedelta

import pytest

from kuulas import scheduler
from kuulas.clock import utcnow
from kuulas.extensions import db


class CountingJob(list):
    """The calls of a job that holds its lease until ``release`` is set (no sleeping: the
    race below sets it once every other runner has been turned away)."""

    def __init__(self):
        super().__init__()
        self.release = threading.Event()

    def __call__(self, now):
        self.append(now)
        self.release.wait(10)
        return len(self)


@pytest.fixture
def counting_job():
    job = CountingJob()
    scheduler.JOBS["test.counting"] = scheduler.Job("test.counting", job, 60)
    yield job
    scheduler.JOBS.pop("test.counting", None)


def test_lease_is_exclusive_until_it_expires(app):
    now = utcnow()
    assert scheduler.acquire("x", now, timedelta(minutes=5))
    assert not scheduler.acquire("x", now, timedelta(minutes=5))
    assert scheduler.acquire("x", now + timedelta(minutes=6), timedelta(minutes=5))


def _race(app, job, runners=4):
    results = []
    lock = threading.Lock()

    def run():
        result = scheduler.run_job(app, "test.counting")
        with lock:
            results.append(result)
            if results.count(None) == runners - 1:
                job.release.set()       # every other runner was refused while the lease was held

    threads = [threading.Thread(target=run) for _ in range(runners)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_runs_execute_once(app, counting_job):
    db.session.commit()
    results = _race(app, counting_job)
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
    results = _race(pg_app, counting_job, runners=6)
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
