"""The life of an outcome as data: its states, the moves between them and what each state
allows.  Services, views and templates ask this module, so a refused action and a hidden
control give the same reason.

Pure: imports neither Flask nor SQLAlchemy.  Reasons are keys; ``present.reason`` turns
them into translated text.  Nothing here is decided from dates alone: a preparer publishes
and withdraws by hand, and the scheduler only performs the same move at the chosen time.

States::

    draft ──publish──▶ published ──withdraw──▶ draft
      │                    ▲
      └─schedule─▶ scheduled ─publish / publish_due─┘   (withdraw: back to draft)

A published outcome may also be *closed without a decision* (a dated change, not a state:
the outcome stays public); it is only possible while no decision has been recorded.
"""
from __future__ import annotations

DRAFT, SCHEDULED, PUBLISHED = "draft", "scheduled", "published"
STATES = (DRAFT, SCHEDULED, PUBLISHED)

# Actions (what a preparer, the scheduler or the public does with an outcome)
EDIT = "edit"                    # texts, translations
ATTACH = "attach"                # add or remove attachments
PUBLISH = "publish"              # publish now
SCHEDULE = "schedule"            # publish at a chosen time (again: reschedule)
WITHDRAW = "withdraw"            # cancel the schedule or take off the public pages
PUBLISH_DUE = "publish_due"      # the scheduler publishes a scheduled outcome
CLOSE = "close_without_decision"
DECIDE = "record_decision"       # record or correct a decision and its impact
FOLLOW_UP = "follow_up"
NOTIFY = "notify"                # participants are told of a decision by e-mail
READ_PUBLIC = "read_public"      # the public pages, feed, API and exports show it

ACTIONS = (EDIT, ATTACH, PUBLISH, SCHEDULE, WITHDRAW, PUBLISH_DUE, CLOSE, DECIDE, FOLLOW_UP, NOTIFY,
           READ_PUBLIC)
# What the scheduler does; the others are a preparer's (or, READ_PUBLIC, anybody's).
SYSTEM_ACTIONS = frozenset({PUBLISH_DUE})

_ALWAYS = frozenset({EDIT, ATTACH, DECIDE, FOLLOW_UP})
ALLOWED: dict[str, frozenset[str]] = {
    DRAFT: _ALWAYS | {PUBLISH, SCHEDULE},
    SCHEDULED: _ALWAYS | {PUBLISH, SCHEDULE, WITHDRAW, PUBLISH_DUE},
    PUBLISHED: _ALWAYS | {WITHDRAW, CLOSE, NOTIFY, READ_PUBLIC},
}

MOVES: dict[str, tuple[frozenset[str], str]] = {
    PUBLISH: (frozenset({DRAFT, SCHEDULED}), PUBLISHED),
    SCHEDULE: (frozenset({DRAFT, SCHEDULED}), SCHEDULED),
    PUBLISH_DUE: (frozenset({SCHEDULED}), PUBLISHED),
    WITHDRAW: (frozenset({SCHEDULED, PUBLISHED}), DRAFT),
}

# Why an action is not possible in a state: keys into ``present.REASONS``.
_WHY = {
    PUBLISH: "already_published",
    SCHEDULE: "already_published",
    WITHDRAW: "not_public_or_scheduled",
    CLOSE: "close_needs_publication",
    NOTIFY: "notify_needs_publication",
    READ_PUBLIC: "not_published",
}

# Changes in the history that followers of a published outcome hear of (weekly digest).
PUBLIC_CHANGES = frozenset({"published", "decision_recorded", "follow_up", "closed_without_decision"})
CLOSED_WITHOUT_DECISION = "closed_without_decision"


def allows(state: str, action: str) -> bool:
    return action in ALLOWED.get(state, frozenset())


def why_not(state: str, action: str, *, decided: bool = False, closed: bool = False) -> str | None:
    """None when ``action`` is possible in ``state``, else a reason key.  ``decided``: a
    decision has been recorded; ``closed``: the outcome was closed without a decision."""
    if not allows(state, action):
        return _WHY.get(action, "not_allowed")
    if action == CLOSE:
        if decided:
            return "already_decided"
        if closed:
            return "already_closed"
    return None


def target(state: str, move: str) -> str | None:
    """The state after ``move`` from ``state``; None when the move does not start there."""
    sources, dest = MOVES.get(move, (frozenset(), None))
    return dest if state in sources else None


def withdraw_change(state: str) -> str:
    """The history entry a withdrawal from ``state`` writes."""
    return "withdrawn" if state == PUBLISHED else "schedule_cancelled"


def is_public(state: str) -> bool:
    return allows(state, READ_PUBLIC)


def is_public_change(state: str, action: str) -> bool:
    """Whether a change is told to the outcome's followers (only of a public outcome)."""
    return is_public(state) and action in PUBLIC_CHANGES


def controls(state: str, *, decided: bool = False, closed: bool = False) -> dict[str, str | None]:
    """For the staff page: each preparer action with None (possible) or why not."""
    return {a: why_not(state, a, decided=decided, closed=closed)
            for a in ACTIONS if a not in SYSTEM_ACTIONS and a != READ_PUBLIC}
