"""One notion of "now" for the whole application.

Times are stored as naive UTC datetimes (SQLite keeps no zone); they are converted to
the user's zone (Europe/Helsinki by default) only when shown.  Services take ``now`` as
an argument so tests can freeze it; this module is the default source.
"""
from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
