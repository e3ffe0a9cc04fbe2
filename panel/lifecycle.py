"""The lives of a panel, its volunteers, its draws and its invitations, as data: their
states, the moves between them and what each state allows.  Services ask this module
before they change anything, and the pages ask it to show (or explain) a control, so no
state name is spelt out anywhere else.  A survey's life is declared the same way in
``panel.surveys.lifecycle`` and reached from here as ``survey``.

Pure: imports neither Flask nor SQLAlchemy.  A refusal is a reason key;
``panel.lifecycle_reasons`` turns it into translated text.  Time-bound checks use
the panel's *phase* (``phase``: the state the clock implies, since the scheduler flips the
stored state up to a minute late), never the stored state alone.
"""
from __future__ import annotations

from datetime import datetime

from .surveys import lifecycle as survey  # noqa: F401  (surveys: draft → ... → published)

# --- panels -----------------------------------------------------------------------------
DRAFT, SCHEDULED, RECRUITING, RECRUITMENT_CLOSED, DRAWN, CLOSED = (
    "draft", "scheduled", "recruiting", "recruitment_closed", "drawn", "closed")
PANEL_STATES = (DRAFT, SCHEDULED, RECRUITING, RECRUITMENT_CLOSED, DRAWN, CLOSED)
RECRUITMENT_STATES = (SCHEDULED, RECRUITING)     # published, recruitment not yet ended

# Panel actions (who may do them at all is ``panel.rules``; this says when).
PUBLISH = "publish"                      # a draft becomes scheduled
CLOSE_RECRUITMENT = "close_recruitment"  # staff end recruitment now
REGISTER = "register"                    # volunteers sign up, confirm and change answers
PREPARE_DRAW = "prepare_draw"            # freeze the pool and publish its hash
REPLACE = "replacement_draw"             # fill declined or expired seats
CLOSE = "close"                          # end the panel (retention starts)
SHOW_PUBLIC = "show_public"              # the public page and the selection report
# Moves that are not staff choices of their own: the job opens recruitment at its time,
# and running the initial draw (a draw action) makes the panel drawn.
OPEN_RECRUITMENT, RUN_DRAW = "open_recruitment", "run_draw"
PANEL_ACTIONS = (PUBLISH, CLOSE_RECRUITMENT, REGISTER, PREPARE_DRAW, REPLACE, CLOSE, SHOW_PUBLIC)

# What each *phase* allows (``phase(state, ...)`` below).  Publishing and closing
# recruitment by hand go by the stored state (the job performs the same moves).
PANEL_ALLOWS: dict[str, frozenset[str]] = {
    DRAFT: frozenset({PUBLISH}),
    SCHEDULED: frozenset({CLOSE_RECRUITMENT, SHOW_PUBLIC}),
    RECRUITING: frozenset({REGISTER, CLOSE_RECRUITMENT, SHOW_PUBLIC}),
    RECRUITMENT_CLOSED: frozenset({PREPARE_DRAW, CLOSE, SHOW_PUBLIC}),
    DRAWN: frozenset({REPLACE, CLOSE, SHOW_PUBLIC}),
    CLOSED: frozenset({SHOW_PUBLIC}),
}

PANEL_MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    PUBLISH: ((DRAFT,), SCHEDULED),
    OPEN_RECRUITMENT: ((SCHEDULED,), RECRUITING),
    CLOSE_RECRUITMENT: (RECRUITMENT_STATES, RECRUITMENT_CLOSED),
    RUN_DRAW: ((RECRUITMENT_CLOSED,), DRAWN),
    CLOSE: ((RECRUITMENT_CLOSED, DRAWN), CLOSED),
}

_PANEL_WHY = {
    PUBLISH: "already_scheduled",
    CLOSE_RECRUITMENT: "recruitment_not_open",
    REGISTER: "recruitment_not_open",
    PREPARE_DRAW: "close_recruitment_first",
    REPLACE: "replacement_after_draw",
    CLOSE: "close_after_recruitment",
    SHOW_PUBLIC: "not_published",
}


def phase(state: str, now: datetime, opens_at: datetime | None,
          closes_at: datetime | None) -> str:
    """The state the clock implies for a panel stored in ``state``."""
    if state in RECRUITMENT_STATES:
        # A standing panel may have no closing time: it stays open.
        if closes_at is not None and now >= closes_at:
            return RECRUITMENT_CLOSED
        if state == SCHEDULED and opens_at is not None and now >= opens_at:
            return RECRUITING
    return state


def panel_allows(state: str, action: str) -> bool:
    return action in PANEL_ALLOWS.get(state, frozenset())


def panel_why_not(state: str, action: str) -> str | None:
    """None when ``action`` is allowed in ``state`` (a phase), else a reason key."""
    if panel_allows(state, action):
        return None
    return _PANEL_WHY.get(action, "not_allowed")


def panel_target(state: str, move: str) -> str | None:
    sources, dest = PANEL_MOVES.get(move, ((), None))
    return dest if state in sources else None


# --- volunteers ---------------------------------------------------------------------------
V_PENDING, V_CONFIRMED, V_EXCLUDED = "pending", "confirmed", "excluded"
VOLUNTEER_STATES = (V_PENDING, V_CONFIRMED, V_EXCLUDED)
IN_POOL = (V_CONFIRMED,)                 # who a draw can select


def volunteer_in_pool(state: str) -> bool:
    return state in IN_POOL


# --- draws --------------------------------------------------------------------------------
D_PREPARED, D_DONE, D_BLOCKED = "prepared", "done", "blocked"
DRAW_STATES = (D_PREPARED, D_DONE, D_BLOCKED)
RUN = "run"                              # run with the announced seed
PUBLISH_RESULT = "publish_result"        # the selection and its probabilities are public
DRAW_ALLOWS: dict[str, frozenset[str]] = {
    D_PREPARED: frozenset({RUN, SHOW_PUBLIC}),
    D_DONE: frozenset({PUBLISH_RESULT, SHOW_PUBLIC}),
    # A replacement draw whose quotas the remaining pool cannot meet waits for staff
    # (relaxed or hand-adjusted quotas); the public never sees it.
    D_BLOCKED: frozenset({RUN}),
}
_DRAW_WHY = {RUN: "draw_already_run", PUBLISH_RESULT: "draw_not_run", SHOW_PUBLIC: "draw_blocked"}


def draw_allows(state: str, action: str) -> bool:
    return action in DRAW_ALLOWS.get(state, frozenset())


def draw_why_not(state: str, action: str) -> str | None:
    return None if draw_allows(state, action) else _DRAW_WHY.get(action, "not_allowed")


def public_draws(draws):
    """The draws the public report lists (never a blocked one)."""
    return [d for d in draws if draw_allows(d.state, SHOW_PUBLIC)]


# --- invitations --------------------------------------------------------------------------
I_PENDING, I_ACCEPTED, I_DECLINED, I_EXPIRED, I_WITHDRAWN = (
    "pending", "accepted", "declined", "expired", "withdrawn")
INVITATION_STATES = (I_PENDING, I_ACCEPTED, I_DECLINED, I_EXPIRED, I_WITHDRAWN)
OPEN_STATES = (I_PENDING, I_ACCEPTED)        # a seat that is still taken
GAP_STATES = (I_DECLINED, I_EXPIRED, I_WITHDRAWN)
ANSWER = "answer"                            # accept or decline
UNDO_DECLINE = "undo_decline"                # also needs: no replacement yet, before the deadline
INVITATION_ALLOWS: dict[str, frozenset[str]] = {
    I_PENDING: frozenset({ANSWER}),
    I_ACCEPTED: frozenset(),
    I_DECLINED: frozenset({UNDO_DECLINE}),
    I_EXPIRED: frozenset(),
    I_WITHDRAWN: frozenset(),
}
INVITATION_MOVES: dict[str, tuple[str, str]] = {
    "accept": (I_PENDING, I_ACCEPTED),
    "decline": (I_PENDING, I_DECLINED),
    UNDO_DECLINE: (I_DECLINED, I_PENDING),
    "expire": (I_PENDING, I_EXPIRED),          # the job, past the deadline
}
_INVITATION_WHY = {ANSWER: "already_answered", UNDO_DECLINE: "decline_not_undoable"}


def invitation_allows(state: str, action: str) -> bool:
    return action in INVITATION_ALLOWS.get(state, frozenset())


def invitation_why_not(state: str, action: str) -> str | None:
    return None if invitation_allows(state, action) else _INVITATION_WHY.get(action, "not_allowed")


def is_gap(state: str) -> bool:
    return state in GAP_STATES
