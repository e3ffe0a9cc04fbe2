"""Benchmark panel.weighting.rake: 10,000 synthetic respondents over 6 margins.

Usage: python benchmarks/weighting_bench.py [--n 10000] [--repeat 15] [--seed 1] [--check]
                                            [--libraries]

Builds a biased synthetic sample (each feature's values drawn with other shares than the
population's), then times, in the same run:

  rake            panel.weighting.rake(rows, margins), everything included (validation,
                  encoding the values, sweeps to max margin error < 1e-8, Kish figures)
  rake, trimmed   the same with trim=(0.2, 5) (feasible here; 0.3-3 is not: the margins
                  need some weights below 0.3, so trimmed raking runs to max_iter)
  baselines       one pass of unweighted shares with numpy bincount on pre-encoded codes
                  (the floor: a raking sweep is ~2 such passes per feature), unweighted
                  shares from the rows in pure Python (reading the rows once), and a naive
                  pure-Python raking (dicts and loops, same stopping rule)
  --libraries     weightipy and samplics on the same data, if they are installed
                  (they are not dependencies of the app; see the README)

Times are medians of --repeat runs (the naive raking and the libraries: of 3 runs).
--check exits 1 if the median rake takes 50 ms or more (the goal).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from panel.weighting import rake  # noqa: E402

FEATURES = {
    "age": ["18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"],
    "gender": ["female", "male", "other"],
    "area": [f"area{i}" for i in range(10)],
    "language": ["fi", "sv", "other"],
    "education": ["basic", "secondary", "tertiary", "unknown"],
    "activity": ["employed", "unemployed", "student", "retired", "other"],
}
GOAL_MS = 50.0
TRIM = (0.2, 5.0)


def synthetic(n: int, seed: int):
    rng = np.random.default_rng(seed)
    margins, columns = {}, {}
    for feature, values in FEATURES.items():
        population = rng.dirichlet(np.full(len(values), 4.0))
        # a sample skewed away from the population, as self-selected respondents are
        sample = 0.5 * population + 0.5 * rng.dirichlet(np.full(len(values), 2.0))
        margins[feature] = dict(zip(values, population.tolist()))
        columns[feature] = rng.choice(len(values), size=n, p=sample)
    rows = [{"id": f"r{i}", **{f: FEATURES[f][columns[f][i]] for f in FEATURES}}
            for i in range(n)]
    return rows, margins, columns


def timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000.0, result


def naive_rake(rows, margins, tol=1e-8, max_iter=1000):
    """Raking as one would write it without numpy: dicts and loops."""
    n = len(rows)
    w = [1.0] * n
    features = list(margins)
    for it in range(1, max_iter + 1):
        for f in features:
            totals: dict[str, float] = {}
            for row, x in zip(rows, w):
                totals[row[f]] = totals.get(row[f], 0.0) + x
            factor = {v: margins[f][v] * n / t for v, t in totals.items()}
            w = [x * factor[row[f]] for row, x in zip(rows, w)]
        error = 0.0
        for f in features:
            totals = {}
            for row, x in zip(rows, w):
                totals[row[f]] = totals.get(row[f], 0.0) + x
            error = max(error, max(abs(t / n - margins[f][v]) for v, t in totals.items()))
        if error < tol:
            return w, it
    return w, max_iter


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--libraries", action="store_true")
    args = ap.parse_args()

    rows, margins, columns = synthetic(args.n, args.seed)
    print(f"{args.n} respondents, {len(margins)} margins "
          f"({', '.join(f'{f}:{len(v)}' for f, v in FEATURES.items())}), seed {args.seed}, "
          f"numpy {np.__version__}, python {sys.version.split()[0]}")

    rake(rows, margins)                                   # warm-up
    t_rake, r = timed(lambda: rake(rows, margins), args.repeat)
    t_trim, rt = timed(lambda: rake(rows, margins, trim=TRIM), args.repeat)

    codes = [columns[f] for f in FEATURES]
    sizes = [len(v) for v in FEATURES.values()]
    t_floor, _ = timed(lambda: [np.bincount(c, minlength=k) / args.n
                                for c, k in zip(codes, sizes)], max(args.repeat, 50))
    t_python_shares, _ = timed(lambda: [Counter(row[f] for row in rows) for f in FEATURES],
                               args.repeat)
    t_naive, (w_naive, it_naive) = timed(lambda: naive_rake(rows, margins), 3)
    agree = max(abs(a - b) for a, b in zip(r.weights, w_naive))

    print()
    print(f"{'what':44s} {'median ms':>10s} {'vs rake':>9s}")
    line = "{:44s} {:10.2f} {:>9s}"
    print(line.format(f"rake ({r.iterations} sweeps, converged={r.converged})", t_rake, "1.00x"))
    print(line.format(f"rake, trim {TRIM[0]:g}-{TRIM[1]:g} ({rt.iterations} sweeps, {rt.trimmed} at bounds)",
                      t_trim, f"{t_trim / t_rake:.2f}x"))
    print(line.format("baseline: unweighted shares, numpy bincount", t_floor,
                      f"{t_floor / t_rake:.3f}x"))
    print(line.format("baseline: unweighted shares, pure Python", t_python_shares,
                      f"{t_python_shares / t_rake:.2f}x"))
    print(line.format(f"baseline: naive pure-Python raking ({it_naive} sweeps)", t_naive,
                      f"{t_naive / t_rake:.1f}x"))
    if args.libraries:
        for name, fn in _libraries(rows, margins).items():
            try:
                t_lib, w_lib = timed(fn, 3)
            except Exception as exc:                       # a library missing or failing
                print(f"{name:44s} {'-':>10s} {'':>9s}  ({type(exc).__name__}: {exc})")
                continue
            diff = float(np.max(np.abs(np.asarray(w_lib) / np.mean(w_lib) - np.asarray(r.weights))))
            print(line.format(name, t_lib, f"{t_lib / t_rake:.1f}x") + f"  max |w - ours| {diff:.1e}")
    print()
    print(f"rake: max margin error {r.max_margin_error:.1e}, design effect {r.design_effect:.3f}, "
          f"effective n {r.effective_n:.0f}; naive raking agrees within {agree:.1e}")
    print(f"rake, trimmed: converged={rt.converged}, max margin error {rt.max_margin_error:.1e}, "
          f"weights {min(rt.weights):.3f}-{max(rt.weights):.3f}, design effect "
          f"{rt.design_effect:.3f}")
    print(f"goal: rake under {GOAL_MS:.0f} ms -> {'met' if t_rake < GOAL_MS else 'MISSED'}")
    return 1 if args.check and t_rake >= GOAL_MS else 0


def _libraries(rows, margins):
    out = {}

    def weightipy_run():
        import pandas as pd
        import weightipy as wp

        df = pd.DataFrame(rows)
        scheme = wp.scheme_from_dict({f: {v: s * 100 for v, s in m.items()}
                                      for f, m in margins.items()})
        scheme.convcrit = 1e-12
        with contextlib.redirect_stdout(io.StringIO()):
            return wp.weight_dataframe(df, scheme)["weights"].to_numpy()

    def samplics_run():
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from samplics.weighting import SampleWeight
        n = len(rows)
        domains = {f: np.array([r[f] for r in rows]) for f in margins}
        control = {f: {v: s * n for v, s in m.items()} for f, m in margins.items()}
        return SampleWeight().rake(samp_weight=np.ones(n), margins=domains, control=control,
                                   tol=1e-10, ctrl_tol=1e-10, max_iter=1000)

    out["weightipy (pandas), convcrit 1e-12"] = weightipy_run
    out["samplics, tol 1e-10"] = samplics_run
    return out


if __name__ == "__main__":
    sys.exit(main())
