"""Weighted result tables as CSV (semicolon, UTF-8 with BOM), XLSX and tagged PDF/UA-1.
Built from the same labelled results as the page: suppressed cells say "under 5", no
identities, no single responses, free texts only as counts.  Text cells are neutralised
against spreadsheet formulas."""
from __future__ import annotations

import csv
import io

from flask import Response, current_app, render_template
from flask_babel import gettext as _

from kuulas.spreadsheet import neutralise

from . import charts, present

FORMATS = ("csv", "xlsx", "pdf")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows(survey, data: dict) -> list[list]:
    under = _("under 5")
    out = [[_("Question"), _("Answer option"), _("Respondents"), _("Weighted share (percent)"),
            _("95-percent interval, low end"), _("95-percent interval, high end"), _("Unweighted share (percent)")]]

    def p(x):
        return "" if x is None else round(x * 100, 1)

    for q in data["questions"]:
        title = f"{q['number']}. {q['text']}"
        if q.get("n") is None:
            out.append([title, "", under, "", "", "", ""])
            continue
        for r in q["rows"]:
            if r["suppressed"]:
                out.append([title, r["label"], under, "", "", "", ""])
            else:
                out.append([title, r["label"], r["count"], p(r["weighted"]), p(r["ci_low"]), p(r["ci_high"]),
                            p(r["unweighted"])])
        if q.get("mean"):
            m = q["mean"]
            out.append([title, _("Mean"), m.get("n") or q["n"], m.get("weighted_mean"), m.get("ci_low"),
                        m.get("ci_high"), m.get("unweighted_mean")])
        if q["kind"] == "text":
            out.append([title, _("Free-text answers"), q.get("texts") or 0, "", "", "", ""])
    return [[neutralise(c) if isinstance(c, str) else c for c in row] for row in out]


def csv_bytes(survey, data, locale: str = "fi") -> bytes:
    from kuulas import formats

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";")
    for row in rows(survey, data):
        writer.writerow([formats.csv_cell(c, locale=locale) for c in row])   # 12,5 in fi/sv
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def xlsx_bytes(survey, data) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = _("Results")[:31]
    for row in rows(survey, data):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def pdf_bytes(survey, data, locale) -> bytes:
    from weasyprint import HTML

    html = render_template("panel/surveys/document.html", survey=survey, data=data, charts=charts,
                           locale=locale, organisation=current_app.config.get("ORGANISATION_NAME", ""))
    return HTML(string=html, base_url=current_app.root_path).write_pdf(pdf_variant="pdf/ua-1")


def response(survey, res: dict, fmt: str, locale: str) -> Response:
    from ..recruitment.models import Panel
    from kuulas.extensions import db

    panel = db.session.get(Panel, survey.panel_id)
    data = present.labelled(survey, res, panel, locale)
    name = f"survey-{survey.id}-results.{fmt}"
    if fmt == "csv":
        body, mime = csv_bytes(survey, data, locale), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body, mime = xlsx_bytes(survey, data), XLSX_TYPE
    else:
        body, mime = pdf_bytes(survey, data, locale), "application/pdf"
    return Response(body, mimetype=mime, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
