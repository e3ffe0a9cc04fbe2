"""The rate limits of a vote: one count, whichever door the vote comes in by.

A vote comes in by the vote gateway (``vote_gateway``, in front of Flask) or by the Flask
view; both count it here, in the limiter's own storage (memory, or Redis when the app has
one), under keyed hashes only (``participation``): the participant's and the address's.
A request is counted once: when the gateway has counted it and hands it on to Flask, it
says so in the WSGI environ (``COUNTED``: a key a client cannot set, as client headers
arrive as ``HTTP_*``) and the view takes that verdict instead of counting again.
"""
from __future__ import annotations

from limits import parse_many

P_LIMIT = "30 per minute;600 per hour"       # votes per participant
A_LIMIT = "900 per minute"                   # per address (care homes, workplaces share one)
SCOPE = "ideas.vote"
COUNTED = "kuulas.vote_limits"               # environ: "ok" or "over", set by the gateway

_PER_PARTICIPANT = parse_many(P_LIMIT)
_PER_ADDRESS = parse_many(A_LIMIT)


def allow(strategy, participant_key: str, address_key: str) -> bool:
    """Count one vote against the limits; False when one of them is reached.  ``strategy``
    is the limiter's (``limiter.limiter``, from the ``limits`` package)."""
    for item in _PER_PARTICIPANT:
        if not strategy.hit(item, SCOPE, participant_key):
            return False
    for item in _PER_ADDRESS:
        if not strategy.hit(item, SCOPE, address_key):
            return False
    return True
