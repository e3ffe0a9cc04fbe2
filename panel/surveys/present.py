"""Results with labels in the reader's language, for pages, exports and the outcome."""
from __future__ import annotations

from kuulas.i18n import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from . import messages


def _pct(x) -> str:
    return "" if x is None else f"{x * 100:.0f} %"


def option_label(question, value: str, locale) -> str:
    if question is None:
        return value
    if question.kind == "scale":
        return f"{value} {messages.SCALE_LABELS.get(value, '')}".strip()
    return question.option_label(value, locale)


def feature_labels(panel, locale) -> dict:
    out = {}
    for f in panel.features:
        out[f.key] = (f.label(locale), {c.value: c.label(locale) for c in f.categories})
    return out


def labelled(survey, res: dict, panel, locale) -> dict:
    """``res`` (``results.compute``) with question texts, option and feature labels."""
    by_id = {q.id: q for q in survey.questions}
    flabels = feature_labels(panel, locale)
    questions = []
    for n, q in enumerate(res.get("questions") or [], 1):
        question = by_id.get(q["id"])
        rows = [dict(r, label=option_label(question, r["value"], locale)) for r in q.get("rows") or []]
        questions.append(dict(q, number=n, text=question.text(locale) if question else "",
                              lang=question.text_lang(locale) if question else locale,
                              kind_label=str(messages.KIND_LABELS.get(q["kind"], q["kind"])),
                              rows=rows, question=question))
    composition = []
    for f in res.get("composition") or []:
        label, cats = flabels.get(f["feature"], (f["feature"], {}))
        composition.append({"feature": f["feature"], "label": label,
                            "rows": [dict(r, label=str(_l("Prefer not to say")) if r["value"] == "undisclosed"
                                          else cats.get(r["value"], r["value"])) for r in f["rows"]]})
    weighting = dict(res.get("weighting") or {})
    err = weighting.get("error")
    weighting["message"] = messages.weighting_error(err["code"], err.get("params") or {}) if err else ""
    weighting["empty"] = [dict(e, feature_label=flabels.get(e["feature"], (e["feature"], {}))[0],
                               value_label=flabels.get(e["feature"], ("", {}))[1].get(e["value"], e["value"]))
                          for e in weighting.get("empty_cells") or []]
    weighting["feature_labels"] = [flabels.get(k, (k, {}))[0] for k in weighting.get("features") or []]
    return dict(res, questions=questions, composition=composition, weighting=weighting)


def summary_markdown(survey, res: dict, panel, locale) -> str:
    """The outcome's starting summary: the weighted shares as Markdown lists."""
    data = labelled(survey, res, panel, locale)
    lines = []
    if data.get("respondents"):
        lines.append(_("%(n)s of %(total)s panel members answered (%(rate)s).", n=data["respondents"],
                       total=data["recipients"], rate=_pct(data.get("rate"))))
    if data["weighting"].get("ok"):
        lines.append(_("The shares are weighted to the population by %(features)s; the 95 %% intervals account for the weighting.",
                       features=", ".join(data["weighting"]["feature_labels"])))
    lines.append("")
    for q in data["questions"]:
        lines.append(f"## {q['number']}. {q['text']}")
        if q.get("n") is None:
            lines.append("- " + _("under 5 answers"))
        for r in q["rows"]:
            if r["suppressed"]:
                lines.append(f"- {r['label']}: " + _("under 5"))
            else:
                lines.append(f"- {r['label']}: {_pct(r['weighted'])} "
                             + _("(95 %% interval %(low)s–%(high)s; unweighted %(raw)s)",
                                 low=_pct(r['ci_low']), high=_pct(r['ci_high']), raw=_pct(r['unweighted'])))
        if q.get("mean"):
            m = q["mean"]
            lines.append("- " + _("Mean %(mean)s (unweighted %(raw)s)",
                                  mean=format_decimal(m.get("weighted_mean"), format="#,##0.0"),
                                  raw=format_decimal(m.get("unweighted_mean"), format="#,##0.0")))
        lines.append("")
    return "\n".join(lines).strip()
