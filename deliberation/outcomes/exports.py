"""Documents for the board: the statement and the outcome as DOCX (python-docx) and as
tagged PDF/UA-1 (WeasyPrint), idea-round results as CSV/XLSX with formula cells
neutralised.  Built from ``present.view``, so they say what the public page says.
"""
from __future__ import annotations

import csv
import io

from flask import current_app, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import ngettext
from markdown_it import MarkdownIt

from kuulas import formats
from kuulas.clock import utcnow
from kuulas.spreadsheet import neutralise_csv, neutralise_xlsx

from . import present

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_md = MarkdownIt("commonmark", {"html": False})


def markdown_blocks(text: str) -> list[tuple[str, str]]:
    """Markdown subset -> [(kind, plain text)] with kind in heading/paragraph/bullet/quote."""
    blocks: list[tuple[str, str]] = []
    stack: list[str] = []
    for tok in _md.parse(text or ""):
        if tok.type in ("bullet_list_open", "ordered_list_open", "blockquote_open"):
            stack.append("quote" if tok.type == "blockquote_open" else "bullet")
        elif tok.type in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
            stack.pop()
        elif tok.type == "heading_open":
            stack.append("heading")
        elif tok.type == "heading_close":
            stack.pop()
        elif tok.type == "inline":
            plain = "".join(c.content if c.type in ("text", "code_inline") else ("\n" if c.type in ("softbreak", "hardbreak") else "")
                            for c in tok.children or [])
            blocks.append((stack[-1] if stack else "paragraph", plain))
    return blocks


def _context(o, which: str) -> dict:
    ctx = present.view(o)
    tz = current_app.config.get("BABEL_DEFAULT_TIMEZONE", formats.DEFAULT_TZ)
    ctx.update(which=which, organisation=current_app.config["ORGANISATION_NAME"],
               site_name=current_app.config["SITE_NAME"], today=formats.local(utcnow(), tz).date(),
               locale=formats.normalise(get_locale()), blocks=markdown_blocks(ctx["txt"].summary), tz=tz)
    return ctx


def pdf(o, which: str = "outcome") -> bytes:
    from weasyprint import HTML

    html = render_template("outcomes/document.html", **_context(o, which))
    # The site's address, not a directory: a relative Markdown link (/tulokset/3) becomes
    # https://<site>/tulokset/3 in the PDF, never a file:/// link into the server.
    return HTML(string=html, base_url=current_app.config["SITE_URL"] + "/").write_pdf(
        pdf_variant="pdf/ua-1")


DOCX_LANGS = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}


def _set_lang(rpr, code: str) -> None:
    from docx.oxml.ns import qn

    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:val"), DOCX_LANGS.get(code, "fi-FI"))


def _in_language(paragraph, code: str | None):
    for run in paragraph.runs:
        _set_lang(run._r.get_or_add_rPr(), code or "fi")
    return paragraph


def docx(o, which: str = "outcome") -> bytes:
    from docx import Document

    ctx = _context(o, which)
    doc = Document()
    styles = doc.styles
    styles["Normal"].font.name = "DejaVu Sans"
    own_texts = ctx["txt"]
    doc.core_properties.title = own_texts.title
    doc.core_properties.author = ctx["organisation"]
    doc.core_properties.language = ctx["locale"]
    # The document language for screen readers and spell checkers; the outcome's own texts
    # carry the language they were written in.
    _set_lang(styles["Normal"].element.get_or_add_rPr(), ctx["locale"])

    loc, tz = ctx["locale"], ctx["tz"]

    def format_date(value, fmt):
        return formats.format_date(value, fmt, locale=loc, tz=tz)

    def percent(share):
        return formats.format_percent(share, digits=0, locale=loc)

    def note(localized) -> None:
        if localized.fallback:
            doc.add_paragraph(_fallback_note(localized.lang))

    def own(field: str):
        return _in_language(doc.add_paragraph(getattr(own_texts, field)), getattr(own_texts, f"{field}_lang"))

    doc.add_paragraph(f"{ctx['organisation']} · {format_date(ctx['today'], 'long')}")
    doc.add_heading((_("Statement") if which == "statement" else _("Outcome")) + ": " + own_texts.title, level=0)
    if which == "statement":
        if own_texts.question:
            doc.add_heading(_("What was asked"), level=1)
            own("question")
        _docx_statement(doc, ctx)
        _docx_summary(doc, ctx, ctx["txt"].summary)
    else:
        _docx_outcome(doc, ctx, own, format_date=format_date, note=note)
    doc.add_paragraph(_("Licence: %(name)s, %(url)s", name=present.LICENSE["name"], url=present.LICENSE["url"]))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _fallback_note(lang: str) -> str:
    if lang == "fi":
        return _("This text is only in Finnish.")
    if lang == "sv":
        return _("This text is only in Swedish.")
    return _("This text is only in English.")


def _approval_lines(statement) -> list[str]:
    """The digiraati's approval record (rule, members, per-section approvals, override)."""
    try:
        from deliberation.raati.api import approval_lines
    except ImportError:
        return []
    return approval_lines(statement)


def _docx_statement(doc, ctx) -> None:
    if ctx["statement"]:
        doc.add_heading(_("The statement"), level=1)
        for s in ctx["statement"].get("sections") or []:
            if s.get("title"):
                doc.add_heading(s["title"], level=2)
            for para in (s.get("text") or "").split("\n\n"):
                doc.add_paragraph(para)
        approval = _approval_lines(ctx["statement"])
        if approval:
            doc.add_heading(_("Approval record"), level=2)
            for line in approval:
                doc.add_paragraph(line, style="List Bullet")


def _docx_summary(doc, ctx, text: str, heading: str | None = None) -> None:
    if heading:
        doc.add_heading(heading, level=1)
    for kind, block in markdown_blocks(text):
        if kind == "heading":
            paragraph = doc.add_heading(block, level=2)
        elif kind == "bullet":
            paragraph = doc.add_paragraph(block, style="List Bullet")
        elif kind == "quote":
            paragraph = doc.add_paragraph(block, style="Quote")
        else:
            paragraph = doc.add_paragraph(block)
        _in_language(paragraph, ctx["txt"].summary_lang)


def _picture(doc, chart) -> None:
    """The chart as a picture with its title and description as the alt text; the numbers
    follow in a table."""
    from docx.oxml.ns import qn
    from docx.shared import Cm

    doc.add_paragraph(chart.title, style="Heading 3")
    doc.add_picture(io.BytesIO(chart.png()), width=Cm(11))
    pics = doc.element.body.findall(".//" + qn("wp:docPr"))
    if pics:
        pics[-1].set("descr", chart.alt)
        pics[-1].set("title", chart.title)


def _table(doc, head: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text


def _docx_outcome(doc, ctx, own, *, format_date, note) -> None:
    """The same order as the public page: the top section with its charts, then each
    detail once (decisions and impacts in the reader's language where translated)."""
    loc = ctx["locale"]

    def format_percent(share):
        return formats.format_percent(share, locale=loc)

    def format_decimal(value, format=None):  # noqa: A002
        return formats.format_number(value, format, locale=loc)

    o, txt, glance = ctx["o"], ctx["txt"], ctx["glance"]
    doc.add_heading(_("What was asked"), level=1)
    if txt.question:
        own("question")
    doc.add_heading(_("Who took part"), level=1)
    for _k, label, value in ctx["figures"]:
        doc.add_paragraph(f"{label}: {value}", style="List Bullet")
    for p in glance["participation"]:
        f = p["feature"]
        if p["chart"]:
            _picture(doc, p["chart"])
        else:
            doc.add_paragraph(f["label"], style="Heading 3")
        _table(doc, [_("Group"), _("Participants"), _("Population"), _("Difference")], [[
            r.label,
            _("fewer than %(n)s", n=ctx["min_cell"]) if r.suppressed else f"{r.count} ({format_percent(r.share)})",
            "–" if r.population_share is None else format_percent(r.population_share),
            "–" if r.gap_pp is None else _("%(pp)s percentage points",
                                           pp=format_decimal(r.gap_pp, format="+#,##0.0;-#,##0.0"))]
            for r in f["rows"]])
    if not ctx["composition"] and o.source_kind == "ideas":
        doc.add_paragraph(_("The idea round was anonymous: no background information was collected about the participants."))
    _docx_summary(doc, ctx, ctx["summary_lead"], _("What was said"))
    if glance["votes"]:
        _picture(doc, glance["votes"])
    if ctx["top_ideas"]:
        doc.add_paragraph(_("Ideas with the most support"), style="Heading 3")
        _table(doc, [_("Idea"), _("Agree"), _("Disagree"), _("Pass")],
               [[f"{n}. {i['text']}", str(i.get("agree", 0)), str(i.get("disagree", 0)), str(i.get("pass", 0) or 0)]
                for n, i in enumerate(ctx["top_ideas"], 1)])
    doc.add_heading(_("What was decided"), level=1)
    for row in ctx["decisions"]:
        d = row["d"]
        doc.add_paragraph(f"{row['body'].text}, {format_date(d.meeting_date, 'long')}" + (f", {d.item}" if d.item else ""),
                          style="Heading 3")
        if row["summary"]:
            note(row["summary"])
            _in_language(doc.add_paragraph(row["summary"].text), row["summary"].lang)
        if d.minutes_url:
            doc.add_paragraph(_("Minutes") + ": " + d.minutes_url)   # gettext outside any f-string
    if not o.decisions:
        doc.add_paragraph(_("No decision has been recorded yet. This page will be updated when the "
                            "decision-makers have dealt with the outcome."))
    doc.add_heading(_("Impact"), level=1)
    if glance["impact"]:
        _picture(doc, glance["impact"])
        _table(doc, [_("Status"), _("Points")], [[r["label"], str(r["count"])] for r in glance["impact_rows"]])
    else:
        doc.add_paragraph(_("The impact of participation has not been assessed yet."))
    # The details, each once.
    if txt.background or ctx["timeline"]:
        doc.add_heading(_("Background and timeline"), level=1)
        if txt.background:
            own("background")
        for t in ctx["timeline"]:
            label = str(present.TIMELINE_LABELS.get(t["kind"], t["kind"]))
            doc.add_paragraph(f"{format_date(t['at'], 'medium')}: {label}"
                              + (f" – {t['label']}" if t["label"] else ""), style="List Bullet")
    if ctx["summary_rest"]:
        _docx_summary(doc, ctx, ctx["summary_rest"], _("The summary continued"))
    _docx_statement(doc, ctx)
    if ctx["consensus"] or ctx["groups"]:
        doc.add_heading(_("Broad agreement and opinion groups"), level=1)
        if ctx["consensus"]:
            doc.add_heading(_("Broad agreement"), level=2)
            for c in ctx["consensus"]:
                doc.add_paragraph(str(c), style="List Bullet")
        if ctx["groups"]:
            doc.add_heading(_("Opinion groups"), level=2)
            for g in ctx["groups"]:
                doc.add_paragraph(f"{g['label']} (" + ngettext("%(num)s participant", "%(num)s participants", g["size"])
                                  + ")" + (": " + "; ".join(g["distinctive"]) if g["distinctive"] else ""),
                                  style="List Bullet")
    rows = [r for r in ctx["impacts"] if r["current"]]
    if rows:
        doc.add_heading(_("Impact point by point"), level=1)
        for r in rows:
            doc.add_paragraph(f"{r['text']} – {present.STATUS_LABELS[r['current'].status]}", style="Heading 3")
            note(r["reasoning"])
            _in_language(doc.add_paragraph(r["reasoning"].text), r["reasoning"].lang)
    if o.follow_ups:
        doc.add_heading(_("Follow-up"), level=1)
        for f in o.follow_ups:
            doc.add_paragraph(f"{format_date(f.entry_date, 'medium')}: {f.text}", style="List Bullet")


# --- spreadsheets --------------------------------------------------------------------------

def results_rows(o) -> list[list]:
    rows = [[_("Idea"), _("Agree"), _("Disagree"), _("Pass"), _("Themes")]]
    for i in (o.results or {}).get("top_ideas") or []:
        rows.append([i.get("text", ""), int(i.get("agree") or 0), int(i.get("disagree") or 0),
                     int(i.get("pass") or 0), ", ".join(i.get("themes") or [])])
    return rows


def results_csv(o) -> bytes:
    from . import sources

    data = sources.export_table(o.source_kind, o.source_id, "csv") if o.source_kind == "ideas" else None
    if data is None:
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(results_rows(o))
        data = out.getvalue().encode("utf-8")
    return neutralise_csv(data)


def results_xlsx(o) -> bytes:
    from . import sources

    data = sources.export_table(o.source_kind, o.source_id, "xlsx") if o.source_kind == "ideas" else None
    if data is None:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "Results"
        for row in results_rows(o):
            ws.append(row)
        buf = io.BytesIO()
        wb.save(buf)
        data = buf.getvalue()
    return neutralise_xlsx(data)
