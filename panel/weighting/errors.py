"""The one exception of the weighting package.

A :class:`WeightingError` carries a machine-readable ``code`` and the ``params``
needed to explain it; it is never translated here.  The web pages and the CLI
turn it into a Finnish, Swedish or English sentence (``panel/weighting_messages.py``);
``str()`` is an English fallback for logs only.

This module must never import Flask, SQLAlchemy or anything that translates.
"""
from __future__ import annotations

from typing import Any


class WeightingError(Exception):
    """Bad input to the weighting module.

    Codes (params):
      no_respondents(), no_margins(),
      bad_share(feature, value, share), shares_sum(feature, total)  -- total in percent,
      zero_share(feature, value, count), empty_cell(feature, value, share),
      unknown_value(feature, value, respondent), missing_feature(feature, respondent),
      bad_trim(low, high), bad_options(option, value),
      csv_empty(file), csv_not_utf8(file, byte), csv_missing_column(file, column), csv_duplicate_column(file, column),
      csv_row_length(file, line, expected, found), csv_empty_value(file, line, column),
      csv_duplicate_id(file, line, id, first_line),
      csv_duplicate_value(file, line, feature, value, first_line),
      csv_not_a_number(file, line, column, value), csv_share_range(file, line, value)
    ``no_convergence`` is not raised by :func:`rake` (it returns ``converged=False``);
    callers that refuse such a result raise it with (iterations, error).
    """

    def __init__(self, code: str, **params: Any):
        self.code = code
        self.params = dict(params)
        shown = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        super().__init__(f"{code} ({shown})" if shown else code)
