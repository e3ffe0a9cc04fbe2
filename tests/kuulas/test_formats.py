"""Dates, times and numbers in fi, sv and en (kuulas.formats), including Europe/Helsinki
summer-time edges: stored times are naive UTC and are shown in Finnish time."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from kuulas import formats, translated

NBSP = "\u00a0"
WINTER = datetime(2026, 12, 9, 7, 0)         # 9.00 in Helsinki (UTC+2)
SUMMER = datetime(2026, 6, 9, 6, 0)          # 9.00 in Helsinki (UTC+3)


@pytest.mark.parametrize("locale, expected", [
    ("fi", "9.12.2026 klo 9.00"), ("sv", "9.12.2026 kl. 9.00"), ("en", "9 Dec 2026, 9.00"),
    ("sv_FI", "9.12.2026 kl. 9.00"), (None, "9.12.2026 klo 9.00"), ("de", "9.12.2026 klo 9.00"),
])
def test_datetime_short_in_each_language(locale, expected):
    assert formats.format_datetime(WINTER, locale=locale) == expected


@pytest.mark.parametrize("locale, short, long", [
    ("fi", "9.12.2026", "9. joulukuuta 2026"),
    ("sv", "9.12.2026", "9 december 2026"),
    ("en", "9 Dec 2026", "9 December 2026"),
])
def test_dates(locale, short, long):
    d = date(2026, 12, 9)
    assert formats.format_date(d, "short", locale=locale) == short
    assert formats.format_date(d, "medium", locale=locale) == short
    assert formats.format_date(d, "long", locale=locale) == long
    assert "2026-12-09" not in formats.format_date(d, "short", locale=locale)


@pytest.mark.parametrize("locale", ["fi", "sv", "en"])
def test_times_have_no_leading_zero_and_a_full_stop(locale):
    assert formats.format_time(time(9, 5), locale=locale) == "9.05"
    assert formats.format_time(time(21, 30), locale=locale) == "21.30"
    assert "AM" not in formats.format_time(WINTER, locale=locale)


def test_long_datetime():
    assert formats.format_datetime(WINTER, "long", locale="fi") == "9. joulukuuta 2026 klo 9.00"
    assert formats.format_datetime(WINTER, "long", locale="sv") == "9 december 2026 kl. 9.00"
    assert formats.format_datetime(WINTER, "long", locale="en") == "9 December 2026, 9.00"


def test_summer_and_winter_time_in_helsinki():
    assert formats.format_time(WINTER, locale="fi") == "9.00"
    assert formats.format_time(SUMMER, locale="fi") == "9.00"
    # The night summer time starts (29 March 2026, 3.00 -> 4.00 local): 00.59 UTC is 2.59, 01.00 UTC is 4.00.
    assert formats.format_time(datetime(2026, 3, 29, 0, 59), locale="fi") == "2.59"
    assert formats.format_time(datetime(2026, 3, 29, 1, 0), locale="fi") == "4.00"
    # ... and ends (25 October 2026, 4.00 -> 3.00): 00.30 UTC is 3.30 summer time, 01.30 UTC 3.30 winter time.
    assert formats.format_time(datetime(2026, 10, 25, 0, 30), locale="sv") == "3.30"
    assert formats.format_time(datetime(2026, 10, 25, 1, 30), locale="sv") == "3.30"
    assert formats.format_time(datetime(2026, 10, 25, 2, 0), locale="sv") == "4.00"


def test_the_local_date_not_the_utc_date():
    late = datetime(2026, 12, 31, 22, 30)   # already 1 January 2027 in Helsinki
    assert formats.format_date(late, "short", locale="fi") == "1.1.2027"
    assert formats.format_datetime(late, locale="en") == "1 Jan 2027, 0.30"


def test_aware_datetimes_and_another_zone():
    aware = datetime(2026, 12, 9, 9, 0, tzinfo=timezone.utc)
    assert formats.format_datetime(aware, locale="fi") == "9.12.2026 klo 11.00"
    assert formats.format_time(WINTER, locale="fi", tz="UTC") == "7.00"


@pytest.mark.parametrize("locale, number, decimal, percent", [
    ("fi", f"1{NBSP}234{NBSP}567", f"1{NBSP}234,5", f"12,5{NBSP}%"),
    ("sv", f"1{NBSP}234{NBSP}567", f"1{NBSP}234,5", f"12,5{NBSP}%"),
    ("en", "1,234,567", "1,234.5", "12.5%"),
])
def test_numbers(locale, number, decimal, percent):
    assert formats.format_number(1234567, locale=locale) == number
    assert formats.format_number(1234.5, locale=locale) == decimal
    assert formats.format_percent(0.125, "#,##0.#%", locale=locale) == percent
    assert formats.format_number(2.5, locale=locale, digits=2) == ("2.50" if locale == "en" else "2,50")
    assert formats.format_percent(0.5, locale=locale, digits=0) == ("50%" if locale == "en" else f"50{NBSP}%")


def test_none_is_empty_and_iso_is_machine_readable():
    assert formats.format_date(None, locale="fi") == formats.format_number(None) == ""
    assert formats.iso(WINTER) == "2026-12-09T07:00:00Z"
    assert formats.iso(date(2026, 12, 9)) == "2026-12-09"


def test_client_patterns_match_the_server():
    p = formats.client_patterns("sv")
    assert p == {"locale": "sv", "tz": "Europe/Helsinki", "time": "H.mm", "joiner": "{date} kl. {time}",
                 "decimal": ","}


# --- kuulas.translated: the one picker ------------------------------------------------------

def test_pick_translation_or_marked_fallback():
    versions = {"sv": {"summary": "Beslut"}, "en": {"summary": "  "}}
    sv = translated.pick("Päätös", "fi", versions, "summary", "sv")
    assert (sv.text, sv.lang, sv.fallback) == ("Beslut", "sv", False)
    en = translated.pick("Päätös", "fi", versions, "summary", "en")
    assert (en.text, en.lang, en.fallback) == ("Päätös", "fi", True)
    fi = translated.pick("Päätös", "fi", versions, "summary", "fi")
    assert (fi.text, fi.lang, fi.fallback) == ("Päätös", "fi", False)
    # An original in Swedish: Finnish readers fall back to Swedish.
    back = translated.pick("Beslut", "sv", {}, "summary", "fi")
    assert (back.lang, back.fallback) == ("sv", True)
    # Nothing to show is never a fallback.
    assert not translated.pick("", "fi", {}, "summary", "en").fallback


def test_clean_keeps_known_languages_and_fields():
    assert translated.clean({"sv": {"body": " X ", "bad": "y"}, "de": {"body": "z"}, "fi": {"body": "o"},
                             "en": {"body": ""}}, ("body",), original_lang="fi") == {"sv": {"body": "X"}}


def test_csv_cells_for_finnish_spreadsheets():
    assert formats.csv_cell(12.5, locale="fi") == "12,5" and formats.csv_cell(12.5, locale="en") == "12.5"
    assert formats.csv_cell(3.0, locale="sv") == "3" and formats.csv_cell(7, locale="fi") == 7
    assert formats.csv_cell(date(2026, 12, 9), locale="fi") == "2026-12-09"
    assert formats.csv_cell("=A1", locale="fi") == "=A1" and formats.csv_cell(None) is None


# --- form fields in the site's zone ---------------------------------------------------------

def test_wall_clock_times_round_trip_through_utc_in_summer_and_winter():
    summer, winter = datetime(2026, 6, 1, 6, 0), datetime(2026, 12, 1, 7, 0)   # naive UTC
    assert formats.to_local(summer) == datetime(2026, 6, 1, 9, 0)
    assert formats.to_local(winter) == datetime(2026, 12, 1, 9, 0)
    assert formats.to_utc(datetime(2026, 6, 1, 9, 0)) == summer
    assert formats.to_utc(datetime(2026, 12, 1, 9, 0)) == winter
    assert formats.parse_local("2026-12-01T09:00") == winter
    assert formats.parse_local("not a time") is None
    assert formats.to_local(None) is None and formats.to_utc(None) is None
