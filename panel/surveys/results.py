"""Weighted survey results from plain data.  Pure: imports neither Flask nor SQLAlchemy.

Input: the questions (kind, options), the submitted responses (weighting cells and
answers), the population shares of the weighting features (percent, as the panel stores
them) and the number of recipients.  Output: a JSON-able dict without labels (pages add
them in the reader's language), so it can be frozen at publication as it is.

It must never return a respondent count of 1-4 for a shown cell: every count goes through
``suppress`` (the one disclosure function), and a suppressed cell hides its shares and
intervals too.  A population cell with no respondents is reported, never dropped.
"""
from __future__ import annotations

from dataclasses import dataclass

from kuulas.disclosure import MIN_CELL, suppress
from panel.weighting import WeightingError, estimate_mean, estimate_share, margins_from_percent, rake

UNDISCLOSED = "undisclosed"
TRIM = (0.2, 5.0)
SCALE_VALUES = ("1", "2", "3", "4", "5")


@dataclass(frozen=True)
class QuestionSpec:
    id: int
    kind: str
    options: tuple[str, ...] = ()


def _r(x, digits=4):
    return None if x is None else round(float(x), digits)


def weights_for(cells: list[dict], population: dict[str, dict[str, float]]) -> tuple[list[float], dict]:
    """Rake the respondents to the population shares.  Respondents who did not disclose a
    weighting feature keep weight 1 (and are counted in the report).  Returns the weights
    (row order; all 1 when weighting is not possible) and a report dict."""
    n = len(cells)
    report = {"ok": False, "error": None, "features": sorted(population), "iterations": 0,
              "converged": False, "design_effect": None, "effective_n": None, "trimmed": 0,
              "empty_cells": [], "unweighted_respondents": 0}
    weights = [1.0] * n
    if not population:
        report["error"] = {"code": "no_margins", "params": {}}
        return weights, report
    features = sorted(population)
    usable = [i for i, c in enumerate(cells)
              if all((c.get(f) or UNDISCLOSED) != UNDISCLOSED for f in features)]
    report["unweighted_respondents"] = n - len(usable)
    try:
        margins = margins_from_percent(population)
        if not usable:
            raise WeightingError("no_respondents")
        result = rake([{f: cells[i][f] for f in features} for i in usable], margins,
                      trim=TRIM, empty_cells="collapse")
    except WeightingError as exc:
        report["error"] = {"code": exc.code, "params": {k: _jsonable(v) for k, v in exc.params.items()}}
        return weights, report
    report["iterations"] = int(result.iterations)
    report["converged"] = bool(result.converged)
    report["trimmed"] = int(result.trimmed or 0)
    report["empty_cells"] = [_empty(e, population) for e in (result.empty_cells or [])]
    if not result.converged:
        report["error"] = {"code": "no_convergence", "params": {"iterations": int(result.iterations)}}
        return weights, report
    for i, w in zip(usable, result.weights):
        weights[i] = float(w)
    # Keep mean 1 over everyone (the undisclosed keep 1).
    total = sum(weights)
    weights = [w * n / total for w in weights] if total else weights
    report["ok"] = True
    report["design_effect"] = _r(result.design_effect)
    report["effective_n"] = _r(result.effective_n, 1)
    return weights, report


def _jsonable(value):
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return str(value)


def _empty(entry, population) -> dict:
    feature, value = (entry.get("feature"), entry.get("value")) if isinstance(entry, dict) else tuple(entry)[:2]
    share = (population.get(str(feature)) or {}).get(str(value))
    return {"feature": str(feature), "value": str(value), "share": None if share is None else _r(float(share) / 100)}


def _share_rows(values: list[str], indicators: dict[str, list[bool]], weights: list[float]) -> list[dict]:
    counts = [{"value": v, "count": sum(indicators[v])} for v in values]
    shown = {row.value: row for row in suppress(counts)}
    out = []
    for v in values:
        row = shown[v]
        if row.suppressed:
            out.append({"value": v, "count": None, "unweighted": None, "weighted": None,
                        "ci_low": None, "ci_high": None, "suppressed": True})
            continue
        est = estimate_share(indicators[v], weights)
        out.append({"value": v, "count": int(est.count), "unweighted": _r(est.unweighted_share),
                    "weighted": _r(est.weighted_share), "ci_low": _r(est.ci_low),
                    "ci_high": _r(est.ci_high), "suppressed": False,
                    "design_effect": _r(est.design_effect), "effective_n": _r(est.effective_n, 1)})
    return out


def _mean(values: list[float], weights: list[float]) -> dict | None:
    if len(values) < MIN_CELL:
        return None
    est = estimate_mean(values, weights)
    out = {name: _r(getattr(est, name, None), 3) for name in
           ("unweighted_mean", "weighted_mean", "ci_low", "ci_high", "effective_n")}
    out["n"] = int(est.n)
    return out


def question_result(q: QuestionSpec, answers: list[dict], weights: list[float]) -> dict:
    key = str(q.id)
    given, w = [], []
    for a, weight in zip(answers, weights):
        value = a.get(key)
        if value not in (None, "", []):
            given.append(value)
            w.append(weight)
    n = len(given)
    out = {"id": q.id, "kind": q.kind, "n": n, "rows": [], "mean": None, "texts": 0}
    if 0 < n < MIN_CELL:
        out["n"] = None            # "under 5" answered this question: nothing else is shown
        return out
    if q.kind in ("single", "multiple", "scale"):
        values = list(SCALE_VALUES if q.kind == "scale" else q.options)
        if q.kind == "multiple":
            chosen = [set(g) for g in given]
            indicators = {v: [v in g for g in chosen] for v in values}
        else:
            text = [str(g) for g in given]
            indicators = {v: [g == v for g in text] for v in values}
        if n:
            out["rows"] = _share_rows(values, indicators, w)
        if q.kind == "scale":
            out["mean"] = _mean([float(g) for g in given], w)
    elif q.kind == "number":
        out["mean"] = _mean([float(g) for g in given], w)
    else:
        out["texts"] = n
    return out


def composition(cells: list[dict], weights: list[float], population: dict[str, dict[str, float]]) -> list[dict]:
    """Who answered against the population, per weighting feature (one pass per feature)."""
    out = []
    n = len(cells) or 1
    for feature in sorted(population):
        shares = population[feature]
        counts: dict[str, int] = {v: 0 for v in shares}
        weighted: dict[str, float] = {v: 0.0 for v in shares}
        for c, w in zip(cells, weights):
            v = c.get(feature) or UNDISCLOSED
            counts[v] = counts.get(v, 0) + 1
            weighted[v] = weighted.get(v, 0.0) + w
        values = list(shares) + [v for v in counts if v not in shares]
        # Weighted shares among those who disclosed the feature (comparable with the population).
        total_w = sum(weighted[v] for v in values if v != UNDISCLOSED) or 1.0
        raw = [{"value": v, "count": counts[v]} for v in values]
        rows = []
        for item, row in zip(raw, suppress(raw)):
            v, pop = item["value"], shares.get(item["value"])
            rows.append({"value": v, "count": row.count, "suppressed": row.suppressed,
                         "share": None if row.suppressed else _r(item["count"] / n),
                         "weighted_share": None if row.suppressed or v == UNDISCLOSED
                         else _r(weighted[v] / total_w),
                         "population_share": None if pop is None else _r(float(pop) / 100.0),
                         "empty": item["count"] == 0 and bool(pop)})
        out.append({"feature": feature, "rows": rows})
    return out


def compute(questions: list[QuestionSpec], responses: list[tuple[dict, dict]],
            population: dict[str, dict[str, float]], recipients: int) -> dict:
    """``responses``: (cells, answers) of each submitted response."""
    cells = [c for c, _a in responses]
    answers = [a for _c, a in responses]
    n = len(responses)
    if n:
        weights, report = weights_for(cells, population)
    else:
        weights, report = [], {"ok": False, "error": {"code": "no_respondents", "params": {}},
                               "features": sorted(population), "empty_cells": [],
                               "unweighted_respondents": 0}
    under = 0 < n < MIN_CELL
    return {
        "respondents": None if under else n,
        "recipients": int(recipients),
        "rate": None if under or not recipients else _r(n / recipients),
        "weighting": report,
        "composition": [] if under or not n else composition(cells, weights, population),
        "questions": [question_result(q, answers, weights) if n and not under
                      else {"id": q.id, "kind": q.kind, "n": None if under else 0, "rows": [],
                            "mean": None, "texts": 0}
                      for q in questions],
    }
