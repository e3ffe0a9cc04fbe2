"""Permissions of the digiraati.  Staff set-up needs a staff role; everything in the room
needs a membership row in *that* raati (role, not removed) on an active account, and is
checked again on every event.  Targets for room rules are the actor's ``Member`` row."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from kuulas import access
from kuulas.access import Decision, Role

from .models import CHAIR, EXPERT, MEMBER, MODERATOR, OBSERVER, SECRETARY

MANAGE = "raati:raati:manage"
ENTER = "raati:room:enter"
SPEAK = "raati:room:speak"
MODERATE = "raati:room:moderate"
DRAFT = "raati:statement:draft"
REVIEW = "raati:statement:review"
LOCK = "raati:statement:lock"
TRANSCRIPT = "raati:transcript:read"

access.register(MANAGE, {Role.PREPARER, Role.MODERATOR})


def _membership(actor, member, roles=None, *, speaking=False) -> Decision:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Decision(False, _l("Please sign in first."))
    if not actor.is_active:
        return Decision(False, _l("This account has been deactivated."))
    if member is None or member.account_id != actor.id:
        return Decision(False, _l("You are not a member of this digiraati."))
    if member.removed_at is not None:
        return Decision(False, _l("You have been removed from this digiraati."))
    if roles is not None and member.role not in roles:
        return Decision(False, _l("Your role in this digiraati does not allow this."))
    if speaking and member.muted:
        return Decision(False, _l("The moderator has muted you for now."))
    return Decision(True)


access.register(ENTER, lambda actor, member, now: _membership(actor, member))
access.register(SPEAK, lambda actor, member, now: _membership(
    actor, member, {MEMBER, MODERATOR, CHAIR, SECRETARY, EXPERT}, speaking=True))
access.register(MODERATE, lambda actor, member, now: _membership(actor, member, {MODERATOR}))
access.register(DRAFT, lambda actor, member, now: _membership(actor, member, {SECRETARY, MODERATOR}))
access.register(REVIEW, lambda actor, member, now: _membership(
    actor, member, {MEMBER, CHAIR, SECRETARY}, speaking=True))
access.register(LOCK, lambda actor, member, now: _membership(actor, member, {CHAIR}))


def _transcript(actor, member, now) -> Decision:
    if access.can(actor, MANAGE):
        return Decision(True)
    return _membership(actor, member)


access.register(TRANSCRIPT, _transcript)
_ = OBSERVER
