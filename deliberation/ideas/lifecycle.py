"""The life of an idea round, as data: its states, the transitions between them, and which
action each state allows to which role, with the reason a refused action gives.

PURE: imports neither Flask nor SQLAlchemy and reads no clock.  Services ask ``check``
(and ``after`` for a transition) before they write; templates ask ``allows`` / ``why_not``
to show or explain a control; ``tests/ideas/test_lifecycle_matrix.py`` walks every state,
role and action against the services.  The round's own clock (``opens_at``/``closes_at``)
is checked on top of the state by ``rules.PARTICIPATE``.

The reasons are codes; ``common.REASONS`` gives each its translated text (services raise
with it, ``view_helpers.disabled_reason`` shows it beside a disabled control).
"""
from __future__ import annotations


# --- states and transitions ---------------------------------------------------------------

DRAFT, SCHEDULED, OPEN, CLOSED = "draft", "scheduled", "open", "closed"
STATES = (DRAFT, SCHEDULED, OPEN, CLOSED)

# Transitions: (from, event) -> to.  ``publish``/``unpublish`` and ``close`` are staff
# actions; ``open`` and ``close`` also happen by the clock (``rounds.advance_rounds``).
PUBLISH, UNPUBLISH, OPEN_EVENT, CLOSE_EVENT = "publish", "unpublish", "open", "close"
TRANSITIONS: dict[tuple[str, str], str] = {
    (DRAFT, PUBLISH): SCHEDULED,
    (SCHEDULED, UNPUBLISH): DRAFT,
    (SCHEDULED, OPEN_EVENT): OPEN,
    (SCHEDULED, CLOSE_EVENT): CLOSED,
    (OPEN, CLOSE_EVENT): CLOSED,
}
# States the clock moves on from (``advance_rounds``).
OPENS_BY_CLOCK = (SCHEDULED,)
CLOSES_BY_CLOCK = (SCHEDULED, OPEN)


def after(state: str, event: str) -> str | None:
    """The state ``event`` leads to from ``state``, or None when it does not apply."""
    return TRANSITIONS.get((state, event))


# --- roles and actions --------------------------------------------------------------------

# Who acts.  A visitor has no participation key yet (and no staff account); a participant
# holds the round's anonymous key; staff roles are those of ``kuulas.access.Role``.
VISITOR, PARTICIPANT = "visitor", "participant"
MODERATOR, PREPARER, ADMINISTRATOR = "moderator", "preparer", "administrator"
ROLES = (VISITOR, PARTICIPANT, MODERATOR, PREPARER, ADMINISTRATOR)
STAFF = frozenset({MODERATOR, PREPARER, ADMINISTRATOR})
MANAGERS = frozenset({PREPARER, ADMINISTRATOR})
EVERYONE = frozenset(ROLES)

# What is done (one service each; the participant's own edits count as one action each).
VIEW = "view"                        # the public round page
NOTIFY = "notify"                    # leave an address to hear of the outcome
POST_IDEA = "post_idea"
EDIT_IDEA = "edit_idea"
WITHDRAW_IDEA = "withdraw_idea"
VOTE = "vote"
POST_COMMENT = "post_comment"
EDIT_COMMENT = "edit_comment"
WITHDRAW_COMMENT = "withdraw_comment"
FLAG = "flag"
EDIT_ROUND = "edit_round"            # set-up, publish and unpublish
CLOSE = "close"                      # close now, by hand
MODERATE = "moderate"                # approve, hide, restore, dismiss reports
TAG = "tag"                          # themes of an idea
QUEUE = "queue"                      # the moderation queue
PARTICIPATING = (POST_IDEA, EDIT_IDEA, WITHDRAW_IDEA, VOTE, POST_COMMENT, EDIT_COMMENT,
                 WITHDRAW_COMMENT, FLAG)
ACTIONS = (VIEW, NOTIFY, *PARTICIPATING, EDIT_ROUND, CLOSE, MODERATE, TAG, QUEUE)

_ONLY_OPEN = {OPEN: frozenset({PARTICIPANT})}
_ALL_STATES_STAFF = {state: STAFF for state in STATES}

# ALLOWED[action][state] = the roles that may do it then.  A state missing from an
# action's row allows it to nobody.
ALLOWED: dict[str, dict[str, frozenset]] = {
    VIEW: {DRAFT: STAFF, SCHEDULED: EVERYONE, OPEN: EVERYONE, CLOSED: EVERYONE},
    NOTIFY: {SCHEDULED: EVERYONE, OPEN: EVERYONE, CLOSED: EVERYONE},
    **{action: _ONLY_OPEN for action in PARTICIPATING},
    EDIT_ROUND: {DRAFT: MANAGERS, SCHEDULED: MANAGERS, OPEN: MANAGERS},
    CLOSE: {SCHEDULED: MANAGERS, OPEN: MANAGERS},
    MODERATE: _ALL_STATES_STAFF,
    TAG: _ALL_STATES_STAFF,
    QUEUE: _ALL_STATES_STAFF,
}

# Asking again for what is already done is not an error: (state, action) pairs that are
# accepted and change nothing (a second "close now" on a closed round).
ALREADY_DONE = frozenset({(CLOSED, CLOSE)})

# Why an action is refused in a state (to anyone whose role would otherwise allow it).
NO_ROUND = "no_round"
ROUND_CLOSED = "round_closed"
NOT_OPEN_YET = "not_open_yet"
CLOSED_UNCHANGEABLE = "closed_unchangeable"
PUBLISH_FIRST = "publish_first"
STATE_REASONS: dict[tuple[str, str], str] = {
    **{(DRAFT, action): NO_ROUND for action in (VIEW, NOTIFY)},
    **{(DRAFT, action): NOT_OPEN_YET for action in PARTICIPATING},
    **{(SCHEDULED, action): NOT_OPEN_YET for action in PARTICIPATING},
    **{(CLOSED, action): ROUND_CLOSED for action in PARTICIPATING},
    (CLOSED, EDIT_ROUND): CLOSED_UNCHANGEABLE,
    (DRAFT, CLOSE): PUBLISH_FIRST,
}
# Why a role may not do an action at all (whatever the state).
NOT_YOUR_ROLE = "not_your_role"
REASONS = (NO_ROUND, ROUND_CLOSED, NOT_OPEN_YET, CLOSED_UNCHANGEABLE, PUBLISH_FIRST, NOT_YOUR_ROLE)


def roles_for(state: str, action: str) -> frozenset:
    if state not in STATES or action not in ALLOWED:
        raise KeyError((state, action))
    return ALLOWED[action].get(state, frozenset())


def allows(state: str, action: str, role: str | None = None) -> bool:
    """May ``role`` do ``action`` while the round is in ``state``?  Without a role: may
    anyone (does the state allow the action at all)?"""
    if (state, action) in ALREADY_DONE:
        return role is None or role in roles_for(OPEN, action)
    roles = roles_for(state, action)
    return bool(roles) if role is None else role in roles


def why_not(state: str, action: str, role: str | None = None) -> str | None:
    """The code of the reason ``action`` is refused, or None when it is allowed."""
    if allows(state, action, role):
        return None
    if role is not None and allows(state, action) and role not in roles_for(state, action):
        return NOT_YOUR_ROLE
    if not allows(state, action) and role is not None and not any(
            role in roles for roles in ALLOWED[action].values()):
        return NOT_YOUR_ROLE
    return STATE_REASONS.get((state, action), NOT_YOUR_ROLE)
