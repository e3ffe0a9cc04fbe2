"""The life of one piece of service feedback and of a development item, as data.

Pure: no Flask, no database.  Services ask :func:`check` before they change a state; the
handler's page asks :func:`allowed` to show only what can be done, and :func:`why_not` to
say why a control is missing.  The state names are the values stored in the database.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

# Feedback states
NEW, IN_HAND, ANSWERED, CLOSED = "new", "in_hand", "answered", "closed"
STATES = (NEW, IN_HAND, ANSWERED, CLOSED)
OPEN_STATES = (NEW, IN_HAND)

# Actions on a feedback -> the states they may start from, and the state they lead to
# (None: the state does not change).
TAKE, ANSWER, CLOSE, TAG, MODERATE, GATHER = "take", "answer", "close", "tag", "moderate", "gather"
FEEDBACK_ACTIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    TAKE: ((NEW,), IN_HAND),
    ANSWER: ((NEW, IN_HAND), ANSWERED),
    CLOSE: ((NEW, IN_HAND, ANSWERED), CLOSED),
    TAG: (STATES, None),
    MODERATE: (STATES, None),
    GATHER: (STATES, None),
}

# Development items
ITEM_OPEN, ITEM_DECIDED = "open", "decided"
ITEM_STATES = (ITEM_OPEN, ITEM_DECIDED)
DECIDE, EDIT_ITEM = "decide", "edit"
ITEM_ACTIONS = {
    EDIT_ITEM: ((ITEM_OPEN,), None),
    DECIDE: ((ITEM_OPEN, ITEM_DECIDED), ITEM_DECIDED),   # a decision can be corrected
}

# Feedback kinds and ratings
PRAISE, IDEA, COMPLAINT = "praise", "idea", "complaint"
KINDS = (PRAISE, IDEA, COMPLAINT)
RATINGS = (1, 2, 3, 4, 5)
TEXT_LIMIT = 2000


class IllegalTransition(Exception):
    def __init__(self, action: str, state: str):
        super().__init__(f"{action} from {state}")
        self.action, self.state = action, state


def allowed(action: str, state: str, *, has_contact: bool = False) -> bool:
    starts, _to = FEEDBACK_ACTIONS[action]
    if state not in starts:
        return False
    # Feedback whose writer asked for an answer is closed only after it has been answered.
    if action == CLOSE and has_contact and state != ANSWERED:
        return False
    return True


def check(action: str, state: str, *, has_contact: bool = False) -> str:
    """The state after ``action``; raises :class:`IllegalTransition` if it is not allowed."""
    if not allowed(action, state, has_contact=has_contact):
        raise IllegalTransition(action, state)
    return FEEDBACK_ACTIONS[action][1] or state


def why_not(action: str, state: str, *, has_contact: bool = False) -> str | None:
    """A stable reason code when ``action`` is not allowed (the UI translates it)."""
    if allowed(action, state, has_contact=has_contact):
        return None
    if action == CLOSE and has_contact and state in OPEN_STATES:
        return "needs_answer"
    if state == CLOSED:
        return "closed"
    if state == ANSWERED:
        return "answered"
    return "state"


def check_item(action: str, state: str) -> str:
    starts, to = ITEM_ACTIONS[action]
    if state not in starts:
        raise IllegalTransition(action, state)
    return to or state


def due_date(received: datetime, target_days: int) -> date:
    """The last day a feedback should be answered or closed on."""
    return (received + timedelta(days=int(target_days))).date()


def urgency(due: date, today: date, state: str, *, near_days: int = 2) -> str:
    """'done', 'overdue', 'near' or 'ok' for the handler's queue."""
    if state not in OPEN_STATES:
        return "done"
    if today > due:
        return "overdue"
    if (due - today).days <= near_days:
        return "near"
    return "ok"
