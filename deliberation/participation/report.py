"""The annual participation report for the council: DOCX, tagged PDF (PDF/UA-1) and XLSX.

Built from the same dashboard data the staff page shows, so the report and the page cannot
disagree.  Texts are translated in the caller's language."""
from __future__ import annotations

import io

from flask import current_app, render_template
from flask_babel import gettext as _
from markupsafe import Markup

from . import charts, labels
from . import indicators as ind

CHARTED = ("participants_total", "unique_participants", "experience_score", "share_with_outcome", "share_adopted")
MIMETYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _met_text(met):
    return {True: _("met"), False: _("missed"), None: "–"}[met]


def build(data: dict, kind: str, *, fmt) -> tuple[bytes, str]:
    return {"docx": _docx, "pdf": _pdf, "xlsx": _xlsx}[kind](data, fmt), MIMETYPES[kind]


def _title(data) -> str:
    return _("Participation report %(year)s", year=data["year"])


def _pdf(data, fmt) -> bytes:
    from weasyprint import HTML

    svgs = {r["key"]: Markup(charts.bars_svg(str(labels.INDICATORS[r["key"]]), r["history"], r["target"],
                                             fmt=lambda v, u=r["unit"]: fmt(v, u)))
            for r in data["rows"] if r["key"] in CHARTED}
    html = render_template("participation/report.html", title=_title(data), labels=labels, fmt=fmt, svgs=svgs,
                           met_text=_met_text, levels=ind.LEVELS, org=current_app.config["ORGANISATION_NAME"],
                           **data)
    return HTML(string=html, base_url=current_app.config.get("SITE_URL")).write_pdf(pdf_variant="pdf/ua-1")


def _docx(data, fmt) -> bytes:
    from docx import Document
    from docx.shared import Cm

    doc = Document()
    doc.core_properties.title = _title(data)
    doc.core_properties.language = "fi"
    doc.add_heading(_title(data), level=0)
    doc.add_paragraph(current_app.config["ORGANISATION_NAME"])
    met = [r for r in data["rows"] if r["met"] is True]
    missed = [r for r in data["rows"] if r["met"] is False]
    doc.add_heading(_("Targets"), level=1)
    doc.add_paragraph(_("Targets met: %(met)s. Targets missed: %(missed)s.", met=len(met), missed=len(missed)))
    for level in ind.LEVELS:
        rows = [r for r in data["rows"] if r["level"] == level]
        doc.add_heading(str(labels.LEVELS[level]), level=1)
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        head = table.rows[0].cells
        for cell, text in zip(head, (_("Indicator"), str(data["year"]), _("Target"), _("Target met"))):
            cell.text = text
        for r in rows:
            cells = table.add_row().cells
            cells[0].text = str(labels.INDICATORS[r["key"]])
            cells[1].text = fmt(r["value"], r["unit"])
            cells[2].text = fmt(r["target"], r["unit"]) if r["target"] is not None else "–"
            cells[3].text = _met_text(r["met"])
        for r in rows:
            if r["key"] in CHARTED:
                doc.add_paragraph(str(labels.INDICATORS[r["key"]]) + ": " + ", ".join(
                    f"{y} {fmt(v, r['unit'])}" for y, v in r["history"]))
                picture = doc.add_picture(io.BytesIO(charts.bars_png(r["history"], r["target"])), width=Cm(9))
                _alt_text(doc, str(labels.INDICATORS[r["key"]]) + ": " + ", ".join(
                    f"{y} {fmt(v, r['unit'])}" for y, v in r["history"]))
    doc.add_heading(_("What was done and who took part"), level=1)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, (_("Process"), _("Participants"),
                                                 _("Distance from the population"), _("Outcome published"))):
        cell.text = text
    for p in data["processes"]:
        cells = table.add_row().cells
        cells[0].text = f"{labels.KINDS.get(p.kind, p.kind)}: {p.title}"
        cells[1].text = fmt(p.participants, "count")
        cells[2].text = fmt(p.tvd, "share")
        cells[3].text = _("yes") if p.published else _("no")
    doc.add_heading(_("What participants said of their experience"), level=1)
    for e in data["experience"]:
        text = (f"{labels.QUESTIONS[e['question']]} " + (_("mean %(mean)s (%(n)s answers)", mean=fmt(e["mean"], "score"),
                                                          n=e["n"]) if e["n"] else _("fewer than 5 answers")))
        doc.add_paragraph(text, style="List Bullet")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _alt_text(doc, text: str) -> None:
    """Give the last inline picture a description (docPr descr), read by screen readers."""
    from docx.oxml.ns import qn

    pics = doc.element.body.findall(".//" + qn("wp:docPr"))
    if pics:
        pics[-1].set("descr", text)


def _xlsx(data, fmt) -> bytes:
    from openpyxl import Workbook

    from kuulas.spreadsheet import neutralise

    book = Workbook()
    sheet = book.active
    sheet.title = _("Indicators")[:31]
    years = [y for y, _v in data["rows"][0]["history"]] if data["rows"] else []
    sheet.append([_("Level"), _("Indicator"), *[str(y) for y in years], _("Target"), _("Target met")])
    for r in data["rows"]:
        sheet.append([str(labels.LEVELS[r["level"]]), str(labels.INDICATORS[r["key"]]),
                      *[v for _y, v in r["history"]], r["target"], _met_text(r["met"])])
    processes = book.create_sheet(_("Processes")[:31])
    processes.append([_("Kind"), _("Process"), _("Participants"), _("Distance from the population"),
                      _("Outcome published"), _("Staff hours"), _("Costs (euros)")])
    for p in data["processes"]:
        processes.append([str(labels.KINDS.get(p.kind, p.kind)), neutralise(p.title), p.participants, p.tvd,
                          _("yes") if p.published else _("no"), p.staff_hours, p.costs_eur])
    exp = book.create_sheet(_("Experience")[:31])
    exp.append([_("Question"), _("Answers"), _("Mean (1-5)"), "1", "2", "3", "4", "5"])
    for e in data["experience"]:
        dist = e["distribution"] or {}
        exp.append([str(labels.QUESTIONS[e["question"]]), e["n"], e["mean"], *[dist.get(v) for v in range(1, 6)]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
