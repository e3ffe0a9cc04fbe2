"""Dates in mails: Finnish and Finland-Swedish write 9.12.2026, English 9 December 2026,
always the day in the county's time zone."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_date, get_locale


def day_text(when: datetime | date) -> str:
    """A stored (naive UTC) time as its day in the county's zone; a date as it is."""
    if isinstance(when, datetime):
        zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Helsinki")
        local = when.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date()
    else:
        local = when
    if str(get_locale() or "fi") in ("fi", "sv"):
        return f"{local.day}.{local.month}.{local.year}"
    return format_date(local, "d MMMM y")
