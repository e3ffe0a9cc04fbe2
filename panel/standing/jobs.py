"""The standing panels' scheduled job: renewal mails, then deletion of expired members.
Idempotent: a renewal mail is claimed with a guarded UPDATE, and deletion removes rows."""
from __future__ import annotations

from kuulas import scheduler


@scheduler.job("panel.standing", seconds=3600)
def standing(now):
    from . import services

    sent = services.send_renewals(now)
    deleted = services.delete_expired(now)
    orphans = services.purge_orphans()
    return {"renewal_mails": sent, "expired_deleted": deleted, "orphans_deleted": orphans}
