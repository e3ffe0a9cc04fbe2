"""Scheduled jobs of the digiraati; both are idempotent (guarded UPDATE / DELETE)."""
from __future__ import annotations

from kuulas.scheduler import job

from . import services


@job("raati.reminders", seconds=300)
def session_reminders(now):
    """Mail members a reminder a day before each session, once per session."""
    return services.send_reminders(now)


@job("raati.prune_connections", seconds=120)
def prune_connections(now):
    """Presence rows left behind by a process that died without a disconnect: delete them
    and tell the rooms that those members are no longer online."""
    from kuulas.extensions import db

    from . import events

    gone = services.prune_connections(now)
    db.session.commit()
    events.presence([{"raati": m.raati_id, "member": m.id, "name": m.display_name or "", "role": m.role,
                      "online": False} for m in gone])
    return len(gone)
