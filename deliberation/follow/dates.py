"""Dates in mails: Finnish and Finland-Swedish write 9.12.2026, English 9 December 2026,
always the day in the county's time zone."""
from __future__ import annotations

from datetime import date, datetime

from kuulas.i18n import format_date, reader_locale


def day_text(when: datetime | date) -> str:
    """A stored (naive UTC) time as its day in the county's zone; a date as it is."""
    return format_date(when, "long" if reader_locale() == "en" else "short")
