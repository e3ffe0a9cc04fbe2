"""Scheduled jobs of the digiraati; both are idempotent (guarded UPDATE / DELETE).  They
run inside ``kuulas.scheduler.run_job``, which commits; what the rooms must hear is declared
by the services and sent after that commit."""
from __future__ import annotations

from kuulas.scheduler import job

from . import presence, sessions


@job("raati.reminders", seconds=300)
def session_reminders(now):
    """Mail members a reminder a day before each session, once per session."""
    return sessions.send_reminders(now)


@job("raati.prune_connections", seconds=120)
def prune_connections(now):
    """Presence rows left behind by a process that died without a disconnect: delete them
    and tell the rooms that those members are no longer online."""
    return len(presence.prune_and_tell(now))
