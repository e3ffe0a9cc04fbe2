"""Permissions of service feedback.

- Units, kiosks and the catalogue: preparers (and administrators).
- Handling: the unit's named handlers; preparers may also handle, because they gather
  feedback into development items.  Moderators see only units they handle.
- Giving feedback needs no account; the public pages need none either.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from kuulas import access
from kuulas.access import Decision, Role

MANAGE = "feedback:unit:manage"
QUEUE = "feedback:queue:view"            # the staff menu entry: anyone who may handle some unit
HANDLE = "feedback:unit:handle"          # target: a Unit
ITEMS = "feedback:item:manage"           # development items
SUMMARY = "feedback:summary:read"

access.register(MANAGE, {Role.PREPARER})
access.register(QUEUE, {Role.PREPARER, Role.MODERATOR})
access.register(ITEMS, {Role.PREPARER, Role.MODERATOR})
access.register(SUMMARY, {Role.PREPARER, Role.MODERATOR})


def handles(actor, unit) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_staff:
        return False
    if access.can(actor, MANAGE):
        return True
    return any(h.account_id == actor.id for h in unit.handlers)


def _handle(actor, unit, now) -> Decision:
    if unit is None:
        return Decision(False, _l("No such service unit."))
    if handles(actor, unit):
        return Decision(True)
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Decision(False, _l("Please sign in first."))
    return Decision(False, _l("You do not handle the feedback of this unit."))


access.register(HANDLE, _handle)
