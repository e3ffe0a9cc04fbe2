"""The one entry point: validate, compute LEXIMIN probabilities, draw.

``plan()`` computes everything that can be published before the seed is
known (probabilities, pool hash, zero-probability reasons); ``draw()`` turns a
plan and a seed into a panel; ``select()`` does both and is what the web app,
the CLI and the scheduled job call.  The plan does not depend on the seed.

No I/O, no Flask, no SQLAlchemy; the same inputs and seed give the same panel.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from .diagnose import require_feasible, slack_conflicts
from .draw import draw_panel, pool_hash
from .errors import Issue, SolverError
from .grouping import TypedPool, group
from .leximin import Distribution, leximin
from .milp import HIGHS_VERSION
from .model import Person, Quota, validate

# Raised whenever the same input can give a different set of panels (the
# probabilities stay the LEXIMIN optimum, but the seeded pick among panels can
# change): re-running a draw needs the version it was made with.
# 1.1: the walk moves its last panel by seat swaps before solving an LP.
ENGINE_VERSION = "1.1"
ALGORITHM = f"leximin-types/{ENGINE_VERSION} (HiGHS {HIGHS_VERSION})"


@dataclass(frozen=True)
class ZeroProbability:
    """Why a person cannot be selected.  ``code``: ``excluded`` (declined),
    ``panel_full`` (forced members fill every seat) or ``no_feasible_panel``
    (no panel meeting the quotas contains them; ``blocking`` lists the
    quotas that would have to change, as diagnose.py issues)."""

    person_id: str
    code: str
    blocking: tuple[Issue, ...] = ()


@dataclass(frozen=True)
class CategoryReport:
    feature: str
    value: str
    min: int
    max: int
    target: int | None
    pool_count: int       # available volunteers, forced included, excluded not
    expected: float       # expected panel count under the distribution
    achieved: int | None  # count in the drawn panel (None before the draw)


@dataclass(frozen=True)
class Plan:
    """Everything publishable before the seed is known."""

    pool: TypedPool
    distribution: Distribution
    probabilities: dict[str, float]          # every input person
    zero_probability: tuple[ZeroProbability, ...]
    pool_hash: str
    algorithm: str
    seconds: float
    stats: dict = field(default_factory=dict)

    @property
    def support_size(self) -> int:
        return len(self.distribution.committees)

    @property
    def min_probability(self) -> float:
        """Over every input person, so 0.0 as soon as anyone is excluded."""
        return min(self.probabilities.values())


@dataclass(frozen=True)
class SelectionResult:
    panel: tuple[str, ...]                   # sorted ids
    probabilities: dict[str, float]
    categories: tuple[CategoryReport, ...]
    algorithm: str
    pool_hash: str
    seed: int
    committee_index: int
    support_size: int
    zero_probability: tuple[ZeroProbability, ...]
    wall_seconds: float
    stats: dict = field(default_factory=dict)


def plan(people: Sequence[Person], quotas: Sequence[Quota], k: int,
         forced: Iterable[str] = (), excluded: Iterable[str] = ()) -> Plan:
    """Validate and compute the LEXIMIN lottery.

    Raises ValidationError, InfeasibleQuotasError or SolverError.
    """
    started = time.perf_counter()
    forced, excluded = list(forced), list(excluded)
    people, quotas = list(people), list(quotas)
    validate(people, quotas, k, forced, excluded)
    pool = group(people, quotas, k, forced, excluded)
    require_feasible(pool)
    dist = leximin(pool)
    for c in dist.committees:
        if not pool.counts_ok(c):
            raise SolverError("solver_invalid_panel")

    probabilities = {p.id: 0.0 for p in people}
    for pid in pool.forced:
        probabilities[pid] = 1.0
    for t, ids in enumerate(pool.members):
        p = float(min(1.0, max(0.0, dist.type_probability[t])))
        for pid in ids:
            probabilities[pid] = p
    zeros = [ZeroProbability(pid, "excluded") for pid in pool.excluded]
    if pool.k == 0:
        zeros += [ZeroProbability(pid, "panel_full") for ids in pool.members for pid in ids]
    else:
        for t in dist.uncoverable:
            blocking = tuple(slack_conflicts(pool, must_include=t))
            zeros += [ZeroProbability(pid, "no_feasible_panel", blocking) for pid in pool.members[t]]
    zeros.sort(key=lambda z: z.person_id)
    return Plan(pool, dist, probabilities, tuple(zeros),
                pool_hash(people, quotas, k, forced, excluded), ALGORITHM,
                time.perf_counter() - started, dict(dist.stats))


def draw(plan_: Plan, seed: int) -> SelectionResult:
    """Draw the panel of a plan with a seed (see draw.draw_panel)."""
    started = time.perf_counter()
    pool, dist = plan_.pool, plan_.distribution
    index, panel = draw_panel(pool, dist.committees, dist.weights, seed)
    return SelectionResult(
        panel=panel, probabilities=dict(plan_.probabilities),
        categories=category_reports(pool, plan_.probabilities, panel),
        algorithm=plan_.algorithm, pool_hash=plan_.pool_hash, seed=seed,
        committee_index=index, support_size=plan_.support_size,
        zero_probability=plan_.zero_probability,
        wall_seconds=plan_.seconds + time.perf_counter() - started, stats=dict(plan_.stats))


def select(people: Sequence[Person], quotas: Sequence[Quota], k: int, seed: int,
           forced: Iterable[str] = (), excluded: Iterable[str] = ()) -> SelectionResult:
    """Validate, compute LEXIMIN probabilities and draw one panel."""
    return draw(plan(people, quotas, k, forced, excluded), seed)


def category_reports(pool: TypedPool, probabilities: dict[str, float],
                     panel: Sequence[str] | None) -> tuple[CategoryReport, ...]:
    type_of = pool.type_of()
    in_panel = np.zeros(pool.n_types, dtype=np.int64)
    if panel is not None:
        for pid in panel:
            if pid in type_of:
                in_panel[type_of[pid]] += 1
    reports = []
    for i, q in enumerate(pool.quotas):
        ts = pool.quota_types[i]
        forced = int(pool.forced_per_quota[i])
        expected = forced + sum(probabilities[pool.members[t][0]] * len(pool.members[t]) for t in ts)
        reports.append(CategoryReport(
            q.feature, q.value, q.min, q.max, q.target,
            int(pool.pool_per_quota[i]) + forced, float(expected),
            None if panel is None else forced + int(in_panel[ts].sum())))
    return tuple(reports)
