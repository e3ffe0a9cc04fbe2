"""Stratified sortition: fair (LEXIMIN) selection of citizens' panels.

Pure Python on numpy and HiGHS: this package never imports Flask or
SQLAlchemy and does no I/O except in ``csvio`` (which parses text it is
given).  The same inputs and seed always give the same panel.

Entry points: :func:`select` (validate, LEXIMIN probabilities, seeded draw),
or :func:`plan` then :func:`draw` to publish the probabilities and the pool
hash before the seed is announced.  Errors are :class:`SortitionError`
subclasses with a machine-readable ``code`` and ``params``.
"""

from .draw import pool_hash, seed_from_announcement
from .errors import (CsvFormatError, InfeasibleQuotasError, Issue, SolverError,
                     SortitionError, ValidationError)
from .model import Person, Quota, validate
from .selection import (ALGORITHM, CategoryReport, Plan, SelectionResult,
                        ZeroProbability, draw, plan, select)

__all__ = [
    "ALGORITHM", "CategoryReport", "CsvFormatError", "InfeasibleQuotasError", "Issue",
    "Person", "Plan", "Quota", "SelectionResult", "SolverError", "SortitionError",
    "ValidationError", "ZeroProbability", "draw", "plan", "pool_hash",
    "seed_from_announcement", "select", "validate",
]
