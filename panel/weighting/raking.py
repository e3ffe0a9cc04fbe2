"""Raking (iterative proportional fitting) of respondents to population shares.

Each respondent starts with weight 1.  One *sweep* visits every feature in turn and
multiplies the weights of the respondents in each of its cells by
``target / current weighted total`` of that cell, so after the visit that feature's
weighted shares equal the population shares.  Sweeps repeat until every feature's
weighted shares are within ``tol`` of the population shares at once (the
"max absolute margin error", in share units: 1e-8 = a millionth of a percentage point).

The targets of every feature add up to ``n``, so the weights keep the sum ``n`` and
their mean is 1: a weight of 2 means "this respondent speaks for two average ones".

Trimmed raking (``trim=(low, high)``): after every sweep the weights are bounded to
``[low, high]`` by the one scale factor ``c`` for which ``clip(c * w, low, high)`` has
mean 1 (Newton's method on a piecewise linear function: exact in a few steps); sweeps
and trims alternate until the
margins hold within ``tol`` with the bounds held, or ``max_iter`` sweeps have run.  The
returned weights always respect the bounds; ``converged`` and ``max_margin_error`` say
whether the margins still hold.

Implementation: each feature's values are encoded once as integer codes; a sweep is one
``np.bincount`` and one fancy-indexed multiply per feature.

Pure: numpy and the standard library only.  This module never imports Flask or
SQLAlchemy, never reads or writes files, never logs respondents' answers and never
translates; bad input raises :class:`WeightingError` with a code and params.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from operator import itemgetter
from typing import Mapping, Sequence

import numpy as np

from .errors import WeightingError

SHARE_TOLERANCE = 1e-6   # a feature's shares (fractions) must add up to 1 within this


@dataclass(frozen=True)
class CellReport:
    """One population cell after raking, for reports (counts are respondents)."""

    feature: str
    value: str
    population_share: float      # as given (fraction), before any collapse
    respondents: int
    unweighted_share: float
    weighted_share: float
    collapsed: bool              # an empty cell dropped by empty_cells="collapse"


@dataclass(frozen=True)
class RakeResult:
    weights: tuple[float, ...]   # same order as the rows; mean 1
    iterations: int              # sweeps run
    converged: bool              # margins within tol (and, with trim, bounds held)
    max_margin_error: float      # largest |weighted share - population share|, fractions
    empty_cells: tuple[tuple[str, str], ...]   # (feature, value) collapsed for having no respondent
    trimmed: int                 # weights held at a trim bound in the final weights
    design_effect: float         # Kish: 1 + CV^2 = n * sum(w^2) / sum(w)^2
    effective_n: float           # n / design_effect
    cells: tuple[CellReport, ...] = ()


def check_margins(margins: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """Validate population shares given as fractions; returns a plain copy.

    Each share is a finite number in [0, 1]; each feature's shares add up to 1 within
    ``SHARE_TOLERANCE`` (else ``shares_sum`` with the total in percent)."""
    if not margins:
        raise WeightingError("no_margins")
    out: dict[str, dict[str, float]] = {}
    for feature, values in margins.items():
        feature = str(feature)
        if not values:
            raise WeightingError("shares_sum", feature=feature, total=0.0)
        shares: dict[str, float] = {}
        for value, share in values.items():
            try:
                s = float(share)
            except (TypeError, ValueError):
                raise WeightingError("bad_share", feature=feature, value=str(value),
                                     share=share) from None
            if not math.isfinite(s) or s < -SHARE_TOLERANCE or s > 1.0 + SHARE_TOLERANCE:
                raise WeightingError("bad_share", feature=feature, value=str(value), share=s)
            shares[str(value)] = min(1.0, max(0.0, s))   # 1.0000000000000002 is 1
        total = math.fsum(shares.values())
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise WeightingError("shares_sum", feature=feature, total=round(total * 100.0, 6))
        out[feature] = shares
    return out


def margins_from_percent(margins: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """Population shares in percent (each feature adds up to 100) -> fractions.

    This is how the panel's population shares are stored (``Category.population_share``)."""
    out: dict[str, dict[str, float]] = {}
    for feature, values in margins.items():
        shares = {}
        for value, share in values.items():
            try:
                s = float(share)
            except (TypeError, ValueError):
                raise WeightingError("bad_share", feature=str(feature), value=str(value),
                                     share=share) from None
            if not math.isfinite(s) or s < 0.0 or s > 100.0:
                raise WeightingError("bad_share", feature=str(feature), value=str(value), share=s)
            shares[str(value)] = s / 100.0
        out[str(feature)] = shares
    return check_margins(out)


def check_trim(trim) -> tuple[float, float] | None:
    """``None`` or ``(low, high)`` with ``0 < low < 1 < high`` (weights have mean 1)."""
    if trim is None:
        return None
    try:
        low, high = (float(x) for x in trim)
    except (TypeError, ValueError):
        raise WeightingError("bad_trim", low=str(trim), high="") from None
    if not (math.isfinite(low) and math.isfinite(high) and 0.0 < low < 1.0 < high):
        raise WeightingError("bad_trim", low=low, high=high)
    return low, high


def _respondent(row: Mapping[str, str], index: int) -> str:
    rid = row.get("id")
    return str(rid) if rid not in (None, "") else f"#{index + 1}"


def _encode(rows: Sequence[Mapping[str, str]], feature: str, values: list[str]) -> np.ndarray:
    """Each row's value of ``feature`` as its position in ``values``."""
    index = {v: i for i, v in enumerate(values)}
    try:   # fast path, all in C: nine tenths of a rake's time was this loop in Python
        return np.fromiter(map(index.__getitem__, map(itemgetter(feature), rows)),
                           dtype=np.intp, count=len(rows))
    except (KeyError, TypeError):
        pass   # the careful loop below names the first row that is wrong, or tidies values
    codes = np.empty(len(rows), dtype=np.intp)
    for i, row in enumerate(rows):
        raw = row.get(feature)
        if raw is None or (value := str(raw).strip()) == "":
            raise WeightingError("missing_feature", feature=feature, respondent=_respondent(row, i))
        code = index.get(value)
        if code is None:
            raise WeightingError("unknown_value", feature=feature, value=value,
                                 respondent=_respondent(row, i))
        codes[i] = code
    return codes


def _trim_to_mean_one(w: np.ndarray, low: float, high: float) -> tuple[np.ndarray, int]:
    """``clip(c * w, low, high)`` with the one ``c`` that makes its mean 1.

    ``g(c) = sum(clip(c * w, low, high))`` is continuous, non-decreasing and piecewise
    linear; it runs from ``n * low < n`` (c -> 0) to ``n * high > n`` (c -> inf), so
    ``g(c) = n`` has a solution.  Newton's step on the current linear piece,
    ``c = (n - low * #below - high * #above) / sum(w of the rest)``, lands exactly on the
    solution once it is on the right piece (two to five steps in practice); a bracket
    with bisection keeps it from cycling between pieces."""
    n = w.size
    total = float(w.sum())
    if w.min() >= low and w.max() <= high and abs(total - n) <= 1e-12 * n:
        return w, 0
    lo_c, hi_c = 0.0, math.inf      # g(lo_c) < n <= g(hi_c)
    c = n / total
    for _ in range(200):
        x = c * w
        below = x < low
        above = x > high
        free = ~(below | above)
        free_sum = float(w.sum(where=free))
        fixed = low * int(np.count_nonzero(below)) + high * int(np.count_nonzero(above))
        g = fixed + c * free_sum
        if abs(g - n) <= 1e-12 * n:
            break
        if g < n:
            lo_c = c
        else:
            hi_c = c
        step = (n - fixed) / free_sum if free_sum > 0.0 else math.nan
        if lo_c < step < hi_c:
            c = step
        elif math.isinf(hi_c):
            c = 2.0 * c
        else:
            c = 0.5 * (lo_c + hi_c)
    scaled = c * w
    trimmed = int(np.count_nonzero((scaled < low) | (scaled > high)))
    return np.clip(scaled, low, high), trimmed


def _max_error(w: np.ndarray, codes: list[np.ndarray], shares: list[np.ndarray]) -> float:
    total = w.sum()
    err = 0.0
    for c, s in zip(codes, shares):
        got = np.bincount(c, weights=w, minlength=s.size) / total
        err = max(err, float(np.max(np.abs(got - s))))
    return err


def rake(rows: Sequence[Mapping[str, str]], margins: Mapping[str, Mapping[str, float]], *,
         trim: tuple[float, float] | None = None, max_iter: int = 1000, tol: float = 1e-8,
         empty_cells: str = "error") -> RakeResult:
    """Rake ``rows`` (one mapping per respondent, a value for every margin feature; other
    keys such as ``id`` or answers are ignored) to ``margins`` (feature -> value ->
    population share as a fraction).

    ``empty_cells="error"`` raises ``empty_cell`` for a population cell with share > 0 and
    no respondent; ``"collapse"`` drops such cells, rescales the feature's other shares to
    add up to 1 and lists them in ``RakeResult.empty_cells``.  A value with share 0 that
    does have respondents raises ``zero_share`` (their weights would have to be 0).
    Non-convergence is not an error here: ``converged=False``, the caller decides."""
    if empty_cells not in ("error", "collapse"):
        raise WeightingError("bad_options", option="empty_cells", value=empty_cells)
    if not (isinstance(max_iter, int) and max_iter >= 1):
        raise WeightingError("bad_options", option="max_iter", value=max_iter)
    if not (isinstance(tol, (int, float)) and tol > 0):
        raise WeightingError("bad_options", option="tol", value=tol)
    checked = check_margins(margins)
    bounds = check_trim(trim)
    n = len(rows)
    if n == 0:
        raise WeightingError("no_respondents")

    codes: list[np.ndarray] = []       # per feature: respondent -> kept-cell code
    shares: list[np.ndarray] = []      # per feature: kept cells' shares, adding up to 1
    collapsed: list[tuple[str, str]] = []
    layout = []                        # per feature: (values, counts, old code -> kept code)
    for feature, given in checked.items():
        values = list(given)
        c = _encode(rows, feature, values)
        counts = np.bincount(c, minlength=len(values))
        share = np.array([given[v] for v in values], dtype=float)
        for i, v in enumerate(values):
            if counts[i] > 0 and share[i] == 0.0:
                raise WeightingError("zero_share", feature=feature, value=v, count=int(counts[i]))
        empty = [(feature, v) for i, v in enumerate(values) if counts[i] == 0 and share[i] > 0.0]
        if empty and empty_cells == "error":
            f, v = empty[0]
            raise WeightingError("empty_cell", feature=f, value=v, share=given[v])
        collapsed += empty
        keep = counts > 0          # a share-0 cell without respondents needs no weight either
        remap = np.cumsum(keep) - 1
        codes.append(remap[c])
        shares.append(share[keep] / share[keep].sum())
        layout.append((values, counts, remap))
    targets = [s * n for s in shares]

    w = np.ones(n, dtype=float)
    trimmed = 0                        # weights held at a bound in the final weights
    iterations = 0
    error = _max_error(w, codes, shares)
    converged = error < tol            # weights of 1 also respect any trim bounds
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        while not converged and iterations < max_iter:
            iterations += 1
            for c, t in zip(codes, targets):
                w = w * (t / np.bincount(c, weights=w, minlength=t.size))[c]
            if not (np.all(np.isfinite(w)) and w.min() > 0.0):
                break   # weights underflowed: these rows cannot meet these margins
            if bounds is not None:
                w, _ = _trim_to_mean_one(w, *bounds)
            error = _max_error(w, codes, shares)
            converged = error < tol
    if not (np.all(np.isfinite(w)) and w.min() > 0.0):
        # Never hand out zero, negative or NaN weights; the result says it failed.
        w = np.where(np.isfinite(w) & (w > 0.0), w, np.finfo(float).tiny)
        error = _max_error(w, codes, shares)
        converged = False
    if bounds is None:
        w = w * (n / w.sum())          # bounded weights already have mean 1, exactly held
    else:
        low, high = bounds
        trimmed = int(np.count_nonzero((w <= low * (1 + 1e-9)) | (w >= high * (1 - 1e-9))))
    total = float(w.sum())
    deff = n * float(np.dot(w, w)) / (total * total)

    reports = []
    for (feature, given), (values, counts, remap), c in zip(checked.items(), layout, codes):
        weighted = np.bincount(c, weights=w, minlength=int(remap[-1]) + 1) / total
        for i, v in enumerate(values):
            count = int(counts[i])
            reports.append(CellReport(
                feature, v, given[v], count, count / n,
                float(weighted[remap[i]]) if count else 0.0,
                bool(count == 0 and given[v] > 0.0)))
    return RakeResult(
        weights=tuple(w.tolist()), iterations=iterations, converged=bool(converged),
        max_margin_error=float(error), empty_cells=tuple(collapsed), trimmed=int(trimmed),
        design_effect=float(deff), effective_n=float(n / deff), cells=tuple(reports))
