"""Permissions of the digiraati.  Staff set-up needs a staff role; everything in the room
needs a membership row in *that* raati (role, not removed) on an active account, and is
checked again on every event.  Targets for room rules are the actor's ``Member`` row."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from kuulas import access
from kuulas.access import Decision, Role

from . import lifecycle as lc

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
# The role sets are the lifecycle's (``lifecycle.ROLES_FOR``): one table says who may do what.
access.register(SPEAK, lambda actor, member, now: _membership(actor, member, lc.SPEAKERS, speaking=True))
access.register(MODERATE, lambda actor, member, now: _membership(actor, member, lc.MODERATORS))
access.register(DRAFT, lambda actor, member, now: _membership(actor, member, lc.DRAFTERS))
access.register(REVIEW, lambda actor, member, now: _membership(actor, member, lc.JURORS, speaking=True))
access.register(LOCK, lambda actor, member, now: _membership(actor, member, lc.CHAIRS))


def _transcript(actor, member, now) -> Decision:
    if access.can(actor, MANAGE):
        return Decision(True)
    return _membership(actor, member)


access.register(TRANSCRIPT, _transcript)

# The access rule each room action is checked with (membership, role, mute) before the
# lifecycle is asked about the state and phase.
RULE_FOR = {
    lc.MESSAGE: SPEAK, lc.HAND: SPEAK, lc.QUESTION: SPEAK, lc.UPVOTE: SPEAK, lc.VOTE: SPEAK,
    lc.LOWER_HAND: ENTER, lc.NAME: ENTER,
    lc.CALL_NEXT: MODERATE, lc.ANSWER: MODERATE, lc.POLL: MODERATE, lc.CLOSE_POLL: MODERATE,
    lc.PIN: MODERATE, lc.HIDE: MODERATE, lc.MODERATE: MODERATE, lc.SET_PHASE: MODERATE, lc.TIMER: MODERATE,
    lc.DRAFT_EDIT: DRAFT, lc.REVIEW: REVIEW, lc.LOCK: LOCK,
}
