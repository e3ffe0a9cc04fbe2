"""Benchmark panel.sortition on the shared instances against the reference.

Usage: python benchmarks/sortition_bench.py [--data DIR] [--only n300-k12 ...] [--check]
       python benchmarks/sortition_bench.py --many [--only m1000-f6-k30 ...]
              [--baseline-rev c467d6f] [--baseline-max-n 1000] [--baseline-timeout 1800]

Reads DIR/manifest.csv and DIR/reference_results.csv (default DIR:
../shared/sortition relative to the repository root), runs plan() and one
seeded draw per instance, and prints wall time, quota checks (drawn panel and
every committee in the support), minimum probability, people at zero and
support size beside the reference figures.  --check exits 1 when a goal is
missed: min probability within 0.5 % of the reference maximin, nobody at zero
unless provably in no panel, n=1000 at least 10x faster than the reference
maximin, n=3000 under 60 s.

--many runs the generated pools with many feature-value combinations
(benchmarks/sortition_pools.py: 1,000-3,000 volunteers, 6-8 features, up to
23 municipalities) and, as the baseline in the same run, the engine of git
revision --baseline-rev (default: the last one before the relaxation-first
rewrite) in a subprocess, on pools of at most --baseline-max-n volunteers.
It prints wall and CPU seconds of both, the ratio, the minimum probability
of both and the largest difference between their sorted per-person
probability vectors.  The machine load (os.getloadavg) is printed with the
figures: on a shared machine compare CPU seconds.  --check there: every
panel in the support meets the quotas, the vectors agree within 1e-5 and
n=3000 plans in under 20 s.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from panel.sortition import csvio, draw, plan  # noqa: E402


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def reference(rows: list[dict[str, str]]) -> dict[str, dict[str, dict[str, str]]]:
    out: dict[str, dict[str, dict[str, str]]] = {}
    for r in rows:
        algo = r["algorithm"].split("@")[0]
        slot = out.setdefault(r["instance"], {})
        # several leximin backends: keep the HiGHS one, which runs on this kind of machine
        if algo not in slot or "highs" in r["algorithm"]:
            slot[algo] = r
    return out


def fnum(row: dict[str, str] | None, key: str) -> float | None:
    if not row or row.get("status") != "ok" or not row.get(key):
        return None
    return float(row[key])


def run(instance: dict[str, str], data: Path) -> dict:
    quotas = csvio.read_quotas((data / instance["quotas"]).read_text(encoding="utf-8"))
    people = csvio.read_people((data / instance["people"]).read_text(encoding="utf-8"), quotas)
    k = int(instance["k"])
    started = time.perf_counter()
    p = plan(people, quotas, k)
    result = draw(p, int(instance["seed"]))
    wall = time.perf_counter() - started
    by_id = {person.id: person for person in people}
    panel_ok = len(result.panel) == k and all(
        q.min <= sum(1 for pid in result.panel if by_id[pid].features[q.feature] == q.value) <= q.max
        for q in quotas)
    support_ok = all(p.pool.counts_ok(c) for c in p.distribution.committees)
    zero_reasons = {z.code for z in p.zero_probability}
    return {"wall": wall, "panel_ok": panel_ok, "support_ok": support_ok,
            "min_p": p.min_probability, "n_zero": len(p.zero_probability),
            "zero_codes": zero_reasons, "support": p.support_size,
            "types": p.pool.n_types, "levels": p.stats.get("levels"),
            "sum_p": sum(result.probabilities.values()), "k": k, "n": len(people)}


# Runs one generated pool with the engine found under sys.argv[1] and prints
# JSON: wall and CPU seconds of plan() and the per-person probabilities, sorted.
_CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1]); sys.path.insert(1, sys.argv[2])
from panel.sortition import plan  # before sortition_pools, which puts this repository first
import sortition_pools
people, quotas, k = sortition_pools.build(sys.argv[3])
c0, w0 = time.process_time(), time.perf_counter()
p = plan(people, quotas, k)
wall, cpu = time.perf_counter() - w0, time.process_time() - c0
ok = all(p.pool.counts_ok(c) for c in p.distribution.committees)
print(json.dumps({"engine": plan.__module__ and sys.modules["panel"].__file__, "wall": wall, "cpu": cpu, "types": p.pool.n_types, "ok": ok,
                  "support": p.support_size, "probs": sorted(p.probabilities.values())}))
"""


def run_engine(root: Path, name: str, timeout: float | None = None) -> dict | None:
    try:
        out = subprocess.run([sys.executable, "-c", _CHILD, str(root), str(REPO / "benchmarks"), name],
                             capture_output=True, text=True, timeout=timeout, check=True, cwd=root)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def main_many(args) -> int:
    sys.path.insert(0, str(REPO / "benchmarks"))
    import sortition_pools

    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"generated pools; load average {load} (1/5/15 min) on {os.cpu_count()} CPUs; "
          f"baseline: engine of {args.baseline_rev} on n <= {args.baseline_max_n}")
    head = (f"{'instance':<14} {'n':>5} {'types':>5} {'wall_s':>7} {'cpu_s':>7} {'min_p':>9} {'comm':>5} | "
            f"{'base_wall':>9} {'base_cpu':>8} {'x_cpu':>6} {'base_min_p':>10} {'max_diff':>8}")
    print(head)
    print("-" * len(head))
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        base_root = Path(tmp)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", args.baseline_rev, "panel"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base_root)], input=archive, check=True)
        for inst in sortition_pools.instances():
            if args.only and inst.name not in args.only:
                continue
            r = run_engine(REPO, inst.name)
            base = None
            if inst.n <= args.baseline_max_n:
                base = run_engine(base_root, inst.name, args.baseline_timeout)
            min_p = r["probs"][0]
            cols = (f"{inst.name:<14} {inst.n:>5} {r['types']:>5} {r['wall']:>7.2f} {r['cpu']:>7.2f} "
                    f"{min_p:>9.6f} {r['support']:>5} | ")
            if base:
                diff = max(abs(a - b) for a, b in zip(r["probs"], base["probs"]))
                cols += (f"{base['wall']:>9.2f} {base['cpu']:>8.2f} {base['cpu'] / r['cpu']:>5.1f}x "
                         f"{base['probs'][0]:>10.6f} {diff:>8.1e}")
                if diff > 1e-5:
                    failures.append(f"{inst.name}: vectors differ by {diff:.1e}")
            else:
                cols += f"{'timeout' if inst.n <= args.baseline_max_n else 'skipped':>9}"
            print(cols, flush=True)
            if not r["ok"]:
                failures.append(f"{inst.name}: a panel in the support breaks the quotas")
            if inst.n >= 3000 and r["wall"] > 20:
                failures.append(f"{inst.name}: over 20 s")
    print(f"\nload average after: {'/'.join(f'{x:.1f}' for x in os.getloadavg())}; x_cpu = baseline CPU / ours;"
          "\nmax_diff = largest difference between the sorted per-person probability vectors")
    for f in failures:
        print("GOAL MISSED:", f)
    if not failures:
        print("all goals met")
    return 1 if (failures and args.check) else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "sortition")
    ap.add_argument("--only", nargs="*", default=None, help="instance names, e.g. n300-k12")
    ap.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    ap.add_argument("--many", action="store_true", help="the generated many-type pools instead")
    ap.add_argument("--baseline-rev", default="c467d6f", help="git revision of the baseline engine")
    ap.add_argument("--baseline-max-n", type=int, default=1000,
                    help="run the baseline only on pools up to this size (it takes minutes)")
    ap.add_argument("--baseline-timeout", type=float, default=1800.0)
    args = ap.parse_args(argv)
    if args.many:
        return main_many(args)

    instances = read_csv(args.data / "manifest.csv")
    if args.only:
        instances = [i for i in instances if i["instance"] in set(args.only)]
    refs = reference(read_csv(args.data / "reference_results.csv"))
    head = (f"{'instance':<10} {'types':>5} {'wall_s':>7} {'quotas':>7} {'min_p':>9} {'zero':>4} "
            f"{'comm':>5} | {'ref_maxmin':>10} {'ratio':>7} {'ref_mm_s':>8} {'ref_lx_s':>8} "
            f"{'x_maxmin':>8} {'x_leximin':>9} {'legacy_0':>8}")
    print(head)
    print("-" * len(head))
    failures = []
    for inst in instances:
        name = inst["instance"]
        r = run(inst, args.data)
        ref = refs.get(name, {})
        ref_p, ref_s = fnum(ref.get("maximin"), "min_p"), fnum(ref.get("maximin"), "wall_s")
        ref_lx = fnum(ref.get("leximin"), "wall_s")
        legacy = ref.get("legacy", {}).get("n_zero", "")
        ratio = r["min_p"] / ref_p if ref_p else None
        mm_timeout = ref.get("maximin", {}).get("status") == "timeout"
        x_mm = f"{ref_s / r['wall']:.0f}x" if ref_s else "-"
        x_lx = f"{ref_lx / r['wall']:.0f}x" if ref_lx else "-"
        quotas = "ok" if r["panel_ok"] and r["support_ok"] else "FAIL"
        print(f"{name:<10} {r['types']:>5} {r['wall']:>7.2f} {quotas:>7} {r['min_p']:>9.6f} "
              f"{r['n_zero']:>4} {r['support']:>5} | "
              f"{(f'{ref_p:.6f}' if ref_p else ('timeout' if mm_timeout else '-')):>10} "
              f"{(f'{ratio:.4f}' if ratio else '-'):>7} {(f'{ref_s:.1f}' if ref_s else '-'):>8} "
              f"{(f'{ref_lx:.1f}' if ref_lx else '-'):>8} {x_mm:>8} {x_lx:>9} "
              f"{legacy:>8}", flush=True)
        if quotas != "ok":
            failures.append(f"{name}: quotas violated")
        if ratio is not None and ratio < 0.995:
            failures.append(f"{name}: min probability {ratio:.4f} of the reference optimum")
        if r["n_zero"] and r["zero_codes"] != {"no_feasible_panel"}:
            failures.append(f"{name}: people at zero without proof")
        if r["n"] == 1000 and ref_s and r["wall"] * 10 > ref_s:
            failures.append(f"{name}: less than 10x faster than the reference maximin")
        if r["n"] >= 3000 and r["wall"] > 60:
            failures.append(f"{name}: over 60 s")
        if abs(r["sum_p"] - r["k"]) > 1e-6:
            failures.append(f"{name}: probabilities sum to {r['sum_p']}")
    print("\nratio = our min_p / reference maximin optimum; x_maxmin, x_leximin = reference wall time / ours;"
          "\nlegacy_0 = people never drawn by the reference greedy algorithm; ours: zero = provably in no panel")
    for f in failures:
        print("GOAL MISSED:", f)
    if not failures:
        print("all goals met")
    return 1 if (failures and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
