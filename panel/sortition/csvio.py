"""CSV import and export for pools, quotas, panels and probabilities.

People CSV: ``id`` plus one column per feature.  Quotas CSV:
``feature,value,min,max`` (optional ``target``).  Both accept a UTF-8 BOM and
``;`` as separator (what spreadsheet programs save in a Finnish locale).
Row numbers in errors are file line numbers: the header is row 1.

This module parses and formats text it is given (``str`` or a text stream);
it never opens files, imports Flask or touches a database.

CsvFormatError codes (params):
  csv_empty(file), csv_missing_column(file, column),
  csv_duplicate_column(file, column), csv_row_length(file, row, expected, found),
  csv_empty_value(file, row, column), csv_bad_integer(file, row, column, value),
  csv_unknown_category(file, row, column, value)
"""

from __future__ import annotations

import csv
import io
from typing import Iterable, Mapping, Sequence, TextIO

from .errors import CsvFormatError, Issue
from .model import Person, Quota

PEOPLE, QUOTAS = "people", "quotas"
_MAX_ISSUES = 100  # enough to fix a file; a broken 3,000-row file stays readable


def _rows(source: str | TextIO, file: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    text = source if isinstance(source, str) else source.read()
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise CsvFormatError("csv_empty", file=file) from None
    if not any(header):
        raise CsvFormatError("csv_empty", file=file)
    seen = set()
    for h in header:
        if h in seen:
            raise CsvFormatError("csv_duplicate_column", file=file, column=h)
        seen.add(h)
    rows = []
    for row in reader:
        if any(cell.strip() for cell in row):
            rows.append((reader.line_num, [cell.strip() for cell in row]))
    return header, rows


def _raise(issues: list[Issue]) -> None:
    if issues:
        raise CsvFormatError(issues[:_MAX_ISSUES])


def read_quotas(source: str | TextIO) -> list[Quota]:
    header, rows = _rows(source, QUOTAS)
    for col in ("feature", "value", "min", "max"):
        if col not in header:
            raise CsvFormatError("csv_missing_column", file=QUOTAS, column=col)
    pos = {h: i for i, h in enumerate(header)}
    issues: list[Issue] = []
    quotas = []
    for line, row in rows:
        if len(row) != len(header):
            issues.append(Issue("csv_row_length", {"file": QUOTAS, "row": line,
                                                   "expected": len(header), "found": len(row)}))
            continue
        values: dict[str, object] = {}
        for col in ("feature", "value"):
            values[col] = row[pos[col]]
            if not row[pos[col]]:
                issues.append(Issue("csv_empty_value", {"file": QUOTAS, "row": line, "column": col}))
        for col in ("min", "max", "target"):
            if col not in pos or (col == "target" and not row[pos[col]]):
                values[col] = None
                continue
            raw = row[pos[col]]
            if not raw:
                issues.append(Issue("csv_empty_value", {"file": QUOTAS, "row": line, "column": col}))
                continue
            try:
                values[col] = int(raw)
            except ValueError:
                issues.append(Issue("csv_bad_integer", {"file": QUOTAS, "row": line,
                                                        "column": col, "value": raw}))
        if len(issues) >= _MAX_ISSUES:
            break
        if not issues:
            quotas.append(Quota(values["feature"], values["value"], values["min"],
                                values["max"], values["target"]))
    _raise(issues)
    return quotas


def read_people(source: str | TextIO, quotas: Sequence[Quota] | None = None) -> list[Person]:
    """Parse the people CSV; with ``quotas``, every quota feature must be a
    column and every value must have a quota (else csv_unknown_category)."""
    header, rows = _rows(source, PEOPLE)
    if "id" not in header:
        raise CsvFormatError("csv_missing_column", file=PEOPLE, column="id")
    allowed: dict[str, set[str]] | None = None
    if quotas is not None:
        allowed = {}
        for q in quotas:
            allowed.setdefault(q.feature, set()).add(q.value)
        for feature in sorted(allowed):
            if feature not in header:
                raise CsvFormatError("csv_missing_column", file=PEOPLE, column=feature)
    id_pos = header.index("id")
    features = [(i, h) for i, h in enumerate(header) if i != id_pos]
    issues: list[Issue] = []
    people = []
    for line, row in rows:
        if len(row) != len(header):
            issues.append(Issue("csv_row_length", {"file": PEOPLE, "row": line,
                                                   "expected": len(header), "found": len(row)}))
            continue
        bad = False
        for i, h in [(id_pos, "id")] + features:
            if not row[i]:
                issues.append(Issue("csv_empty_value", {"file": PEOPLE, "row": line, "column": h}))
                bad = True
            elif allowed is not None and h in allowed and row[i] not in allowed[h]:
                issues.append(Issue("csv_unknown_category", {"file": PEOPLE, "row": line,
                                                             "column": h, "value": row[i]}))
                bad = True
        if len(issues) >= _MAX_ISSUES:
            break
        if not bad:
            people.append(Person(row[id_pos], {h: row[i] for i, h in features}))
    _raise(issues)
    return people


def write_panel(people: Iterable[Person], panel_ids: Iterable[str]) -> str:
    """``id`` plus the features (sorted by name) of the selected people, sorted by id."""
    chosen = set(panel_ids)
    selected = sorted((p for p in people if p.id in chosen), key=lambda p: p.id)
    features = sorted({f for p in selected for f in p.features})
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id"] + features)
    for p in selected:
        w.writerow([p.id] + [p.features.get(f, "") for f in features])
    return out.getvalue()


def write_probabilities(probabilities: Mapping[str, float]) -> str:
    """``id,probability`` sorted by id, probabilities with 9 decimals."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id", "probability"])
    for pid in sorted(probabilities):
        p = min(1.0, max(0.0, float(probabilities[pid])))
        w.writerow([pid, f"{p:.9f}"])
    return out.getvalue()
