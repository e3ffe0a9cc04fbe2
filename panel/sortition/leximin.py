"""LEXIMIN selection probabilities by column generation over volunteer types.

Follows Flanigan et al., "Fair algorithms for selecting citizens'
assemblies" (Nature 596, 2021), supplementary methods.  Keep a set of
feasible committees; per level solve the restricted master LP, whose dual is

    min  y^ - sum_{fixed t} p_t y_t
    s.t. sum_t y_t c_t / n_t <= y^     for every known committee c
         sum_{unfixed t} y_t = 1,  y >= 0

and price with a MILP (max sum_t y_t c_t / n_t over quota-satisfying count
vectors c).  A committee beating y^ is added; otherwise the level is optimal
and the types with positive dual weight are pinned at that level.  The last
master's solution is the distribution over committees.

Differences from the paper, all for speed and none affecting the result:

* we work on *types* (grouping.py): symmetric volunteers get equal LEXIMIN
  probabilities (the optimum is unique and permutation invariant), so a
  committee is an integer count per type and the LP has a row per type;
* the LEXIMIN of the LP relaxation (relaxation.py, a few small LPs) is an
  upper bound in the leximin order, and on real pools it is usually reached.
  A Caratheodory walk splits it into panels, and one column generation on
  the face of the walk's remainder (rows only for its fractional types)
  proves that a lottery reaches it exactly: that lottery is then the
  optimum, with no level-by-level work at all (_fit_relaxed);
* only when that is proven impossible do we solve level by level, seeded
  with every panel found so far; there the relaxation's duals start each
  level, pricing tries the LP relaxation before the MILP, and also prices
  at duals smoothed towards the best one seen (Wentges).

No I/O, no Flask; deterministic for a given input (fixed internal seeds).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .errors import SolverError
from .grouping import TypedPool
from .milp import INF, OPTIMAL, CommitteeMip, new_highs, add_quota_rows, _I32
from .relaxation import RelaxedLevels, Walk, relaxed_leximin, walk

import highspy

# Relative optimality gap at which a LEXIMIN level counts as solved.  The
# reported minimum probability is then within this factor of the optimum.
LEVEL_REL_TOL = 1e-6
# A type whose dual weight is below this share is left for a later level.
FIX_WEIGHT_EPS = 1e-7
_INITIAL_RANDOM_COMMITTEES = 4
# How many more fractional types than where the walk stalled the remainders
# fitted by column generation have, in the order tried (then p* itself).
_FIT_RETREAT = (40, 160)
# Master solves per fit before giving up on it (the level-by-level solution
# is exact anyway): a count, never a time, so the result stays deterministic.
_FIT_MAX_ROUNDS = 100
# Fixed levels enter the master this much lower (10x its feasibility tolerance).
_FIX_MARGIN = 1e-8


@dataclass
class Distribution:
    """A lottery over committees of the *remaining* seats (forced excluded)."""

    pool: TypedPool
    committees: list[np.ndarray]        # type-count vectors, canonical order
    weights: np.ndarray                 # probability of each committee
    type_probability: np.ndarray        # selection probability per type
    uncoverable: list[int]              # types in no quota-satisfying panel
    stats: dict = field(default_factory=dict)


class _Master:
    """The restricted master LP of one LEXIMIN level, kept warm across levels.

    Solved in primal form (one column per committee, one row per type) even
    though the paper states the dual: the basis then has one row per type
    instead of one per committee, which makes each warm re-solve cheaper.
    Its row duals are the paper's y_t and y^.

        max z  s.t.  sum_C lam_C c_Ct/n_t - z >= 0   (unfixed t)
                     sum_C lam_C c_Ct/n_t     >= p_t (fixed t)
                     sum_C lam_C = 1,  lam >= 0
    """

    def __init__(self, pool: TypedPool, active: np.ndarray):
        self.pool = pool
        self.active = active
        self.row = {int(t): j for j, t in enumerate(active)}
        m = len(active)
        self.conv = m
        # Primal simplex throughout: new columns keep the basis primal
        # feasible.  Dual simplex after fixing levels sounds right but took
        # 2-3x more iterations on the benchmark pools.
        h = new_highs(primal_feasibility_tolerance=1e-9, dual_feasibility_tolerance=1e-9,
                      simplex_strategy=4)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        h.addRows(m + 1, np.r_[np.zeros(m), 1.0], np.r_[np.full(m, INF), 1.0], 0,
                  np.zeros(m + 1, dtype=_I32), np.zeros(0, dtype=_I32), np.zeros(0))
        # z column: free, objective 1, -1 in every unfixed type row
        h.addCol(1.0, -INF, INF, m, np.arange(m, dtype=_I32), -np.ones(m))
        self.h = h
        self.cols: list[np.ndarray] = []
        self.keys: set[bytes] = set()
        self.fixed: dict[int, float] = {}
        self.solves = 0

    def add(self, c: np.ndarray) -> bool:
        key = c.tobytes()
        if key in self.keys:
            return False
        self.keys.add(key)
        self.cols.append(c)
        ts = [t for t in self.active if c[t] > 0]
        idx = np.array([self.row[int(t)] for t in ts] + [self.conv], dtype=_I32)
        val = np.array([c[t] / self.pool.counts[t] for t in ts] + [1.0])
        self.h.addCol(0.0, 0.0, INF, len(idx), idx, val)
        return True

    def fix(self, t: int, p: float) -> None:
        r = self.row[t]
        self.fixed[r] = p
        self.h.changeCoeff(r, 0, 0.0)
        # A hair below the level, beyond the LP's feasibility tolerance, so
        # round-off cannot make the next master infeasible.  Reported
        # probabilities come from the final distribution, not these bounds.
        self.h.changeRowBounds(r, p - _FIX_MARGIN, INF)

    def _loosen(self) -> None:
        for r, p in self.fixed.items():
            self.h.changeRowBounds(r, p * (1 - 1e-6) - 10 * _FIX_MARGIN, INF)

    def solve(self):
        h = self.h
        h.run()
        self.solves += 1
        if h.getModelStatus() != OPTIMAL:
            # numerically infeasible after fixing: retry from scratch with
            # slightly looser fixed levels before giving up
            self._loosen()
            h.clearSolver()
            h.run()
            self.solves += 1
        if h.getModelStatus() != OPTIMAL:
            raise SolverError("solver_failed", stage="leximin_master",
                              status=str(h.getModelStatus()))
        sol = h.getSolution()
        duals = np.abs(np.asarray(sol.row_dual))
        y = np.zeros(self.pool.n_types)
        y[self.active] = duals[: self.conv]
        lam = np.asarray(sol.col_value)[1:]
        self.lam = lam
        return duals[self.conv], h.getInfo().objective_function_value, y, lam


def coverable_types(pool: TypedPool, seeds: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    """Find committees covering every type that fits into some valid panel.

    One MILP maximises how many still-uncovered types a single committee
    touches; when the optimum is 0 the rest provably fit in no panel.
    """
    t = pool.n_types
    covered = np.zeros(t, dtype=bool)
    for c in seeds:
        covered |= c > 0
    found: list[np.ndarray] = []
    if covered.all():
        return found, covered
    # columns: counts c_t (integer) then indicators z_t <= min(1, c_t)
    h = new_highs(mip_rel_gap=0.0)
    h.addVars(2 * t, np.zeros(2 * t), np.r_[pool.counts.astype(float), np.ones(t)])
    h.changeColsIntegrality(t, np.arange(t, dtype=_I32),
                            np.array([highspy.HighsVarType.kInteger] * t))
    add_quota_rows(h, pool)
    for i in range(t):
        h.addRow(-INF, 0.0, 2, np.array([t + i, i], dtype=_I32), np.array([1.0, -1.0]))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    while not covered.all():
        h.changeColsCost(t, np.arange(t, 2 * t, dtype=_I32), (~covered).astype(float))
        h.run()
        if h.getModelStatus() != OPTIMAL:
            raise SolverError("solver_failed", stage="coverage", status=str(h.getModelStatus()))
        c = np.rint(np.asarray(h.getSolution().col_value)[:t]).astype(np.int64)
        if not pool.counts_ok(c):
            raise SolverError("solver_invalid_panel")
        new = (c > 0) & ~covered
        if not new.any():
            break
        covered |= new
        found.append(c)
    return found, covered


def _solve_level(master: _Master, mip: CommitteeMip, fixed_p: np.ndarray,
                 rel_tol: float, alphas, start=None,
                 max_rounds: int | None = None) -> tuple[float, np.ndarray, int]:
    """Column generation for one level; returns (level value, dual certificate, rounds).
    After ``max_rounds`` master solves it stops and returns the master's value,
    which is then only a lower bound.

    Besides the master's own duals we price at points smoothed towards the
    best dual found so far (Wentges smoothing).  This damps the zig-zag of
    plain column generation, yields several columns per master solve, and
    any priced point gives a valid upper bound on the level, so the level can
    be closed as soon as some dual certifies it.
    """
    counts = master.pool.counts
    center, best = None, np.inf
    if start is not None:  # (relaxed level value, its duals)
        start_y = start[1]
        scale = max(start[0] + float(fixed_p @ start_y), 1e-12)  # ~ the pricing optimum
        c, bound = mip.price(start_y / counts / scale, -np.inf, exact=True)
        center, best = start_y, bound * scale - fixed_p @ start_y
        if c is not None:
            master.add(c)
    rounds = 0
    while True:
        y_hat, z, y, _ = master.solve()
        rounds += 1
        tol = rel_tol * max(z, 1e-12)
        if best <= z + tol or (max_rounds is not None and rounds >= max_rounds):
            return z, center, rounds
        scale = y_hat if y_hat > 1e-12 else 1.0
        points = [(0.0, y)] + ([(a, a * center + (1 - a) * y) for a in alphas]
                               if center is not None else [])
        added = False
        for a, ys in points:
            w = ys / counts / scale
            c, bound = mip.price(w, (y_hat + tol) / scale if a == 0.0 else -np.inf,
                                 exact=(a == 0.0))
            dual_bound = bound * scale - fixed_p @ ys
            if dual_bound < best:
                best, center = dual_bound, ys
            if c is not None and y @ (c / counts) > y_hat + 0.1 * tol:
                added |= master.add(c)
        if best <= z + tol or not added:
            return z, (center if best <= z + tol else y), rounds


def _relaxed_walk(pool: TypedPool, active: np.ndarray, mip: CommitteeMip) -> Walk:
    x = relaxed_leximin(pool, active, FIX_WEIGHT_EPS)
    return walk(pool, x, mip) if x is not None else Walk()


def _fit_on_face(pool: TypedPool, w: Walk, i: int, mip: CommitteeMip, rel_tol: float,
                 alphas) -> tuple[_Master, bool]:
    """Column generation for  max z  s.t.  sum_C lam_C c_Ct/n_t >= z p_t  with p
    the walk's remainder before step i, over the panels of its smallest face.

    Every lottery with expected counts x_i uses only panels of the smallest
    face containing x_i (that is what a face is), so restricting the columns
    and the pricing to it loses nothing, and leaves a master with one row per
    type still fractional in x_i.  z >= 1 - rel_tol: the remainder is a
    lottery; a dual bound below that proves it is none.
    """
    cnt = pool.counts.astype(float)
    x = w.remainders[i]
    active = np.flatnonzero((x > 1e-9) & (x < cnt - 1e-9))
    master = _Master(pool, active)
    for j, t in enumerate(active):
        master.h.changeCoeff(j, 0, -float(x[t] / cnt[t]))
    for c in w.panels[i:]:
        master.add(c)
    mip.set_face(*w.faces[i])
    try:
        z, _, rounds = _solve_level(master, mip, np.zeros(pool.n_types), rel_tol, alphas,
                                    max_rounds=_FIT_MAX_ROUNDS)
    finally:
        mip.clear_face()
    master.fit_rounds = rounds
    return master, z >= 1.0 - rel_tol


def _fit_relaxed(pool: TypedPool, w: Walk, mip: CommitteeMip, rel_tol: float, alphas):
    """A lottery with exactly the relaxed LEXIMIN probabilities, or None.

    The relaxation's LEXIMIN vector p* dominates every lottery's vector in
    the leximin order (its feasible set contains theirs), so a lottery that
    reaches p* is the LEXIMIN optimum (which is unique).  The walk splits p*
    into panels until it stalls; the remainder before some step is then
    fitted exactly by column generation on its face, retreating to earlier,
    larger remainders (finally p* itself) while that is proven impossible.
    Returns (committees, weights, stats, columns tried).
    """
    tried: list[np.ndarray] = []
    if not w.panels:
        return None, tried
    steps = len(w.panels)
    thetas = np.array(w.thetas)
    mass = np.r_[1.0, np.cumprod(1.0 - thetas)]  # share left before each step
    if w.complete:
        return (list(w.panels), mass[:-1] * thetas, {"fit_step": steps, "fit_rounds": 0}), tried
    cnt = pool.counts.astype(float)
    fractional = [w.fractional(j, cnt) for j in range(steps)]
    candidates = []
    for extra in _FIT_RETREAT:
        i = max([j for j in range(steps) if fractional[j] >= fractional[-1] + extra], default=0)
        if not candidates or i < candidates[-1]:
            candidates.append(i)
    if candidates[-1] != 0:
        candidates.append(0)
    rounds = 0
    for i in candidates:
        master, ok = _fit_on_face(pool, w, i, mip, rel_tol, alphas)
        rounds += master.fit_rounds
        tried += master.cols
        if ok:
            lam = np.maximum(master.lam, 0.0)
            keep = np.flatnonzero(lam > 1e-11)
            committees = list(w.panels[:i]) + [master.cols[j] for j in keep]
            weights = list(mass[:i] * thetas[:i]) + list(mass[i] * lam[keep] / lam[keep].sum())
            return (committees, np.array(weights),
                    {"fit_step": i, "fit_rounds": rounds, "master_solves": master.solves}), tried
    return None, tried


def _levels(pool: TypedPool, active: np.ndarray, mip: CommitteeMip, columns: list[np.ndarray],
            rel_tol: float, alphas) -> tuple[_Master, list]:
    """The paper's level-by-level column generation (when the relaxation is not tight)."""
    master = _Master(pool, active)
    for c in columns:
        master.add(c)
    relax = RelaxedLevels(pool, active)
    fixed_p = np.zeros(pool.n_types)
    unfixed = set(int(i) for i in active)
    level_log = []
    while unfixed:
        out = relax.solve(unfixed, fixed_p)
        level, cert, rounds = _solve_level(master, mip, fixed_p, rel_tol, alphas, out)
        pinned = [u for u in unfixed if cert[u] > FIX_WEIGHT_EPS]
        if not pinned:
            pinned = [max(unfixed, key=lambda u: cert[u])]
        level = min(1.0, max(0.0, level))
        level_log.append((rounds, len(pinned), level))
        for u in pinned:
            fixed_p[u] = level
            unfixed.discard(u)
            master.fix(u, level)
    return master, level_log


def leximin(pool: TypedPool, *, rel_tol: float = LEVEL_REL_TOL,
            alphas: tuple[float, ...] = (0.5, 0.8)) -> Distribution:
    """LEXIMIN distribution for a quota-feasible ``pool`` (check feasibility
    first: diagnose.find_panel)."""
    clock = _Clock()
    t = pool.n_types
    if pool.k == 0:  # forced members already fill the panel
        empty = np.zeros(t, dtype=np.int64)
        return Distribution(pool, [empty], np.ones(1), np.zeros(t), [], {"levels": 0})
    mip = CommitteeMip(pool)
    rng = np.random.default_rng(20211)
    seeds = []
    for _ in range(_INITIAL_RANDOM_COMMITTEES):
        st, _, _, c = mip.maximise(rng.random(t) / pool.counts)
        if st != OPTIMAL:
            raise SolverError("solver_failed", stage="initial", status=str(st))
        seeds.append(c)
    # Walking down the relaxed optimum usually touches every type, which
    # leaves the coverage MILPs little or nothing to prove.
    everyone = np.arange(t)
    w = _relaxed_walk(pool, everyone, mip)
    clock.lap("relaxation")
    cover, covered = coverable_types(pool, seeds + w.panels)
    active = np.flatnonzero(covered)
    uncoverable = [int(i) for i in np.flatnonzero(~covered)]
    if uncoverable:  # the relaxation included people in no panel: redo without them
        w = _relaxed_walk(pool, active, mip)
    clock.lap("coverage")

    fit, tried = _fit_relaxed(pool, w, mip, rel_tol, alphas)
    clock.lap("fit")
    if fit is not None:
        committees, weights, fit_stats = fit
        level_log = []
        stats = {"levels": 1, "rounds": fit_stats["fit_rounds"],
                 "master_solves": fit_stats.get("master_solves", 0), **fit_stats}
    else:
        master, level_log = _levels(pool, active, mip, seeds + w.panels + cover + tried,
                                    rel_tol, alphas)
        # The last level's master already meets every fixed level; re-solving
        # with all types fixed is a zero-objective LP that the simplex can stall on.
        lam = np.maximum(master.lam, 0.0)
        keep = np.flatnonzero(lam > 1e-11)
        committees = [master.cols[i] for i in keep]
        weights = lam[keep]
        stats = {"levels": len(level_log), "rounds": sum(r for r, _, _ in level_log),
                 "master_solves": master.solves}
    clock.lap("levels")

    # merge repeated panels, then canonical order, so that the seeded draw
    # does not depend on solver order
    merged: dict[bytes, list] = {}
    for c, wt in zip(committees, weights):
        if wt > 1e-11:
            slot = merged.setdefault(c.tobytes(), [c, 0.0])
            slot[1] += float(wt)
    items = sorted(merged.values(), key=lambda cw: tuple(cw[0]))
    committees = [c for c, _ in items]
    weights = np.array([wt for _, wt in items])
    weights = weights / weights.sum()
    probs = np.sum([wt * c for wt, c in zip(weights, committees)], axis=0) / pool.counts
    stats.update({"milp_solves": mip.solves, "pricing_lp_solves": mip.lp_solves,
                  "walk_steps": len(w.panels), "level_log": level_log, **clock.laps})
    return Distribution(pool, committees, weights, probs, uncoverable, stats)


class _Clock:
    def __init__(self):
        self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[f"seconds_{name}"] = now - self.last
        self.last = now
