"""Scheduled survey jobs.  Idempotent: every state change and every reminder is claimed
with a guarded UPDATE, so a repeated or concurrent run changes nothing."""
from __future__ import annotations

from kuulas import scheduler


@scheduler.job("panel.surveys", seconds=300)
def surveys(now):
    from . import sending

    return {"opened": sending.open_due(now), "reminded": sending.remind_due(now),
            "closed": sending.close_due(now)}
