"""The recruitment job: open and close recruitment at their times, delete registrations
never confirmed.  Idempotent (guarded UPDATEs); it never commits: ``kuulas.scheduler.run_job``
commits the run (or rolls it back)."""
from __future__ import annotations

from kuulas import scheduler

from . import schedule


@scheduler.job("panel.recruitment", seconds=60)
def recruitment(now):
    opened = schedule.open_due_recruitments(now)
    closed = schedule.close_due_recruitments(now)
    unconfirmed = schedule.delete_unconfirmed(now)
    return {"opened": opened, "closed": closed, "unconfirmed_deleted": unconfirmed}
