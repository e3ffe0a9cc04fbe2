"""Deterministic volunteer pools with many feature-value combinations.

Usage: python benchmarks/sortition_pools.py OUT_DIR [--only NAME ...]

A synthetic wellbeing services county of 23 municipalities (one city of
about 40 % of the population, a ring of suburbs and many small rural
municipalities).  Volunteers are biased the way real volunteer pools are:
older, more educated, more women, fewer speakers of other languages, more
often retired.  Quotas are derived from the population shares like the
shared pools' quota files: target = round(share * k), min = target - 1
(not below 0), max = target + 1.

Each instance is fully determined by its name (seeded numpy); ``instances()``
lists them and ``build(name)`` returns (people, quotas, k).  Writing them out
gives the same two CSV files as the shared pools (people.csv, quotas_kK.csv).

No solver, no I/O besides the optional CSV writing in main().
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from panel.sortition import Person, Quota  # noqa: E402

# municipality: population share; pool bias (volunteers per inhabitant, relative)
MUNICIPALITIES = [
    ("Tampere", 0.400, 1.15), ("Nokia", 0.063, 0.95), ("Kangasala", 0.062, 1.0),
    ("Ylojarvi", 0.061, 0.95), ("Lempaala", 0.045, 1.0), ("Pirkkala", 0.037, 1.05),
    ("Sastamala", 0.041, 0.8), ("Valkeakoski", 0.036, 0.85), ("Orivesi", 0.018, 0.8),
    ("Mantta-Vilppula", 0.019, 0.7), ("Akaa", 0.031, 0.8), ("Hameenkyro", 0.019, 0.85),
    ("Ikaalinen", 0.013, 0.8), ("Parkano", 0.012, 0.7), ("Virrat", 0.012, 0.7),
    ("Vesilahti", 0.009, 0.9), ("Urjala", 0.008, 0.7), ("Ruovesi", 0.008, 0.7),
    ("Palkane", 0.012, 0.85), ("Juupajoki", 0.004, 0.7), ("Kihnio", 0.004, 0.6),
    ("Punkalaidun", 0.005, 0.6), ("Kuhmoinen", 0.004, 0.6),
]
# value: (population share, pool share)
AGE = {"18-29": (0.18, 0.08), "30-44": (0.24, 0.21), "45-59": (0.23, 0.25),
       "60-74": (0.22, 0.34), "75+": (0.13, 0.12)}
GENDER = {"female": (0.505, 0.60), "male": (0.49, 0.392), "other": (0.005, 0.008)}
EDUCATION = {"basic": (0.23, 0.10), "upper-secondary": (0.42, 0.30), "tertiary": (0.35, 0.60)}
TONGUE = {"fi": (0.88, 0.935), "sv": (0.03, 0.035), "other": (0.09, 0.03)}
EMPLOYMENT = {"employed": (0.50, 0.42), "unemployed": (0.08, 0.06),
              "student": (0.08, 0.05), "retired": (0.30, 0.42), "other": (0.04, 0.05)}
SERVICE = {"yes": (0.15, 0.08), "no": (0.85, 0.92)}
CHILDREN = {"yes": (0.27, 0.22), "no": (0.73, 0.78)}

FEATURE_ORDER = ["municipality", "age", "gender", "education", "mother_tongue",
                 "employment", "service_use", "children"]


@dataclass(frozen=True)
class Instance:
    name: str
    n: int
    n_features: int
    k: int
    seed: int


INSTANCES = [
    Instance("m1000-f6-k30", 1000, 6, 30, 61000),
    Instance("m1000-f8-k40", 1000, 8, 40, 81000),
    Instance("m2000-f7-k40", 2000, 7, 40, 72000),
    Instance("m2000-f8-k50", 2000, 8, 50, 82000),
    Instance("m3000-f6-k40", 3000, 6, 40, 63000),
    Instance("m3000-f7-k45", 3000, 7, 45, 73000),
    Instance("m3000-f8-k50", 3000, 8, 50, 83000),
]


def instances() -> list[Instance]:
    return list(INSTANCES)


def _pick(rng: np.random.Generator, values: list[str], p: np.ndarray, n: int) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return np.array(values, dtype=object)[rng.choice(len(values), size=n, p=p / p.sum())]


def _population(inst: Instance) -> dict[str, dict[str, float]]:
    """Population share per feature value (for the quotas)."""
    muni = np.array([s for _, s, _ in MUNICIPALITIES])
    pop = {"municipality": {m: s / muni.sum() for (m, _, _), s in zip(MUNICIPALITIES, muni)},
           "age": {v: a for v, (a, _) in AGE.items()},
           "gender": {v: a for v, (a, _) in GENDER.items()},
           "education": {v: a for v, (a, _) in EDUCATION.items()},
           "mother_tongue": {v: a for v, (a, _) in TONGUE.items()},
           "employment": {v: a for v, (a, _) in EMPLOYMENT.items()},
           "service_use": {v: a for v, (a, _) in SERVICE.items()},
           "children": {v: a for v, (a, _) in CHILDREN.items()}}
    return {f: pop[f] for f in FEATURE_ORDER[: inst.n_features]}


def _people(inst: Instance) -> list[dict[str, str]]:
    rng = np.random.default_rng(inst.seed)
    n = inst.n
    names = [m for m, _, _ in MUNICIPALITIES]
    muni = _pick(rng, names, np.array([s * b for _, s, b in MUNICIPALITIES]), n)
    ages = list(AGE)
    age = _pick(rng, ages, np.array([b for _, b in AGE.values()]), n)
    age_i = np.array([ages.index(a) for a in age])
    gender = _pick(rng, list(GENDER), np.array([b for _, b in GENDER.values()]), n)
    # education: the young have not finished theirs, the oldest had less of it
    edu_base = np.array([b for _, b in EDUCATION.values()])
    edu_shift = {0: [1.6, 1.3, 0.6], 1: [0.7, 0.9, 1.2], 2: [0.8, 1.0, 1.1],
                 3: [1.1, 1.0, 0.95], 4: [2.2, 1.1, 0.6]}
    education = np.empty(n, dtype=object)
    for a, shift in edu_shift.items():
        m = age_i == a
        education[m] = _pick(rng, list(EDUCATION), edu_base * shift, int(m.sum()))
    # mother tongue: Swedish speakers cluster in a few municipalities, other
    # languages in the city and among the younger
    tongue = np.empty(n, dtype=object)
    t_base = np.array([b for _, b in TONGUE.values()])
    for i in range(n):
        w = t_base.copy()
        if muni[i] in ("Tampere", "Pirkkala", "Nokia"):
            w = w * [1.0, 1.2, 1.8]
        if age_i[i] <= 1:
            w = w * [1.0, 1.0, 1.8]
        tongue[i] = list(TONGUE)[int(rng.choice(3, p=w / w.sum()))]
    # employment depends on age
    emp_values = list(EMPLOYMENT)
    emp_by_age = {0: [0.45, 0.10, 0.40, 0.0, 0.05], 1: [0.80, 0.10, 0.04, 0.0, 0.06],
                  2: [0.78, 0.09, 0.02, 0.05, 0.06], 3: [0.25, 0.04, 0.0, 0.68, 0.03],
                  4: [0.01, 0.0, 0.0, 0.97, 0.02]}
    employment = np.empty(n, dtype=object)
    for a, w in emp_by_age.items():
        m = age_i == a
        employment[m] = _pick(rng, emp_values, np.array(w), int(m.sum()))
    service = np.where(rng.random(n) < np.where(employment == "unemployed", 0.30, 0.07), "yes", "no")
    children = np.where(rng.random(n) < np.where((age_i >= 1) & (age_i <= 2), 0.45, 0.03), "yes", "no")
    columns = {"municipality": muni, "age": age, "gender": gender, "education": education,
               "mother_tongue": tongue, "employment": employment, "service_use": service,
               "children": children}
    feats = FEATURE_ORDER[: inst.n_features]
    return [{"id": f"v{i + 1:05d}", **{f: str(columns[f][i]) for f in feats}} for i in range(n)]


def _quotas(inst: Instance) -> list[Quota]:
    out = []
    for f, shares in _population(inst).items():
        for v, s in shares.items():
            target = int(round(s * inst.k))
            out.append(Quota(f, v, max(0, target - 1), target + 1, target))
    return out


def build(name: str) -> tuple[list[Person], list[Quota], int]:
    inst = next(i for i in INSTANCES if i.name == name)
    rows = _people(inst)
    people = [Person(r["id"], {f: v for f, v in r.items() if f != "id"}) for r in rows]
    return people, _quotas(inst), inst.k


def people_csv(people: list[Person]) -> str:
    feats = list(people[0].features)
    lines = [",".join(["id", *feats])]
    lines += [",".join([p.id, *(p.features[f] for f in feats)]) for p in people]
    return "\n".join(lines) + "\n"


def quotas_csv(quotas: list[Quota]) -> str:
    lines = ["feature,value,min,max,target"]
    lines += [f"{q.feature},{q.value},{q.min},{q.max},{q.target}" for q in quotas]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--only", nargs="*", default=None)
    args = ap.parse_args(argv)
    for inst in INSTANCES:
        if args.only and inst.name not in args.only:
            continue
        people, quotas, k = build(inst.name)
        d = args.out / inst.name
        d.mkdir(parents=True, exist_ok=True)
        (d / "people.csv").write_text(people_csv(people), encoding="utf-8")
        (d / f"quotas_k{k}.csv").write_text(quotas_csv(quotas), encoding="utf-8")
        types = len({tuple(p.features.values()) for p in people})
        print(f"{inst.name}: n={len(people)} features={inst.n_features} k={k} types={types}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
