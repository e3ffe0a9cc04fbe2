"""The digiraati's lifecycle in one place: its states and the transitions between them, the
agenda's phases, and what each state and phase allows each role to do in the room, with the
translated reason when it does not.

Pure: imports neither Flask nor SQLAlchemy and does no I/O.  A reason is an English msgid
(marked with ``_l`` so the catalogue extracts it); the caller translates it (``room.refuse``).  The services ask ``refusal``/``require`` before they write; the
room page and the socket's ``sync`` ask ``abilities`` to disable a control and say why;
``tests/raati/test_lifecycle_matrix.py`` walks every phase, role and action through the
services against this table.

Who is a member at all (signed in, active account, not removed, not muted) is the access
rule's part (``rules``); its role sets come from ``ROLES_FOR`` here.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import phases


def _l(message: str) -> str:
    """Marks a msgid for extraction; the caller translates it."""
    return message


# --- states and roles -------------------------------------------------------------------
DRAFT, LIVE, FINISHED = "draft", "live", "finished"
STATES = (DRAFT, LIVE, FINISHED)
ROLES = ("member", "moderator", "chair", "secretary", "expert", "observer")
MEMBER, MODERATOR, CHAIR, SECRETARY, EXPERT, OBSERVER = ROLES
# Staff move a raati between its states by hand (a finished raati can be reopened); the
# moderator's first phase takes a draft live.  Every change goes through ``transition``.
TRANSITIONS = {DRAFT: {DRAFT, LIVE, FINISHED}, LIVE: {DRAFT, LIVE, FINISHED}, FINISHED: {DRAFT, LIVE, FINISHED}}


class IllegalTransition(ValueError):
    """A state the raati cannot move to."""


def transition(current: str, target: str) -> str:
    if target not in STATES or target not in TRANSITIONS.get(current, ()):
        raise IllegalTransition(f"{current} -> {target}")
    return target


# --- actions in the room ----------------------------------------------------------------
# Speaking: members take part in the discussion.
MESSAGE, HAND, QUESTION, UPVOTE, VOTE = "message", "hand", "question", "upvote", "vote"
LOWER_HAND, NAME = "lower_hand", "name"
# Moderating the room.
CALL_NEXT, ANSWER, POLL, CLOSE_POLL, PIN, HIDE, MODERATE, SET_PHASE, TIMER = (
    "call_next", "answer", "poll", "close_poll", "pin", "hide", "moderate", "set_phase", "timer")
# The statement.
DRAFT_EDIT, REVIEW, LOCK = "draft_edit", "review", "lock"

ACTIONS = (MESSAGE, HAND, LOWER_HAND, QUESTION, UPVOTE, VOTE, NAME, CALL_NEXT, ANSWER, POLL, CLOSE_POLL,
           PIN, HIDE, MODERATE, SET_PHASE, TIMER, DRAFT_EDIT, REVIEW, LOCK)
SPEAKERS = frozenset({MEMBER, MODERATOR, CHAIR, SECRETARY, EXPERT})
EVERYONE = frozenset(ROLES)
MODERATORS = frozenset({MODERATOR})
DRAFTERS = frozenset({SECRETARY, MODERATOR})
JURORS = frozenset({MEMBER, CHAIR, SECRETARY})   # who reviews, and whose approval counts
CHAIRS = frozenset({CHAIR})

ROLES_FOR = {
    MESSAGE: SPEAKERS, HAND: SPEAKERS, QUESTION: SPEAKERS, UPVOTE: SPEAKERS, VOTE: SPEAKERS,
    LOWER_HAND: EVERYONE, NAME: EVERYONE,
    CALL_NEXT: MODERATORS, ANSWER: MODERATORS, POLL: MODERATORS, CLOSE_POLL: MODERATORS,
    PIN: MODERATORS, HIDE: MODERATORS, MODERATE: MODERATORS, SET_PHASE: MODERATORS, TIMER: MODERATORS,
    DRAFT_EDIT: DRAFTERS, REVIEW: JURORS, LOCK: CHAIRS,
}

# --- phases -------------------------------------------------------------------------------
# What a speaking action needs of the current phase (the moderator is not bound by it):
# messages, hands and poll answers work in every phase; questions to the experts (and their
# support) belong to the hearing and the discussion.  Between sessions (no current phase)
# the room stays open for all of them.  Moderating and the statement work in every phase.
PHASE_ALLOWS = {
    phases.ORIENTATION: {MESSAGE, HAND, VOTE},
    phases.HEARING: {MESSAGE, HAND, VOTE, QUESTION, UPVOTE},
    phases.DISCUSSION: {MESSAGE, HAND, VOTE, QUESTION, UPVOTE},
    phases.DRAFTING: {MESSAGE, HAND, VOTE},
    phases.CLOSING: {MESSAGE, HAND, VOTE},
}
PHASED = frozenset({MESSAGE, HAND, QUESTION, UPVOTE, VOTE})
# Actions that need a display name first.
NEEDS_NAME = PHASED


def phase_allows(kind: str | None, action: str) -> bool:
    if action not in PHASED or kind is None:
        return True
    return action in PHASE_ALLOWS.get(kind, set())
# Actions that write to the statement: none once it is locked.
STATEMENT = frozenset({DRAFT_EDIT, REVIEW, LOCK})
# Actions still possible in a finished raati (choosing the name under which one appears).
AFTER_FINISH = frozenset({NAME})

# The room's controls and the action each one performs (``abilities``).
CONTROLS = {"chat": MESSAGE, "hand": HAND, "question": QUESTION, "poll": VOTE, "review": REVIEW}

ROLE_REFUSED = _l("Your role in this digiraati does not allow this.")
FINISHED_REFUSED = _l("This digiraati has finished; the room is read-only.")
LOCKED_REFUSED = _l("Drafting has closed and the statement is locked.")
NAME_REFUSED = _l("Choose a display name first.")
PHASE_REFUSED = _l("The current phase does not allow this.")


@dataclass(frozen=True)
class Room:
    """What the lifecycle needs to know of a raati: its state, the current phase's kind
    (None between sessions) and whether the statement is locked."""

    state: str
    phase: str | None = None
    statement_locked: bool = False


def refusal(room: Room, role: str, action: str, *, named: bool = True) -> str | None:
    """Why ``role`` may not do ``action`` in ``room`` now (an English msgid), or None."""
    if role not in ROLES_FOR[action]:
        return ROLE_REFUSED
    if room.state == FINISHED and action not in AFTER_FINISH:
        return FINISHED_REFUSED
    if action in STATEMENT and room.statement_locked:
        return LOCKED_REFUSED
    if action in NEEDS_NAME and not named:
        return NAME_REFUSED
    if role != MODERATOR and not phase_allows(room.phase, action):
        return PHASE_REFUSED
    return None


def role_actions(role: str) -> list[str]:
    """Every action the role may ever take (the room shows or hides controls by it)."""
    return [a for a in ACTIONS if role in ROLES_FOR[a]]
