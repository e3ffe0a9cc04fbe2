"""The outcome at a glance: the charts of the top section (participation against the
population, votes per idea, impact per point), built from ``present``'s suppressed figures
and drawn by :mod:`kuulas.charts`.  The same objects feed the page, the PDF (SVG) and the
DOCX (PNG), so every channel shows the same figures.

The drawn SVG is kept per outcome revision and language: the page cache stores whole
pages, this memo spares the exports and signed-in views redrawing the same charts.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app
from flask_babel import format_percent, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from kuulas import charts
from kuulas.disclosure import MIN_CELL
from kuulas.i18n import reader_locale

from . import history

VOTE_ROWS = 5
IMPACT_ORDER = (history.ADOPTED, history.PARTLY, history.NOT_ADOPTED, history.PENDING)
UNASSESSED = "unassessed"
IMPACT_STYLE = {history.ADOPTED: "adopted", history.PARTLY: "partly", history.NOT_ADOPTED: "not_adopted",
                history.PENDING: "pending", UNASSESSED: "pass"}
UNASSESSED_LABEL = _l("Not yet assessed")
_MAX = 256
_lock = threading.Lock()


@dataclass(frozen=True)
class Chart:
    """One drawn chart: ``svg`` for pages and the PDF, ``title`` and ``desc`` for the DOCX
    picture's description, and what ``png()`` needs."""
    ident: str
    title: str
    desc: str
    svg: Markup
    kind: str                 # "grouped" or "stacked"
    data: tuple
    scale: int | None = None

    def png(self) -> bytes:
        if self.kind == "stacked":
            return charts.stacked_png(list(self.data), scale=self.scale)
        return charts.grouped_png(list(self.data))

    @property
    def alt(self) -> str:
        return f"{self.title}. {self.desc}"


def _pct(value) -> str:
    return format_percent(value, format="#,##0 %") if value is not None else "–"


def _gap(pp: float | None) -> str:
    if pp is None:
        return ""
    from flask_babel import format_decimal

    return _("gap %(pp)s pp", pp=format_decimal(pp, format="+#,##0.0;-#,##0.0"))


def participation(composition: list[dict], prefix: str = "took-part") -> list[dict]:
    """One chart per feature of the suppressed composition: participants' share against the
    population's, the gap written under each group.  A hidden cell draws no bar; a feature
    whose every cell is hidden draws nothing (the table says why)."""
    out = []
    for n, f in enumerate(composition, 1):
        rows = f["rows"]
        if not rows or all(r.suppressed for r in rows):
            out.append({"feature": f, "chart": None})
            continue
        groups = [charts.Group(
            label=r.label, note=_gap(r.gap_pp),
            bars=[charts.Bar(None if r.suppressed else r.share,
                             _("fewer than %(n)s", n=MIN_CELL) if r.suppressed else _pct(r.share), "primary")]
            + ([charts.Bar(r.population_share, _pct(r.population_share), "reference")]
               if r.population_share is not None else [])) for r in rows]
        title = _("%(feature)s: participants compared with the population", feature=f["label"])
        desc = _("For each group, the upper bar is the share among participants and the lower bar the share "
                 "in the population; the gap between them is written after the group's name in percentage "
                 "points. The same figures are in the table below.")
        ident = f"{prefix}-{n}"
        legend = charts.Legend([("primary", _("Participants")), ("reference", _("Population"))])
        svg = charts.grouped_bars(ident, title, desc, groups, legend)
        out.append({"feature": f, "chart": Chart(ident, title, desc, Markup(svg), "grouped", tuple(groups))})
    return out


def votes(top_ideas: list[dict], ident: str = "votes") -> Chart | None:
    """Agree / disagree / pass per idea, stacked, for the ideas with the most support."""
    ideas = top_ideas[:VOTE_ROWS]
    if not ideas:
        return None
    stacks = []
    for n, i in enumerate(ideas, 1):
        agree, disagree, pass_ = (int(i.get(k) or 0) for k in ("agree", "disagree", "pass"))
        total = agree + disagree + pass_
        stacks.append(charts.Stack(f"{n}. {i.get('text', '')}",
                                   [(agree, "agree"), (disagree, "disagree"), (pass_, "pass")],
                                   ngettext("%(num)s vote", "%(num)s votes", total)))
    title = ngettext("Votes on the idea with the most support", "Votes on the %(num)s ideas with the most support",
                     len(ideas))
    desc = _("For each idea, one bar: agree, disagree and pass votes side by side, the number of each "
             "written in its part. The same figures are in the table below.")
    legend = charts.Legend([("agree", _("Agree")), ("disagree", _("Disagree")), ("pass", _("Pass"))])
    svg = charts.stacked_bars(ident, title, desc, stacks, legend)
    return Chart(ident, title, desc, Markup(svg), "stacked", tuple(stacks))


def impact_counts(impact_rows: list[dict]) -> list[dict]:
    counts = {k: 0 for k in (*IMPACT_ORDER, UNASSESSED)}
    for r in impact_rows:
        counts[r["current"].status if r["current"] else UNASSESSED] += 1
    return [{"status": k, "count": counts[k]} for k in (*IMPACT_ORDER, UNASSESSED)
            if counts[k] or k != UNASSESSED]


def impact(impact_rows: list[dict], status_labels: dict, ident: str = "impact-chart") -> tuple[Chart | None, list]:
    """How many points were adopted, partly adopted, not adopted, are pending (and not yet
    assessed), one bar per status with the count written after it."""
    total = len(impact_rows)
    rows = impact_counts(impact_rows)
    if not total or not any(r["count"] for r in rows if r["status"] != UNASSESSED):
        return None, rows
    for r in rows:
        r["label"] = str(status_labels.get(r["status"], UNASSESSED_LABEL))
    groups = [charts.Group(r["label"], [charts.Bar(r["count"] / total,
                                                   ngettext("%(num)s point", "%(num)s points", r["count"]),
                                                   IMPACT_STYLE[r["status"]])]) for r in rows]
    title = ngettext("Impact of participation on %(num)s point", "Impact of participation on %(num)s points", total)
    desc = _("How many points were adopted, partly adopted, not adopted or are still pending. "
             "The same figures are in the table below.")
    svg = charts.grouped_bars(ident, title, desc, groups)
    return Chart(ident, title, desc, Markup(svg), "grouped", tuple(groups)), rows


def build(o, ctx: dict) -> dict:
    """The top section's charts for ``present.view``'s context, memoised per revision."""
    key = (o.id, o.revision, o.state, reader_locale())
    store = current_app.extensions.setdefault("outcomes_chart_memo", OrderedDict())
    with _lock:
        hit = store.get(key)
    if hit is not None:
        return hit
    impact_chart, impact_rows = impact(ctx["impacts"], ctx["status_labels"])
    value = {"participation": participation(ctx["composition"]),
             "votes": votes(ctx["top_ideas"]) if o.source_kind == "ideas" else None,
             "impact": impact_chart, "impact_rows": impact_rows}
    if o.id is not None:
        with _lock:
            store[key] = value
            while len(store) > _MAX:
                store.popitem(last=False)
    return value


def all_charts(g: dict) -> list[Chart]:
    out = [p["chart"] for p in g["participation"] if p["chart"]]
    return out + [c for c in (g["votes"], g["impact"]) if c]
