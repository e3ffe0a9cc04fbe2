"""Weighted shares and means with confidence intervals that account for the weights.

The uncertainty of a weighted estimate is larger than that of an unweighted one of the
same size.  Kish's approximation expresses this as a *design effect*
``deff = n * sum(w^2) / sum(w)^2 = 1 + CV(w)^2`` and an *effective sample size*
``n_eff = n / deff = sum(w)^2 / sum(w^2)``: the weighted sample is about as informative
as a simple random sample of ``n_eff`` people.  Equal weights give ``deff = 1``.

Shares use the **Wilson score interval** with ``n_eff`` in place of ``n``, centred on the
weighted share.  Wilson rather than the normal ("Wald") interval because panel
questions are often answered by few people and options are often chosen by nobody or by
everybody: the Wald interval then shrinks to a single point (0 % ± 0) and under-covers,
while Wilson stays inside [0, 1] and keeps close to its nominal coverage at small n.
Means use the normal interval ``mean ± z * s_w / sqrt(n_eff - 1)`` (``s_w`` the weighted
standard deviation; with equal weights this is the usual ``s / sqrt(n)``); with
``n_eff <= 1`` there is no interval (``None``).

Cells with fewer than :data:`SMALL_CELL` respondents are shown as "under 5", never as a
number: :attr:`ShareEstimate.small_cell` tells the caller.

Pure: numpy and the standard library only; never imports Flask or SQLAlchemy, never
sees who answered what (only 0/1 indicators or numbers and weights).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Sequence

import numpy as np

from .errors import WeightingError

SMALL_CELL = 5   # respondents; fewer are shown as "under 5"


def is_small_cell(count: int) -> bool:
    """True when a count of respondents must be shown as "under 5" (also 0)."""
    return count < SMALL_CELL


@dataclass(frozen=True)
class ShareEstimate:
    n: int                    # respondents to the question
    count: int                # of them chose the option (unweighted)
    unweighted_share: float
    weighted_share: float
    effective_n: float        # Kish
    design_effect: float      # Kish, 1 + CV^2
    ci_low: float             # Wilson interval with effective_n, in [0, 1]
    ci_high: float
    confidence: float = 0.95

    @property
    def small_cell(self) -> bool:
        return is_small_cell(self.count)


@dataclass(frozen=True)
class MeanEstimate:
    n: int
    unweighted_mean: float
    weighted_mean: float
    std_dev: float            # weighted, population form: sqrt(sum w (x - m)^2 / sum w)
    effective_n: float
    design_effect: float
    ci_low: float | None      # None when effective_n <= 1
    ci_high: float | None
    confidence: float = 0.95


def _z(confidence: float) -> float:
    if not (isinstance(confidence, (int, float)) and 0.0 < confidence < 1.0):
        raise WeightingError("bad_options", option="confidence", value=confidence)
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def _weights(weights: Sequence[float] | None, n: int) -> np.ndarray:
    if n == 0:
        raise WeightingError("no_respondents")
    if weights is None:
        return np.ones(n)
    w = np.asarray(weights, dtype=float)
    if w.shape != (n,):
        raise WeightingError("bad_options", option="weights", value=f"{w.size} for {n}")
    if not np.all(np.isfinite(w)) or w.min() < 0.0 or w.sum() <= 0.0:
        raise WeightingError("bad_options", option="weights", value="not positive")
    return w


def kish(weights: Sequence[float]) -> tuple[float, float]:
    """``(design_effect, effective_n)`` of a set of weights (Kish 1965)."""
    w = _weights(weights, len(weights))
    total = float(w.sum())
    deff = w.size * float(np.dot(w, w)) / (total * total)
    return deff, total * total / float(np.dot(w, w))


def wilson_interval(share: float, n_eff: float, z: float) -> tuple[float, float]:
    """Wilson score interval for a share observed in an (effective) sample of n_eff."""
    z2 = z * z
    denom = 1.0 + z2 / n_eff
    centre = (share + z2 / (2.0 * n_eff)) / denom
    half = z * math.sqrt(max(share * (1.0 - share), 0.0) / n_eff + z2 / (4.0 * n_eff * n_eff)) / denom
    low = 0.0 if share <= 0.0 else max(0.0, centre - half)     # exact ends, no 1e-17 residue
    high = 1.0 if share >= 1.0 else min(1.0, centre + half)
    return low, high


def estimate_share(indicator: Sequence[float], weights: Sequence[float] | None = None, *,
                   confidence: float = 0.95) -> ShareEstimate:
    """Share of respondents with indicator 1 (chose this option), unweighted and weighted,
    with a Wilson interval on the Kish effective sample size."""
    z = _z(confidence)
    x = np.asarray(indicator, dtype=float)
    if x.ndim != 1:
        raise WeightingError("bad_options", option="indicator", value="not a list")
    w = _weights(weights, x.size)
    if not np.all((x == 0.0) | (x == 1.0)):
        raise WeightingError("bad_options", option="indicator", value="not 0/1")
    n = int(x.size)
    total = float(w.sum())
    deff = n * float(np.dot(w, w)) / (total * total)
    n_eff = n / deff
    p = min(1.0, max(0.0, float(np.dot(w, x)) / total))
    low, high = wilson_interval(p, n_eff, z)
    count = int(x.sum())
    return ShareEstimate(n=n, count=count, unweighted_share=count / n, weighted_share=p,
                         effective_n=n_eff, design_effect=deff, ci_low=low, ci_high=high,
                         confidence=float(confidence))


def estimate_mean(values: Sequence[float], weights: Sequence[float] | None = None, *,
                  confidence: float = 0.95) -> MeanEstimate:
    """Mean of a number or 1-5 scale answer, unweighted and weighted, with a normal
    interval on the Kish effective sample size."""
    z = _z(confidence)
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise WeightingError("bad_options", option="values", value="not a list")
    w = _weights(weights, x.size)
    if not np.all(np.isfinite(x)):
        raise WeightingError("bad_options", option="values", value="not finite")
    n = int(x.size)
    total = float(w.sum())
    deff = n * float(np.dot(w, w)) / (total * total)
    n_eff = n / deff
    mean = float(np.dot(w, x)) / total
    var = float(np.dot(w, (x - mean) ** 2)) / total
    sd = math.sqrt(max(var, 0.0))
    if n_eff > 1.0 + 1e-12:
        half = z * sd / math.sqrt(n_eff - 1.0)
        low, high = mean - half, mean + half
    else:
        low = high = None
    return MeanEstimate(n=n, unweighted_mean=float(x.mean()), weighted_mean=mean, std_dev=sd,
                        effective_n=n_eff, design_effect=deff, ci_low=low, ci_high=high,
                        confidence=float(confidence))


def estimate_options(answers: Sequence[str | None], options: Sequence[str],
                     weights: Sequence[float] | None = None, *,
                     confidence: float = 0.95) -> dict[str, ShareEstimate]:
    """A single-choice question: one :class:`ShareEstimate` per option, in ``options``
    order, over the respondents who answered (``None`` or ``""`` = no answer; their
    weights are left out, the others' are used as they are).  An answer that is not
    among ``options`` raises ``unknown_value``."""
    if weights is not None and len(weights) != len(answers):
        raise WeightingError("bad_options", option="weights",
                             value=f"{len(weights)} for {len(answers)}")
    known = set(options)
    kept: list[str] = []
    kept_w: list[float] = []
    for i, answer in enumerate(answers):
        if answer is None or answer == "":
            continue
        if answer not in known:
            raise WeightingError("unknown_value", feature="answer", value=str(answer),
                                 respondent=f"#{i + 1}")
        kept.append(answer)
        if weights is not None:
            kept_w.append(float(weights[i]))
    w = kept_w if weights is not None else None
    return {option: estimate_share([1.0 if a == option else 0.0 for a in kept], w,
                                   confidence=confidence) for option in options}
