"""The life of a survey as data: its states, the moves between them and what each state
allows.  Services, views and templates ask this module, so a disabled button can say why.

Pure: imports neither Flask nor SQLAlchemy.  Reasons are keys; ``messages.REASONS``
turns them into translated text.  It must never decide anything from dates alone (staff
open and close surveys by hand too; the scheduler only performs the same moves).
"""
from __future__ import annotations

DRAFT, SCHEDULED, OPEN, CLOSED, PUBLISHED = "draft", "scheduled", "open", "closed", "published"
STATES = (DRAFT, SCHEDULED, OPEN, CLOSED, PUBLISHED)

# Actions
EDIT = "edit"                # texts, questions, recipients, weighting
SCHEDULE = "schedule"        # set the times and queue the opening (or open now)
UNSCHEDULE = "unschedule"
OPEN_NOW = "open"
ANSWER = "answer"            # members answer and change their answers
REMIND = "remind"
RESEND = "resend"            # "send my link again"
CLOSE = "close"
RESULTS = "results"          # staff see the weighted results
EXPORT = "export"
PUBLISH = "publish"          # as an outcome
DELETE = "delete"

ALLOWED: dict[str, frozenset[str]] = {
    DRAFT: frozenset({EDIT, SCHEDULE, OPEN_NOW, DELETE}),
    SCHEDULED: frozenset({UNSCHEDULE, OPEN_NOW}),
    OPEN: frozenset({ANSWER, REMIND, RESEND, CLOSE}),
    # Results only once the survey is closed: staff cannot watch answers arrive after a
    # reminder and guess who answered.
    CLOSED: frozenset({RESULTS, EXPORT, PUBLISH}),
    PUBLISHED: frozenset({RESULTS, EXPORT}),
}

MOVES: dict[str, tuple[str, str]] = {
    SCHEDULE: (DRAFT, SCHEDULED),
    UNSCHEDULE: (SCHEDULED, DRAFT),
    OPEN_NOW: (SCHEDULED, OPEN),
    CLOSE: (OPEN, CLOSED),
    PUBLISH: (CLOSED, PUBLISHED),
}

# Why an action is not possible, by state: keys into messages.REASONS.
_WHY = {
    EDIT: "edit_after_scheduling",
    SCHEDULE: "already_scheduled",
    UNSCHEDULE: "not_scheduled",
    OPEN_NOW: "not_draft_or_scheduled",
    ANSWER: "not_open",
    REMIND: "not_open",
    RESEND: "not_open",
    CLOSE: "not_open",
    RESULTS: "results_after_close",
    EXPORT: "results_after_close",
    PUBLISH: "publish_after_close",
    DELETE: "delete_only_draft",
}


def allows(state: str, action: str) -> bool:
    return action in ALLOWED.get(state, frozenset())


def why_not(state: str, action: str) -> str | None:
    """None when ``action`` is allowed in ``state``, else a reason key."""
    if allows(state, action):
        return None
    if action == ANSWER and state in (CLOSED, PUBLISHED):
        return "closed"
    if action == ANSWER and state in (DRAFT, SCHEDULED):
        return "not_yet_open"
    if action == PUBLISH and state == PUBLISHED:
        return "already_published"
    return _WHY.get(action, "not_allowed")


def target(state: str, move: str) -> str | None:
    """The state after ``move`` from ``state`` (None when the move does not start there).
    Opening is allowed straight from a draft too (send now)."""
    if move == OPEN_NOW and state == DRAFT:
        return OPEN
    source, dest = MOVES.get(move, (None, None))
    return dest if source == state else None
