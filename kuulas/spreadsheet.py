"""Spreadsheet safety for every CSV and XLSX export (ASVS 5.0 1.2.10, OWASP "CSV injection"):
one rule for which cell a spreadsheet would run as a formula, and one way to make it inert.

Pure: imports neither Flask nor SQLAlchemy and does no I/O (openpyxl is imported only to
read and write a workbook held in memory).

The rule: a text cell is dangerous when it starts with ``=``, ``+``, ``-`` or ``@`` (or
their full-width forms, which some spreadsheets fold to the same characters), with a tab,
a carriage return or a line feed, or with any of those after leading whitespace (" =1+1"
is still a formula in some spreadsheets).  A dangerous cell gets a leading apostrophe,
which spreadsheets read as "this is text".  Numbers (``int``, ``float``) are never changed.
A number that arrives as text (a CSV read back: ``-3``, ``+1,5``) is kept only when the
caller says so with ``keep_numbers``: it is not a formula, and an apostrophe would turn
it into text.
"""
from __future__ import annotations

import csv
import io
import re

LEADS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
CONTROL_LEADS = ("\t", "\r", "\n")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def is_dangerous(text: str, *, keep_numbers: bool = False) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (see the module docstring)."""
    if not text:
        return False
    if text.startswith(CONTROL_LEADS):
        return True
    lead = text.lstrip()
    if not lead.startswith(LEADS):
        return False
    return not (keep_numbers and _NUMBER.match(lead.rstrip()))


def neutralise(value, *, keep_numbers: bool = False):
    """The cell made inert: a dangerous text gets a leading apostrophe; anything else
    (numbers, dates, None, safe text) is returned unchanged."""
    if isinstance(value, str) and is_dangerous(value, keep_numbers=keep_numbers):
        return "'" + value
    return value


def neutralise_row(row, *, keep_numbers: bool = False) -> list:
    return [neutralise(cell, keep_numbers=keep_numbers) for cell in row]


def neutralise_workbook(workbook, *, keep_numbers: bool = False) -> None:
    """Every cell of an openpyxl workbook, in place.  openpyxl stores a text starting with
    "=" as a formula (``data_type == "f"``): such a cell becomes inert text too."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or isinstance(cell.value, str):
                    text = cell.value if isinstance(cell.value, str) else str(cell.value)
                    safe = neutralise(text, keep_numbers=keep_numbers)
                    if safe != cell.value or cell.data_type == "f":
                        cell.value = safe
                        cell.data_type = "s"


def neutralise_csv(data: bytes) -> bytes:
    """A CSV file (UTF-8, with or without BOM) with every cell neutralised, keeping its
    separator (";" where the header has more of them than ","); returned with a BOM and
    CRLF lines.  Every cell of a CSV is text, so numbers written as text stay numbers."""
    text = data.decode("utf-8-sig")
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        writer.writerow(neutralise_row(row, keep_numbers=True))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def neutralise_xlsx(data: bytes) -> bytes:
    """An XLSX file with every text and formula cell neutralised (numbers written as text
    stay as they are)."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    neutralise_workbook(workbook, keep_numbers=True)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
