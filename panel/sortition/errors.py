"""Domain exceptions of the sortition engine.

Every error carries a machine-readable ``code`` plus ``params`` so that the
web layer, the CLI and the scheduled job can render it in Finnish, Swedish or
English; the English ``str()`` is only a fallback for logs.  An exception may
bundle several problems at once (``issues``) so that an administrator can fix
a whole CSV in one go instead of one error per upload.

This module must never import Flask, SQLAlchemy or a solver.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable


@dataclass(frozen=True)
class Issue:
    """One problem: a stable ``code`` and the values needed to explain it."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        if not self.params:
            return self.code
        shown = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.code} ({shown})"


class SortitionError(Exception):
    """Base class.  ``code``/``params`` describe the first issue."""

    def __init__(self, issues: Iterable[Issue] | Issue | str, **params: Any):
        if isinstance(issues, str):
            issues = [Issue(issues, dict(params))]
        elif isinstance(issues, Issue):
            issues = [issues]
        self.issues: tuple[Issue, ...] = tuple(issues)
        if not self.issues:
            raise ValueError("a SortitionError needs at least one issue")
        super().__init__("; ".join(str(i) for i in self.issues))

    @property
    def code(self) -> str:
        return self.issues[0].code

    @property
    def params(self) -> dict[str, Any]:
        return self.issues[0].params

    def codes(self) -> list[str]:
        return [i.code for i in self.issues]


class ValidationError(SortitionError):
    """The pool, quotas, panel size, forced or excluded ids are inconsistent."""


class CsvFormatError(SortitionError):
    """A CSV file could not be read; params include ``file`` and ``row``."""


class InfeasibleQuotasError(SortitionError):
    """No panel meets the quotas.  ``issues`` lists each conflicting quota
    and by how many people it would have to be relaxed (see diagnose.py)."""

    @property
    def conflicts(self) -> tuple[Issue, ...]:
        return self.issues


class SolverError(SortitionError):
    """HiGHS returned an unexpected status; this is a bug or a resource limit,
    not a problem with the input."""
