"""The dated history of an outcome: every change a service makes is written here, in the
service's transaction.  A change of a public outcome that followers care about becomes a
row of the public change list (their weekly digest); the page caches are dropped once the
transaction commits, never before (a reader must not cache the old page again)."""
from __future__ import annotations

from datetime import datetime

from kuulas import effects

from . import lifecycle
from .models import Outcome, OutcomeChange


def record(outcome: Outcome, action: str, now: datetime, actor=None, detail: str = "", mails: int = 0) -> None:
    outcome.changes.append(OutcomeChange(at=now, action=action, detail=detail[:500],
                                         actor_id=getattr(actor, "id", None), mails_queued=mails))
    outcome.updated_at = now
    if lifecycle.is_public_change(outcome.state, action):
        from deliberation.follow import changes   # followers hear of it in their weekly digest

        changes.record("outcome", outcome.id, action, now=now)
    drop_caches()
    if outcome.id is not None:
        outcome.revision = Outcome.revision + 1  # atomic in SQL; caches key on it


def drop_caches() -> None:
    """Declare that this process's page-cache stamps are dropped after the commit."""
    from . import cache

    if not any(fn is cache.invalidate for fn, _args, _kwargs in effects.pending()):
        effects.after_commit(cache.invalidate)
