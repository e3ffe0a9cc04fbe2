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
    def __init__(self, code: str, reason, details=(), *, kind: str = ""):
        super().__init__(code)
        self.code, self.reason, self.details = code, reason, list(details)
        self.kind = kind          # the engine's error class, e.g. "InfeasibleQuotasError"

    @property
    def infeasible(self) -> bool:
        return self.kind == "InfeasibleQuotasError"


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

def parse(people_text: str, quotas_text: str):
    """Read both published files; every value of the people file must have a quota row."""
    from panel.sortition import csvio
    from panel.sortition.errors import SortitionError

    _check_text(people_text, "people")
    _check_text(quotas_text, "quotas")
    try:
        quotas = csvio.read_quotas(quotas_text or "")
        people = csvio.read_people(people_text or "", quotas)
    except SortitionError as exc:
        raise _problem(exc) from None
    for q in quotas:
        if max(abs(int(q.min)), abs(int(q.max))) > INT_LIMIT:
            raise EngineProblem("quota_bound_too_large", HEADLINES["CsvFormatError"], [_SafeMsg(
                MESSAGES["quota_bound_too_large"], {"feature": q.feature, "value": q.value,
                                                    "limit": INT_LIMIT})])
    return people, quotas


INT_LIMIT = 2**31 - 1


def _check_text(text: str, file: str) -> None:
    """A NUL or other control character in a published file is named by its line, before
    the CSV reader sees it."""
    from kuulas.text import has_forbidden_control

    for number, line in enumerate((text or "").split("\n"), start=1):
        if has_forbidden_control(line):
            raise EngineProblem("csv_control_character", HEADLINES["CsvFormatError"], [_SafeMsg(
                MESSAGES["csv_control_character"], {"row": number, "file": FILES.get(file, file)})])


def hash_files(people_text: str, quotas_text: str, size: int, *, key: str,
               forced_csv: str = "", excluded_csv: str = "") -> str:
    """The SHA-256 published before the draw, from the full (auditor's) people file and
    the draw key: it covers the public commitments, not the answers themselves (see
    :mod:`panel.selection.commitments`).  The files are read by the engine first, so a
    malformed file fails here with the engine's precise message."""
    parse(people_text, quotas_text)
    return commitment_hash(public_pool_csv(people_text, key), quotas_text, size,
                           forced_csv=forced_csv, excluded_csv=excluded_csv)


def public_pool_csv(people_text: str, key: str) -> str:
    """``id,commitment``: the public per-person file (no feature values)."""
    from .commitments import CommitmentError, commitments_csv, commitments_of

    try:
        return commitments_csv(commitments_of(people_text, key))
    except CommitmentError as exc:
        raise _commitment_problem(exc) from None


def commitment_hash(commitments_text: str, quotas_text: str, size: int, *,
                    forced_csv: str = "", excluded_csv: str = "") -> str:
    """The published hash from the public files alone (anyone can compute it)."""
    from .commitments import CommitmentError, public_hash, read_commitments

    try:
        return public_hash(read_commitments(commitments_text), quotas_text, size,
                           forced_csv, excluded_csv)
    except CommitmentError as exc:
        raise _commitment_problem(exc) from None


def _commitment_problem(exc) -> EngineProblem:
    messages = {"key_invalid": _l("The draw key must be the 64 hexadecimal digits given to "
                                  "the auditor."),
                "csv_empty": _l("A CSV file is empty."),
                "csv_missing_column": _l("A CSV file has no column “%(column)s”."),
                "csv_row_length": _l("Row %(row)s of the people file has the wrong number of "
                                     "values.")}
    return EngineProblem(exc.code, HEADLINES["CsvFormatError"],
                         [_SafeMsg(messages.get(exc.code, FALLBACK), {"code": exc.code,
                                                                       "params": "", **exc.params})])


def seed_of(seed_value: str) -> int:
    from panel.sortition import seed_from_announcement

    return seed_from_announcement(seed_value)


def check(people_text: str, quotas_text: str, size: int, *, forced_csv: str = "",
          excluded_csv: str = "") -> None:
    """Everything that can fail before the seed is known: the files, the pool against the
    quotas, and whether any panel meets the quotas (a quick MILP, not the LEXIMIN)."""
    from panel.sortition import validate
    from panel.sortition.diagnose import require_feasible
    from panel.sortition.errors import SortitionError
    from panel.sortition.grouping import group

    people, quotas = parse(people_text, quotas_text)
    forced, excluded = ids_of(forced_csv), ids_of(excluded_csv)
    try:
        validate(people, quotas, size, forced, excluded)
        require_feasible(group(people, quotas, size, forced, excluded))
    except SortitionError as exc:
        raise _problem(exc) from None


def relax(people_text: str, quotas_text: str, size: int, *, forced_csv: str = "",
          excluded_csv: str = "") -> tuple[str, list[dict]]:
    """Quotas a panel can meet, changed as little as possible, and what changed.

    Uses the engine's own relaxation (``panel.sortition.diagnose.slack_conflicts``: every
    quota's minimum and maximum get integer slack and the total slack is minimised), so the
    quotas that move are the fewest and by the least the engine can find.  Returns the new
    quotas file and the changes as ``{"code", "params"}`` (``quota_min_too_high`` /
    ``quota_max_too_low`` with ``by``), ready for :func:`describe`."""
    from panel.sortition.diagnose import find_panel, slack_conflicts
    from panel.sortition.errors import SortitionError
    from panel.sortition.grouping import group
    from panel.sortition.model import Quota

    people, quotas = parse(people_text, quotas_text)
    forced, excluded = ids_of(forced_csv), ids_of(excluded_csv)
    bounds = {(q.feature, q.value): [q.min, q.max] for q in quotas}
    changes: list[dict] = []
    try:
        for _round in range(3):
            current = [Quota(f, v, lo, hi) for (f, v), (lo, hi) in sorted(bounds.items())]
            pool = group(people, current, size, forced, excluded)
            if find_panel(pool) is not None:
                break
            for issue in slack_conflicts(pool):
                key = (issue.params["feature"], issue.params["value"])
                by = int(issue.params["by"])
                if issue.code == "quota_min_too_high":
                    bounds[key][0] = max(0, bounds[key][0] - by)
                else:
                    bounds[key][1] = min(size, bounds[key][1] + by)
                changes.append({"code": issue.code, "params": dict(issue.params)})
        else:
            raise EngineProblem("relaxation_failed", HEADLINES["InfeasibleQuotasError"])
    except SortitionError as exc:
        raise _problem(exc) from None
    return quotas_csv([(f, v, lo, hi) for (f, v), (lo, hi) in sorted(bounds.items())]), changes


def algorithm_and_version() -> tuple[str, str]:
    """``("leximin-types", "1.1 (HiGHS 1.x.y)")`` from the engine's ALGORITHM string."""
    from panel.sortition import ALGORITHM

    name, _sep, version = ALGORITHM.partition("/")
    return name, version


def run(people_text: str, quotas_text: str, size: int, seed_value: str, *,
        forced_csv: str = "", excluded_csv: str = "") -> Outcome:
    from panel.sortition import csvio, select
    from panel.sortition.errors import SortitionError

    people, quotas = parse(people_text, quotas_text)
    seed = seed_of(seed_value)
    forced, excluded = ids_of(forced_csv), ids_of(excluded_csv)
    try:
        result = select(people, quotas, size, seed, forced=forced, excluded=excluded)
    except SortitionError as exc:
        raise _problem(exc) from None
    algorithm, version = algorithm_and_version()
    probabilities = dict(result.probabilities)
    return Outcome(seed=seed, algorithm=algorithm, version=version,
                   selected=list(result.panel), probabilities=probabilities,
                   probabilities_csv=csvio.write_probabilities(probabilities),
                   report=build_report(result, len(people), forced, excluded))


def build_report(result, pool_size: int, forced, excluded) -> dict:
    """Aggregates only (JSON-ready): per category the quota, expected and achieved count;
    the probability summary over the volunteers who could be drawn (neither kept nor
    excluded) and why anyone had no chance.  No ids."""
    categories = [{"feature": c.feature, "value": c.value, "min": c.min, "max": c.max,
                   "target": c.target, "pool": c.pool_count,
                   "expected": round(c.expected, 4), "achieved": c.achieved}
                  for c in result.categories]
    skip = set(forced) | set(excluded)
    values = sorted(p for pid, p in result.probabilities.items() if pid not in skip)
    zero_reasons: dict[str, int] = {}
    blocking: dict[tuple, dict] = {}
    for z in result.zero_probability:
        if z.person_id in set(excluded):
            continue  # excluded ids are listed in their own file, not as "no chance"
        zero_reasons[z.code] = zero_reasons.get(z.code, 0) + 1
        for issue in z.blocking:
            key = (issue.code, issue.params.get("feature"), issue.params.get("value"))
            entry = blocking.setdefault(key, {"code": issue.code, "params": dict(issue.params),
                                              "people": 0})
            entry["people"] += 1
    summary = {"count": len(values), "min": values[0] if values else 0.0,
               "median": statistics.median(values) if values else 0.0,
               "max": values[-1] if values else 0.0,
               "zero": sum(1 for v in values if v <= 1e-9), "zero_reasons": zero_reasons,
               "blocking": [blocking[k] for k in sorted(blocking, key=lambda k: tuple(map(str, k)))]}
    return {"categories": categories, "pool_size": pool_size, "forced": len(set(forced)),
            "excluded": len(set(excluded)), "seed": str(result.seed),
            "support_size": result.support_size, "probabilities": summary}


# --- engine errors in three languages ------------------------------------------------------

FILES = {"people": _l("people"), "quotas": _l("quotas")}

MESSAGES = {
    # model.validate
    "panel_size_invalid": _l("The panel size must be a whole number of at least 1 (got %(k)s)."),
    "pool_empty": _l("The pool has no volunteers."),
    "quotas_empty": _l("There are no quotas."),
    "person_id_empty": _l("Volunteer number %(number)s in the people file has no id."),
    "person_id_duplicate": _l("The id %(person_id)s appears more than once in the people file."),
    "person_feature_missing": _l("Volunteer %(person_id)s has no value for “%(feature)s”."),
    "person_value_without_quota": _l("Volunteer %(person_id)s has “%(feature)s” = “%(value)s”, "
                                     "which has no quota row."),
    "feature_without_quotas": _l("The people file has a column “%(feature)s” without any quotas."),
    "quota_feature_unknown": _l("The quotas name a feature “%(feature)s” that the people file "
                                "does not have."),
    "quota_duplicate": _l("The quota “%(feature)s” = “%(value)s” appears twice."),
    "quota_not_integer": _l("The quota “%(feature)s” = “%(value)s” must have whole-number bounds."),
    "quota_bounds_invalid": _l("The quota “%(feature)s” = “%(value)s” has minimum %(min)s and "
                               "maximum %(max)s: the minimum must be between 0 and the maximum."),
    "feature_mins_exceed_panel": _l("The minimums of “%(feature)s” add up to %(sum_min)s, more "
                                    "than the panel size %(k)s."),
    "feature_maxes_below_panel": _l("The maximums of “%(feature)s” add up to %(sum_max)s, less "
                                    "than the panel size %(k)s."),
    "pool_too_small": _l("The pool has %(available)s available volunteers, fewer than the panel "
                         "size %(k)s."),
    "forced_unknown_id": _l("The kept member %(person_id)s is not in the pool."),
    "excluded_unknown_id": _l("The excluded volunteer %(person_id)s is not in the pool."),
    "forced_and_excluded": _l("%(person_id)s is both kept and excluded."),
    "forced_exceed_panel": _l("%(forced)s members are kept, more than the panel size %(k)s."),
    # csvio
    "csv_empty": _l("The %(file)s file is empty."),
    "csv_missing_column": _l("The %(file)s file has no column “%(column)s”."),
    "csv_duplicate_column": _l("The %(file)s file has the column “%(column)s” twice."),
    "csv_row_length": _l("Row %(row)s of the %(file)s file has %(found)s values; the header has "
                         "%(expected)s."),
    "csv_empty_value": _l("Row %(row)s of the %(file)s file has no value in column "
                          "“%(column)s”."),
    "csv_bad_integer": _l("Row %(row)s of the %(file)s file: “%(value)s” in column “%(column)s” "
                          "is not a whole number."),
    "csv_control_character": _l("Row %(row)s of the %(file)s file contains a control character "
                                "(for example a NUL byte)."),
    "quota_bound_too_large": _l("The quota “%(feature)s” = “%(value)s” has a bound larger than "
                                "%(limit)s."),
    "csv_unknown_category": _l("Row %(row)s of the %(file)s file: “%(value)s” in column "
                               "“%(column)s” has no quota row."),
    # diagnose: why no panel meets the quotas
    "forced_exceed_quota_max": _l("“%(feature)s” = “%(value)s”: %(forced)s kept members already "
                                  "exceed the maximum %(max)s."),
    "category_short_of_volunteers": _l("“%(feature)s” = “%(value)s”: the minimum is %(min)s but "
                                       "only %(available)s volunteers are available, "
                                       "%(shortfall)s too few."),
    "feature_mins_exceed_seats": _l("The minimums of “%(feature)s” add up to %(sum_min)s, more "
                                    "than the %(seats)s seats left to fill."),
    "quota_min_too_high": _l("“%(feature)s” = “%(value)s” (quota %(min)s–%(max)s): lower the "
                             "minimum by %(by)s."),
    "quota_max_too_low": _l("“%(feature)s” = “%(value)s” (quota %(min)s–%(max)s): raise the "
                            "maximum by %(by)s."),
    # solver
    "solver_failed": _l("The optimisation solver stopped unexpectedly (stage %(stage)s, status "
                        "%(status)s). This is not a problem with the data; please report it."),
    "solver_invalid_panel": _l("The optimisation solver returned a panel that breaks the quotas. "
                               "This is not a problem with the data; please report it."),
}
HEADLINES = {
    "ValidationError": _l("The pool and quotas do not fit together."),
    "CsvFormatError": _l("A CSV file could not be read."),
    "InfeasibleQuotasError": _l("No panel of this size can meet all the quotas with this pool. "
                                "These quotas conflict:"),
    "SolverError": _l("The draw could not be computed."),
}
FALLBACK = _l("The sortition engine reported a problem: %(code)s %(params)s")


def describe(issue):
    """One engine issue as a lazily translated sentence."""
    from ..errors import Msg

    params = dict(issue.params)
    if issue.code == "person_id_empty":
        params["number"] = int(params.get("index", 0)) + 1
    if "file" in params:
        params["file"] = FILES.get(params["file"], params["file"])
    template = MESSAGES.get(issue.code)
    if template is None:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
        return Msg(FALLBACK, {"code": issue.code, "params": shown})
    return _SafeMsg(template, params)


class _SafeMsg:
    """A Msg whose missing parameters show as '?' rather than dropping the whole text."""

    def __init__(self, text, params):
        from collections import defaultdict

        self.text = text
        self.params = defaultdict(lambda: "?", params)

    def __str__(self) -> str:
        return str(self.text) % self.params

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(str(self)))


def _problem(exc) -> EngineProblem:
    headline = HEADLINES.get(type(exc).__name__, _l("The draw could not be computed."))
    return EngineProblem(exc.code, headline, [describe(i) for i in exc.issues],
                         kind=type(exc).__name__)


def panel_csv(people_text: str, selected) -> str:
    """The drawn panel as the public file: the selected ids only (``id``), id order.  The
    features of the selected are never published per person."""
    chosen = set(selected)
    known = set(ids_of(people_text)) if people_text else chosen
    return ids_csv(sorted(pid for pid in chosen if pid in known))
