"""Scheduled jobs of the digiraati; both are idempotent (guarded UPDATE / DELETE)."""
from __future__ import annotations

from kuulas.scheduler import job

from . import services


@job("raati.reminders", seconds=300)
def session_reminders(now):
    """Mail members a reminder a day before each session, once per session."""
    return services.send_reminders(now)


@job("raati.prune_connections", seconds=3600)
def prune_connections(now):
    """Presence rows left behind by a process that died without a disconnect."""
    return services.prune_connections(now)
