"""Scheduled jobs: a registry, a database lease, and two ways to run them.

- Embedded default: the web process starts a background APScheduler on its first request
  (so CLI commands such as ``flask db upgrade`` never start one).
- Production: web processes set ``KUULAS_SCHEDULER=off`` and one ``flask --app app
  scheduler`` process runs the jobs.

Either way each run first takes a lease row in ``job_lease`` with a conditional UPDATE, so
a job never runs twice at once even if two schedulers were started by mistake, and the
jobs themselves are idempotent (state changes are guarded ``UPDATE ... WHERE state=...``).
"""
from __future__ import annotations

import logging
import os
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Callable

from sqlalchemy import String, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from .clock import utcnow
from .extensions import db

log = logging.getLogger("kuulas.scheduler")


class JobLease(db.Model):
    __tablename__ = "job_lease"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None]
    last_run_at: Mapped[datetime | None]
    last_result: Mapped[str | None] = mapped_column(String(255))


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable
    seconds: int


JOBS: dict[str, Job] = {}
_HOLDER = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"


def job(name: str, *, seconds: int):
    """Register ``func(now=...)`` to run every ``seconds`` seconds."""
    def decorator(func):
        JOBS[name] = Job(name, func, seconds)
        return func
    return decorator


def acquire(name: str, now: datetime, ttl: timedelta) -> bool:
    if db.session.get(JobLease, name) is None:
        try:
            with db.session.begin_nested():
                db.session.add(JobLease(name=name))
        except IntegrityError:
            pass  # another process created it first
    got = db.session.execute(
        update(JobLease)
        .where(JobLease.name == name,
               or_(JobLease.locked_until.is_(None), JobLease.locked_until < now))
        .values(holder=_HOLDER, locked_until=now + ttl)).rowcount
    db.session.commit()
    return got == 1


def release(name: str, now: datetime, result) -> None:
    db.session.execute(
        update(JobLease).where(JobLease.name == name, JobLease.holder == _HOLDER)
        .values(locked_until=None, holder=None, last_run_at=now, last_result=str(result)[:255]))
    db.session.commit()


def run_job(app, name: str, now: datetime | None = None):
    """Run one job under its lease; returns the job's result, or None if it was busy."""
    spec = JOBS[name]
    with app.app_context():
        now = now or utcnow()
        ttl = timedelta(seconds=max(spec.seconds * 10, 300))
        if not acquire(name, now, ttl):
            log.info("job %s is running elsewhere; skipped", name)
            return None
        result = None
        try:
            result = spec.func(now=now)
            db.session.commit()
            return result
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", name)
            result = "error"
            raise
        finally:
            release(name, utcnow(), result)
            db.session.remove()


def run_all_due(app, now: datetime | None = None) -> dict:
    """Run every job once (tests, and `flask scheduler --once`)."""
    return {name: run_job(app, name, now) for name in sorted(JOBS)}


def _safe_run(app, name):
    try:
        run_job(app, name)
    except Exception:  # logged in run_job; the scheduler must keep going
        pass


def build_scheduler(app, blocking: bool):
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    # APScheduler logs every run at INFO; our run_job logs what matters (skips, failures).
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                  "misfire_grace_time": 300})
    for spec in JOBS.values():
        scheduler.add_job(_safe_run, "interval", args=(app, spec.name), seconds=spec.seconds,
                          id=spec.name, name=spec.name, replace_existing=True, next_run_time=datetime.now(UTC))
    return scheduler


_started = threading.Lock()


def init_app(app) -> None:
    import click

    @app.cli.command("scheduler")
    @click.option("--once", is_flag=True, help="Run every job once and exit.")
    def scheduler_command(once: bool):
        """Run the scheduled jobs (the one scheduler process in production)."""
        if once:
            for name, result in run_all_due(app).items():
                click.echo(f"{name}: {result}")
            return
        click.echo(f"Kuulas scheduler: {len(JOBS)} jobs: {', '.join(sorted(JOBS))}")
        build_scheduler(app, blocking=True).start()

    if app.config["SCHEDULER_MODE"] != "embedded" or app.config.get("TESTING"):
        return

    state = {"scheduler": None}

    @app.before_request
    def _start_embedded_scheduler():
        if state["scheduler"] is not None:
            return
        with _started:
            if state["scheduler"] is None:
                state["scheduler"] = build_scheduler(app, blocking=False)
                state["scheduler"].start()
                log.info("embedded scheduler started with %d jobs", len(JOBS))
