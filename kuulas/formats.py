"""Dates, times and numbers as Finnish, Finland-Swedish and English readers expect them.

Plain Python (no Flask): pages use it through the Jinja helpers that ``kuulas.i18n``
registers, and mails, exports and jobs call it directly with an explicit locale.

The conventions (see docs/languages.md):

========  ====================  ===========================  ===========  ==========================
locale    short/medium date     long date                    time         date and time
========  ====================  ===========================  ===========  ==========================
fi        9.12.2026             9. joulukuuta 2026           9.00         9.12.2026 klo 9.00
sv        9.12.2026             9 december 2026              9.00         9.12.2026 kl. 9.00
en        9 Dec 2026            9 December 2026              9.00         9 Dec 2026, 9.00
========  ====================  ===========================  ===========  ==========================

English follows the Finnish convention too (day before month, 24-hour clock with a
full stop), written with the month's name so no reader takes 9.12. for 12 September.
Numbers: ``1 234,5`` with a non-breaking space for thousands and a decimal comma in
Finnish and Swedish, ``1,234.5`` in English; percentages ``12,5 %`` (a non-breaking
space before the sign) in Finnish and Swedish, ``12.5%`` in English.

Stored datetimes are naive UTC (``kuulas.clock``); they are shown in ``tz``
(Europe/Helsinki unless configured), so summer and winter time come out right.
Machine-readable output (CSV/JSON timestamps, ``<time datetime>``, Atom) stays ISO 8601.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.dates import format_time as _babel_time
from babel.numbers import format_decimal as _babel_decimal
from babel.numbers import format_percent as _babel_percent

DEFAULT_TZ = "Europe/Helsinki"
LOCALES = ("fi", "sv", "en")
NBSP = "\u00a0"

# Babel (CLDR) patterns per locale; ``joiner`` puts a date and a time together.
PATTERNS: dict[str, dict[str, str]] = {
    "fi": {"short": "d.M.y", "medium": "d.M.y", "long": "d. MMMM y", "full": "cccc d. MMMM y",
           "time": "H.mm", "joiner": "{date} klo {time}"},
    "sv": {"short": "d.M.y", "medium": "d.M.y", "long": "d MMMM y", "full": "EEEE d MMMM y",
           "time": "H.mm", "joiner": "{date} kl. {time}"},
    "en": {"short": "d MMM y", "medium": "d MMM y", "long": "d MMMM y", "full": "EEEE d MMMM y",
           "time": "H.mm", "joiner": "{date}, {time}"},
}
NAMED = ("short", "medium", "long", "full")


def normalise(locale) -> str:
    """'sv_FI', 'sv-FI', a Babel Locale or None -> one of fi, sv, en (Finnish by default)."""
    code = str(locale or "fi").replace("-", "_").split("_")[0].lower()
    return code if code in LOCALES else "fi"


def _zone(tz) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    return ZoneInfo(str(tz or DEFAULT_TZ))


def zone(tz=None) -> ZoneInfo:
    """``tz`` (a name or a ZoneInfo) as a ZoneInfo; Europe/Helsinki when not given."""
    return _zone(tz)


def local(value: datetime, tz=None) -> datetime:
    """A stored (naive UTC) or aware datetime in the shown zone."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return aware.astimezone(_zone(tz))


def to_local(value: datetime | None, tz=None) -> datetime | None:
    """A stored (naive UTC) datetime as a naive wall-clock time in the shown zone: what a
    ``datetime-local`` form field shows."""
    return None if value is None else local(value, tz).replace(tzinfo=None)


def to_utc(value: datetime | None, tz=None) -> datetime | None:
    """A wall-clock time in the shown zone (naive, as a form field gives it; or aware) as
    the stored naive UTC."""
    if value is None:
        return None
    aware = value.replace(tzinfo=_zone(tz)) if value.tzinfo is None else value
    return aware.astimezone(UTC).replace(tzinfo=None)


def parse_local(text: str | None, tz=None) -> datetime | None:
    """``'2026-05-01T09:00'`` in the shown zone -> naive UTC; None when malformed."""
    try:
        value = datetime.fromisoformat(text.strip())
    except (AttributeError, ValueError):
        return None
    return to_utc(value, tz)


def format_date(value, fmt: str = "medium", *, locale=None, tz=None) -> str:
    """A date (or the local date of a datetime).  ``fmt`` is short/medium/long/full or a
    CLDR pattern such as ``"d.M."``."""
    if value is None:
        return ""
    loc = normalise(locale)
    if isinstance(value, datetime):
        value = local(value, tz).date()
    pattern = PATTERNS[loc].get(fmt, fmt) if fmt in NAMED else fmt
    return _babel_date(value, pattern, locale=loc)


def format_time(value, fmt: str = "short", *, locale=None, tz=None) -> str:
    """A time of day: ``9.00`` (hours without a leading zero, minutes after a full stop)."""
    if value is None:
        return ""
    loc = normalise(locale)
    if isinstance(value, datetime):
        value = local(value, tz).timetz().replace(tzinfo=None)
    if not isinstance(value, time):
        raise TypeError("format_time needs a time or a datetime")
    pattern = PATTERNS[loc]["time"] if fmt in NAMED else fmt
    return _babel_time(value, pattern, locale=loc)


def format_datetime(value, fmt: str = "short", *, locale=None, tz=None) -> str:
    """Date and time: ``9.12.2026 klo 9.00`` / ``9.12.2026 kl. 9.00`` / ``9 Dec 2026, 9.00``.
    ``fmt`` chooses the date part (short/medium/long/full); another string is a CLDR pattern."""
    if value is None:
        return ""
    loc = normalise(locale)
    if not isinstance(value, datetime):
        return format_date(value, fmt, locale=loc, tz=tz)
    if fmt not in NAMED:
        from babel.dates import format_datetime as _babel_datetime

        return _babel_datetime(local(value, tz), fmt, tzinfo=_zone(tz), locale=loc)
    return PATTERNS[loc]["joiner"].format(date=format_date(value, fmt, locale=loc, tz=tz),
                                          time=format_time(value, locale=loc, tz=tz))


def format_number(value, fmt: str | None = None, *, locale=None, digits: int | None = None) -> str:
    """``1 234,5`` (non-breaking space, decimal comma) in fi/sv; ``digits`` fixes the decimals."""
    if value is None:
        return ""
    loc = normalise(locale)
    if digits is not None and fmt is None:
        fmt = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return _space(_babel_decimal(value, fmt, locale=loc), loc)


def format_percent(value, fmt: str | None = None, *, locale=None, digits: int | None = None) -> str:
    """A share 0..1 as ``12,5 %`` (fi/sv) or ``12.5%`` (en)."""
    if value is None:
        return ""
    loc = normalise(locale)
    if digits is not None and fmt is None:
        fmt = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "%"
    text = _space(_babel_percent(value, fmt, locale=loc), loc)
    if loc != "en":
        text = re.sub(r"(?<=\d)\s?%", NBSP + "%", text)
    else:
        text = re.sub(r"(?<=\d)\s%", "%", text)
    return text


def _space(text: str, loc: str) -> str:
    """CLDR may use a narrow no-break space for grouping; pages and mails use U+00A0."""
    return text.replace("\u202f", NBSP)


def iso(value) -> str:
    """Machine-readable timestamps (CSV, JSON, <time datetime>): ISO 8601, UTC marked."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return aware.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_cell(value, *, locale=None):
    """A cell of a semicolon-separated CSV meant for spreadsheets in Finland: decimals with
    the locale's separator (``12,5`` in fi/sv, which Excel reads as a number there), no
    grouping; dates and times ISO 8601 (unambiguous in every spreadsheet); the rest as is."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        text = repr(round(value, 10))
        text = text[:-2] if text.endswith(".0") else text
        return text if normalise(locale) == "en" else text.replace(".", ",")
    if isinstance(value, (datetime, date)):
        return iso(value)
    return value


def client_patterns(locale=None, tz=None) -> dict:
    """What a page's script needs to show times as the server does (the digiraati clock):
    the zone, the CLDR-like time pattern and the words joining date and time."""
    loc = normalise(locale)
    return {"locale": loc, "tz": str(_zone(tz)), "time": PATTERNS[loc]["time"],
            "joiner": PATTERNS[loc]["joiner"], "decimal": "." if loc == "en" else ","}
