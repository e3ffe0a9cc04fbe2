"""The request side of the lean vote (``voting``): what a vote needs from the request and
nothing more.

A vote with a valid participation cookie and a well-formed choice goes straight to
``voting.cast``: no round object, no ORM, one SQL statement on PostgreSQL.  Everything else
(no or forged cookie, bad input, a round or idea that refuses the vote) returns None, and the
view takes the full path, which answers exactly as before (the same errors, in the same
order, and a fresh cookie where one is due).  CSRF and the rate limits have run before the
view, as for every vote."""
from __future__ import annotations

from werkzeug.exceptions import HTTPException

from kuulas.errors import ValidationFailed

from . import participation, voting
from .common import valid_public_id
from .models import VOTE_VALUES


def cast(round_id: int, now, *, deal: bool, read_input) -> tuple[str, tuple[str, str] | None, str | None] | None:
    """(public id of the idea voted on, next idea (public id, text) or None, the form's
    ``back``), or None when the full path must answer.  ``read_input`` is the view's own
    reader of the vote's fields.  Does not commit."""
    participant = participation.current_participant(round_id)
    if participant is None:
        return None
    try:
        ref, raw_value, target = read_input()
    except (HTTPException, ValidationFailed):
        return None            # the full path reads the input again and refuses it in its order
    value = VOTE_VALUES.get(raw_value or "")
    if value is None or not valid_public_id(ref):
        return None
    done = voting.cast(round_id, ref, participant.hash, value, now=now, deal=deal)
    if done is None:
        return None
    return done.public_id, done.next, target
