"""Public commitments to a draw's pool: what is published per person instead of their
answers.

The draw runs on the full pseudonymised file (pseudonym + every feature, sensitive ones
included).  That file is never public: several volunteers are unique on their
non-sensitive features alone, so any per-person row with features lets a neighbour single
out a person's row, see that they volunteered and read their sensitive answer.  What the
public gets per person is only::

    id,commitment
    v1a2b3c4d5,3f9c…   # SHA-256(salt ‖ id ‖ feature=value …), salt = HMAC(draw key, id)

and the published hash covers these commitments, the quotas, the panel size and the kept
and excluded ids.  The county's auditor receives the full file and the draw key and
re-runs the draw with the CLI; each volunteer can check their own row from their page
(their salt is shown to them only).  Quotas are checked in public as aggregates.

Pure: no Flask, no SQLAlchemy, no I/O.  Never returns a feature value for a public file.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets

VERSION = "kuulas-pool-commitments/1"


class CommitmentError(ValueError):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


def new_key() -> str:
    """A fresh secret draw key (64 hex digits), held by staff and the auditor."""
    return secrets.token_hex(32)


def salt(key: str, person_id: str) -> str:
    return hmac.new(bytes.fromhex(key), b"salt\x1f" + person_id.encode(), hashlib.sha256).hexdigest()


def row_text(person_id: str, values: dict[str, str]) -> str:
    return "\x1f".join([person_id, *(f"{k}={values[k]}" for k in sorted(values))])


def commitment(key: str, person_id: str, values: dict[str, str]) -> str:
    return hashlib.sha256(f"{salt(key, person_id)}\x1e{row_text(person_id, values)}".encode()).hexdigest()


def _rows(text: str) -> tuple[list[str], list[list[str]]]:
    reader = csv.reader(io.StringIO((text or "").lstrip("\ufeff")))
    rows = [[cell.strip() for cell in row] for row in reader if any(c.strip() for c in row)]
    if not rows:
        raise CommitmentError("csv_empty")
    return rows[0], rows[1:]


def commitments_of(people_text: str, key: str) -> list[tuple[str, str]]:
    """``(id, commitment)`` per row of the full people file, id order."""
    if len(key or "") != 64:
        raise CommitmentError("key_invalid")
    try:
        bytes.fromhex(key)
    except ValueError:
        raise CommitmentError("key_invalid") from None
    header, rows = _rows(people_text)
    if not header or header[0] != "id":
        raise CommitmentError("csv_missing_column", column="id")
    out = []
    for number, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise CommitmentError("csv_row_length", row=number)
        out.append((row[0], commitment(key, row[0], dict(zip(header[1:], row[1:])))))
    return sorted(out)


def commitments_csv(pairs) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "commitment"])
    writer.writerows(sorted(pairs))
    return out.getvalue()


def read_commitments(text: str) -> list[tuple[str, str]]:
    header, rows = _rows(text)
    if header[:2] != ["id", "commitment"]:
        raise CommitmentError("csv_missing_column", column="commitment")
    return sorted((row[0], row[1]) for row in rows if len(row) >= 2)


def _quota_lines(quotas_text: str) -> list[str]:
    header, rows = _rows(quotas_text)
    index = {name: i for i, name in enumerate(header)}
    for column in ("feature", "value", "min", "max"):
        if column not in index:
            raise CommitmentError("csv_missing_column", column=column)
    return sorted("\x1f".join(row[index[c]] for c in ("feature", "value", "min", "max"))
                  for row in rows)


def _ids(text: str) -> list[str]:
    if not (text or "").strip():
        return []
    _header, rows = _rows(text)
    return sorted(row[0] for row in rows if row and row[0])


def public_hash(pairs, quotas_text: str, size: int, forced_text: str = "",
                excluded_text: str = "") -> str:
    """The SHA-256 published before the draw: commitments, quotas, size, kept, excluded.
    Row order and the CSV dialect do not change it; any change of a row does."""
    parts = [VERSION, f"size={int(size)}", "quotas", *_quota_lines(quotas_text), "people",
             *(f"{pid}\x1f{c}" for pid, c in sorted(pairs)), "forced", *_ids(forced_text),
             "excluded", *_ids(excluded_text)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()
