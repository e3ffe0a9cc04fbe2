"""The outcomes area's services for callers in other areas (and their tests): a re-export.

Inside the area, import the module by intent: ``visibility`` (what the public may see),
``drafts`` (staff reading, drafts, texts, attachments), ``publication`` (publish, schedule,
withdraw, close, notify), ``decisions`` (decisions, impact, follow-ups) and ``dashboard``
(metrics records).  The services never commit; the caller owns the transaction.
"""
from __future__ import annotations

from .decisions import add_follow_up, impact_state, record_decision
from .drafts import create_draft, get_for_staff, save_translation, update_draft
from .models import Outcome
from .publication import close_without_decision, publish, publish_due, withdraw
from .visibility import get_public, list_public, visible_outcomes

__all__ = ["Outcome", "add_follow_up", "close_without_decision", "create_draft", "get_for_staff", "get_public",
           "impact_state", "list_public", "publish", "publish_due", "record_decision", "save_translation",
           "update_draft", "visible_outcomes", "withdraw"]
