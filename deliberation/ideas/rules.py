"""Permissions of the idea rounds.  Staff rules are role sets; taking part is a predicate on
the round and the clock, so a page left open after closing is refused by the service."""
from __future__ import annotations

from kuulas.i18n import format_datetime
from flask_babel import lazy_gettext as _l

from kuulas import access
from kuulas.access import Decision, Role

from . import lifecycle
from .lifecycle import CLOSED

MANAGE = "ideas:round:manage"          # set up and edit rounds, open/close by hand
MODERATE = "ideas:round:moderate"      # queue, approve, hide, restore, tag themes
RESULTS = "ideas:results:read"         # staff summary, exports (also before close)
VIEW = "ideas:round:view"              # the public round page
PARTICIPATE = "ideas:round:participate"  # write, vote, comment, flag (no account)

access.register(MANAGE, {Role.PREPARER})
access.register(MODERATE, {Role.MODERATOR, Role.PREPARER})
access.register(RESULTS, {Role.MODERATOR, Role.PREPARER})


def _view(actor, round_, now) -> Decision:
    if round_ is None:
        return Decision(False, _l("No such idea round."))
    if not lifecycle.allows(round_.state, lifecycle.VIEW, lifecycle.VISITOR):
        # Before publication only staff see the round.
        if access.can(actor, MANAGE) or access.can(actor, MODERATE):
            return Decision(True)
        return Decision(False, _l("No such idea round."))
    return Decision(True)


def _participate(actor, round_, now) -> Decision:
    """``actor`` is a ``services.Participant`` (or None); ``round_`` the IdeaRound."""
    if round_ is None:
        return Decision(False, _l("No such idea round."))
    if actor is None:
        return Decision(False, _l("Your participation key is missing. Reload the round page and try again."))
    if round_.state == CLOSED or now >= round_.closes_at:   # the clock as well as the state
        return Decision(False, _l("The round has closed, so nothing more can be added or changed. Thank you for taking part!"))
    if not lifecycle.allows(round_.state, lifecycle.POST_IDEA) or now < round_.opens_at:
        return Decision(False, _l("The round is not open yet. It opens %(when)s.",
                                  when=format_datetime(round_.opens_at, "short")))
    return Decision(True)


access.register(VIEW, _view)
access.register(PARTICIPATE, _participate)
