"""Survey weighting: raking respondents to population shares, and weighted estimates.

Used by the survey results pages and by ``flask --app app panel weight``, which anyone
can run on the published files to check the weights.

- :func:`rake` (``raking``): iterative proportional fitting of respondents to the
  population shares the county loads for panels, optionally with weight trimming;
  :class:`RakeResult` carries the weights (mean 1), convergence, Kish design effect and
  effective sample size, and any empty population cell.
- :func:`estimate_share`, :func:`estimate_options`, :func:`estimate_mean`
  (``estimates``): unweighted and weighted shares and means with confidence intervals
  on the Kish effective sample size; ``small_cell`` / :func:`is_small_cell` say when a
  count must be shown as "under 5".
- ``csvio``: the respondents, margins and weights CSV formats.

Pure: numpy and the standard library only.  This package never imports Flask or
SQLAlchemy, never opens files or a database, never logs or stores who answered what,
and never translates: every problem is a :class:`WeightingError` with a ``code`` and
``params`` that the caller turns into a sentence in the reader's language.
"""
from .csvio import read_margins_csv, read_respondents_csv, write_weights_csv
from .errors import WeightingError
from .estimates import (SMALL_CELL, MeanEstimate, ShareEstimate, estimate_mean, estimate_options,
                        estimate_share, is_small_cell, kish, wilson_interval)
from .raking import (CellReport, RakeResult, check_margins, check_trim, margins_from_percent,
                     rake)

__all__ = [
    "SMALL_CELL", "CellReport", "MeanEstimate", "RakeResult", "ShareEstimate", "WeightingError",
    "check_margins", "check_trim", "estimate_mean", "estimate_options", "estimate_share", "is_small_cell", "kish",
    "margins_from_percent", "rake", "read_margins_csv", "read_respondents_csv", "wilson_interval",
    "write_weights_csv",
]
