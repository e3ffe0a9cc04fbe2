"""The three CSV files of ``flask panel weight``.

Respondents: ``id`` plus one column per feature (``id,gender,age``); other columns are
allowed and ignored by raking.  Margins: ``feature,value,share``.  Weights (written):
``id,weight`` in the respondents' order, 12 decimals, mean 1.

Both input files may start with a UTF-8 BOM and may use ``;`` as separator (what a
spreadsheet saves in a Finnish locale); with ``;`` a decimal comma (``12,5``) is read
as ``12.5``.  Line numbers in errors are file lines: the header is line 1.

**Margins shares: fractions or percent, per feature, decided by the sum.**  A feature
whose shares add up to 1 (within 0.001) is read as fractions; one whose shares add up
to 100 (within 0.1) as percent.  No other sum is accepted (``shares_sum``, total shown in
percent), so the two readings can never be confused.  The tolerance lets published
shares rounded to 0.1 % through; the shares are then rescaled to add up to exactly 1.
A share may end in ``%``; that feature must then add up to 100.

This module parses and formats text it is given; it never opens files, imports Flask
or touches a database.  Errors are :class:`WeightingError` with ``file`` and ``line``.
"""
from __future__ import annotations

import csv
import io
import math
from typing import Iterable, Sequence

from .errors import WeightingError

RESPONDENTS, MARGINS = "respondents", "margins"
FRACTION_TOLERANCE = 1e-3
PERCENT_TOLERANCE = 0.1


def _rows(text: str, file: str) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise WeightingError("csv_empty", file=file) from None
    except csv.Error:
        raise WeightingError("csv_row_length", file=file, line=1, expected=0, found=0) from None
    if not any(header):
        raise WeightingError("csv_empty", file=file)
    seen = set()
    for h in header:
        if h in seen or not h:
            raise WeightingError("csv_duplicate_column", file=file, column=h)
        seen.add(h)
    rows = []
    line = 1
    try:
        for row in reader:
            line = reader.line_num
            if any(cell.strip() for cell in row):
                rows.append((line, [cell.strip() for cell in row]))
    except csv.Error:
        raise WeightingError("csv_row_length", file=file, line=line + 1,
                             expected=len(header), found=0) from None
    return header, rows, delimiter


def _cells(header, rows, file):
    for line, row in rows:
        if len(row) != len(header):
            raise WeightingError("csv_row_length", file=file, line=line,
                                 expected=len(header), found=len(row))
        yield line, row


def read_respondents_csv(text: str, features: Iterable[str] = ()) -> list[dict[str, str]]:
    """One dict per respondent (``id`` and every other column), in file order.  Each of
    ``features`` (e.g. the margins' features) must be a column with a value on every row;
    without ``features`` every column needs a value."""
    header, rows, _ = _rows(text, RESPONDENTS)
    features = list(features)
    for column in ("id", *features):
        if column not in header:
            raise WeightingError("csv_missing_column", file=RESPONDENTS, column=column)
    # with features named, other columns (answers, notes) may be blank; otherwise none may
    required = [i for i, h in enumerate(header) if not features or h == "id" or h in features]
    first_line: dict[str, int] = {}
    out = []
    for line, row in _cells(header, rows, RESPONDENTS):
        for i in required:
            if not row[i]:
                raise WeightingError("csv_empty_value", file=RESPONDENTS, line=line,
                                     column=header[i])
        record = dict(zip(header, row))
        rid = record["id"]
        if rid in first_line:
            raise WeightingError("csv_duplicate_id", file=RESPONDENTS, line=line, id=rid,
                                 first_line=first_line[rid])
        first_line[rid] = line
        out.append(record)
    if not out:
        raise WeightingError("no_respondents")
    return out


def _number(raw: str, delimiter: str) -> tuple[float, bool] | None:
    text = raw.strip()
    percent = text.endswith("%")
    if percent:
        text = text[:-1].strip()
    if delimiter == ";" and "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return (value, percent) if math.isfinite(value) else None


def read_margins_csv(text: str) -> dict[str, dict[str, float]]:
    """feature -> value -> population share as a fraction (each feature adds up to 1)."""
    header, rows, delimiter = _rows(text, MARGINS)
    for column in ("feature", "value", "share"):
        if column not in header:
            raise WeightingError("csv_missing_column", file=MARGINS, column=column)
    pos = {h: i for i, h in enumerate(header)}
    raw: dict[str, dict[str, float]] = {}
    marked_percent: set[str] = set()
    first_line: dict[tuple[str, str], int] = {}
    for line, row in _cells(header, rows, MARGINS):
        for column in ("feature", "value", "share"):
            if not row[pos[column]]:
                raise WeightingError("csv_empty_value", file=MARGINS, line=line, column=column)
        feature, value = row[pos["feature"]], row[pos["value"]]
        parsed = _number(row[pos["share"]], delimiter)
        if parsed is None:
            raise WeightingError("csv_not_a_number", file=MARGINS, line=line, column="share",
                                 value=row[pos["share"]])
        share, percent = parsed
        if share < 0.0 or share > 100.0 or (percent and share > 100.0):
            raise WeightingError("csv_share_range", file=MARGINS, line=line,
                                 value=row[pos["share"]])
        if (feature, value) in first_line:
            raise WeightingError("csv_duplicate_value", file=MARGINS, line=line, feature=feature,
                                 value=value, first_line=first_line[(feature, value)])
        first_line[(feature, value)] = line
        if percent:
            marked_percent.add(feature)
        raw.setdefault(feature, {})[value] = share
    if not raw:
        raise WeightingError("no_margins")
    out: dict[str, dict[str, float]] = {}
    for feature, shares in raw.items():
        total = math.fsum(shares.values())
        if feature not in marked_percent and abs(total - 1.0) <= FRACTION_TOLERANCE + 1e-12 \
                and max(shares.values()) <= 1.0:
            scale = total
        elif abs(total - 100.0) <= PERCENT_TOLERANCE + 1e-9:   # 33.3 x 3 = 99.8999...
            scale = total
        else:
            fractions = feature not in marked_percent and max(shares.values()) <= 1.0 and total < 2.0
            shown = total * 100.0 if fractions else total
            raise WeightingError("shares_sum", feature=feature, total=round(shown, 6))
        out[feature] = {v: s / scale for v, s in shares.items()}
    return out


def write_weights_csv(ids: Sequence[str], weights: Sequence[float]) -> str:
    """``id,weight`` in the given order, weights with 12 decimals."""
    if len(ids) != len(weights):
        raise WeightingError("bad_options", option="weights", value=f"{len(weights)} for {len(ids)}")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id", "weight"])
    for rid, weight in zip(ids, weights):
        w.writerow([rid, f"{float(weight):.12f}"])
    return out.getvalue()
