"""iCalendar (RFC 5545) invitations for digiraati sessions, written with ``icalendar``.

Times go out in UTC (``...Z``), every event has a stable UID (so an update replaces the
entry in the member's calendar) and a DTSTAMP; the library does CRLF line endings,
75-octet folding and text escaping.  No Flask here: callers pass every value in.
"""
from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress, vText


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def session_event(*, uid: str, sequence: int, starts_at: datetime, ends_at: datetime,
                  stamp: datetime, summary: str, description: str, url: str, organizer: str,
                  attendee: str, cancelled: bool = False) -> bytes:
    """An invitation (METHOD:REQUEST), or with ``cancelled`` the cancellation of the same UID
    (METHOD:CANCEL, STATUS:CANCELLED).  A change or a cancellation must carry a higher
    ``sequence`` than what the member's calendar already has."""
    cal = Calendar()
    cal.add("prodid", "-//Kuulas//Digiraati//FI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", _utc(stamp))
    event.add("dtstart", _utc(starts_at))
    event.add("dtend", _utc(ends_at))
    event.add("summary", summary)
    event.add("description", f"{description}\n\n{url}")
    event.add("url", url)
    event.add("location", vText(url))
    org = vCalAddress(f"mailto:{organizer}")
    event.add("organizer", org)
    att = vCalAddress(f"mailto:{attendee}")
    att.params["ROLE"] = "REQ-PARTICIPANT"
    att.params["RSVP"] = "FALSE"
    event.add("attendee", att)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical()
