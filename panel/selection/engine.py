"""The one bridge between the web/CLI layer and the pure engine in ``panel.sortition``.

Both the web draw and ``flask panel select`` go through :func:`run` with the *published
CSV texts*, so a draw re-run from the downloaded files takes exactly the same path as
the original.  Engine errors (machine-readable codes) become translated messages here.
"""
from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass
class Outcome:
    seed: int
    algorithm: str
    version: str
    selected: list[str]
    probabilities: dict[str, float]
    probabilities_csv: str
    report: dict


class EngineProblem(Exception):
    def __init__(self, code: str, reason, details=()):
        super().__init__(code)
        self.code, self.reason, self.details = code, reason, list(details)


# --- the published file formats ------------------------------------------------------------

def _write(rows, header) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def people_csv(people: list[dict], keys: list[str]) -> str:
    """``id,<feature>...``: one row per volunteer (pseudonym and category values)."""
    return _write(([p["id"], *[p[k] for k in keys]] for p in people), ["id", *keys])


def quotas_csv(rows) -> str:
    """``feature,value,min,max``."""
    return _write(([f, v, lo, hi] for f, v, lo, hi in rows), ["feature", "value", "min", "max"])


def ids_csv(ids) -> str:
    return _write(([i] for i in ids), ["id"])


def ids_of(text: str) -> list[str]:
    if not (text or "").strip():
        return []
    return [row["id"].strip() for row in csv.DictReader(io.StringIO(text)) if row.get("id")]


# --- engine calls ------------------------------------------------------------------------

def _sortition():
    import panel.sortition as sortition

    return sortition


def parse(people_text: str, quotas_text: str):
    from panel.sortition import csvio
    from panel.sortition.errors import SortitionError

    try:
        return csvio.read_people(io.StringIO(people_text)), csvio.read_quotas(io.StringIO(quotas_text))
    except SortitionError as exc:
        raise _problem(exc) from None


def hash_files(people_text: str, quotas_text: str, size: int) -> str:
    people, quotas = parse(people_text, quotas_text)
    return _sortition().pool_hash(people, quotas, size)


def seed_of(seed_value: str) -> int:
    return _sortition().seed_from_announcement(seed_value)


def run(people_text: str, quotas_text: str, size: int, seed_value: str, *,
        forced_csv: str = "", excluded_csv: str = "") -> Outcome:
    from panel.sortition.errors import SortitionError

    sortition = _sortition()
    people, quotas = parse(people_text, quotas_text)
    seed = seed_of(seed_value)
    forced, excluded = ids_of(forced_csv), ids_of(excluded_csv)
    try:
        result = sortition.select(people, quotas, size, seed=seed, forced=forced,
                                  excluded=excluded)
    except SortitionError as exc:
        raise _problem(exc) from None
    selected = sorted(result.selected)
    probabilities = dict(result.probabilities)
    probs_csv = _write(([pid, f"{probabilities[pid]:.6f}"] for pid in sorted(probabilities)),
                       ["id", "probability"])
    return Outcome(seed=seed, algorithm=result.algorithm, version=result.version,
                   selected=selected, probabilities=probabilities, probabilities_csv=probs_csv,
                   report=build_report(people, quotas, selected, probabilities, forced, excluded))


def build_report(people, quotas, selected, probabilities, forced, excluded) -> dict:
    """Aggregates only: per category quota and achieved count; probability summary."""
    chosen = set(selected)
    features = {p.id: p.features for p in people}
    categories = []
    for q in quotas:
        achieved = sum(1 for pid in chosen if features[pid].get(q.feature) == q.value)
        categories.append({"feature": q.feature, "value": q.value, "min": q.min, "max": q.max,
                           "target": q.target, "achieved": achieved})
    drop = set(excluded)
    values = [p for pid, p in probabilities.items() if pid not in drop] or [0.0]
    return {"categories": categories, "pool_size": len(people),
            "forced": len(forced), "excluded": len(excluded),
            "probabilities": {"min": min(values), "median": statistics.median(values),
                              "max": max(values),
                              "zero": sum(1 for v in values if v <= 1e-9)}}


# --- engine errors in three languages ------------------------------------------------------

MESSAGES = {
    "panel_size_invalid": _l("The panel size must be a whole number of at least 1 (got %(k)s)."),
    "pool_empty": _l("The pool has no volunteers."),
    "quotas_empty": _l("There are no quotas."),
    "person_id_empty": _l("Row %(index)s of the people file has no id."),
    "person_id_duplicate": _l("The id %(person_id)s appears more than once in the people file."),
    "person_feature_missing": _l("Volunteer %(person_id)s has no value for %(feature)s."),
    "person_value_without_quota": _l("Volunteer %(person_id)s has %(feature)s = %(value)s, which "
                                     "has no quota row."),
    "feature_without_quotas": _l("The people file has a column %(feature)s without any quotas."),
    "quota_feature_unknown": _l("The quotas name a feature %(feature)s that the people file "
                                "does not have."),
    "quota_duplicate": _l("The quota %(feature)s = %(value)s appears twice."),
    "quota_not_integer": _l("The quota %(feature)s = %(value)s must have whole-number bounds."),
    "quota_bounds_invalid": _l("The quota %(feature)s = %(value)s has minimum %(min)s and maximum "
                               "%(max)s: the minimum must be between 0 and the maximum."),
    "feature_mins_exceed_panel": _l("The minimums of %(feature)s add up to %(sum_min)s, more "
                                    "than the panel size %(k)s."),
    "feature_maxes_below_panel": _l("The maximums of %(feature)s add up to %(sum_max)s, less "
                                    "than the panel size %(k)s."),
    "pool_too_small": _l("The pool has %(available)s available volunteers, fewer than the panel "
                         "size %(k)s."),
    "forced_unknown_id": _l("The kept member %(person_id)s is not in the pool."),
    "excluded_unknown_id": _l("The excluded volunteer %(person_id)s is not in the pool."),
    "forced_and_excluded": _l("%(person_id)s is both kept and excluded."),
    "forced_exceed_panel": _l("%(forced)s members are kept, more than the panel size %(k)s."),
    "csv_missing_column": _l("The %(file)s file has no column %(column)s."),
    "csv_empty": _l("The %(file)s file is empty."),
    "csv_bad_integer": _l("Row %(row)s of the %(file)s file: %(value)s is not a whole number."),
    "csv_bad_row": _l("Row %(row)s of the %(file)s file cannot be read."),
    "solver_failed": _l("The optimisation solver failed (%(stage)s). Please report this."),
}
HEADLINES = {
    "ValidationError": _l("The pool and quotas do not fit together."),
    "CsvFormatError": _l("A CSV file could not be read."),
    "InfeasibleQuotasError": _l("No panel of this size can meet all the quotas with this pool. "
                                "These quotas conflict:"),
    "SolverError": _l("The draw could not be computed."),
}


def describe(issue):
    """One engine issue as a lazily translated sentence."""
    from ..errors import Msg

    params = dict(issue.params)
    template = MESSAGES.get(issue.code)
    if template is None and issue.code.startswith("quota_") or issue.code.startswith("infeasible"):
        template = _infeasible_template(issue)
    if template is None:
        shown = ", ".join(f"{k}={v}" for k, v in params.items())
        return f"{issue.code} ({shown})" if shown else issue.code
    return Msg(template, params)


def _infeasible_template(issue):
    p = issue.params
    if "needed" in p or "relax_by" in p or "shortfall" in p:
        return _l("%(feature)s = %(value)s (quota %(min)s–%(max)s) would have to change by "
                  "%(relax)s.")
    return None


def _problem(exc) -> EngineProblem:
    headline = HEADLINES.get(type(exc).__name__, _l("The draw could not be computed."))
    return EngineProblem(exc.code, headline, [describe(i) for i in exc.issues])


def panel_csv(people_text: str, selected) -> str:
    """The drawn panel as rows of the people file (``id,<feature>...``), id order."""
    chosen = set(selected)
    reader = csv.reader(io.StringIO(people_text))
    header = next(reader)
    rows = sorted((row for row in reader if row and row[0] in chosen), key=lambda r: r[0])
    return _write(rows, header)
