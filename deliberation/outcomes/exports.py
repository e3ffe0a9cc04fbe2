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
from markdown_it import MarkdownIt

from kuulas import formats
from kuulas.clock import utcnow

from . import present
from .safety import neutralise

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
    if own_texts.question:
        doc.add_heading(_("What was asked"), level=1)
        own("question")
    if which == "statement":
        _docx_statement(doc, ctx)
    else:
        if own_texts.background:
            doc.add_heading(_("Background"), level=1)
            own("background")
        if ctx["timeline"]:
            doc.add_heading(_("Timeline"), level=1)
            for t in ctx["timeline"]:
                label = str(present.TIMELINE_LABELS.get(t["kind"], t["kind"]))
                doc.add_paragraph(f"{format_date(t['at'], 'medium')}: {label}"
                                  + (f" – {t['label']}" if t["label"] else ""), style="List Bullet")
        if ctx["figures"]:
            doc.add_heading(_("Who took part"), level=1)
            for _k, label, value in ctx["figures"]:
                doc.add_paragraph(f"{label}: {value}", style="List Bullet")
        for f in ctx["composition"]:
            doc.add_paragraph(f["label"], style="Heading 3")
            table = doc.add_table(rows=1, cols=3)
            table.style = "Table Grid"
            head = table.rows[0].cells
            head[0].text, head[1].text, head[2].text = _("Group"), _("Participants"), _("Population")
            for r in f["rows"]:
                cells = table.add_row().cells
                cells[0].text = r.label
                cells[1].text = _("fewer than %(n)s", n=ctx["min_cell"]) if r.suppressed else f"{r.count} ({percent(r.share)})"
                cells[2].text = "–" if r.population_share is None else percent(r.population_share)
        _docx_statement(doc, ctx)
        if o.decisions:
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
        rows = [r for r in ctx["impacts"] if r["current"]]
        if rows:
            doc.add_heading(_("How participation affected the decision"), level=1)
            for r in rows:
                doc.add_paragraph(f"{r['text']} – {present.STATUS_LABELS[r['current'].status]}", style="Heading 3")
                note(r["reasoning"])
                _in_language(doc.add_paragraph(r["reasoning"].text), r["reasoning"].lang)
        if o.follow_ups:
            doc.add_heading(_("Follow-up"), level=1)
            for f in o.follow_ups:
                doc.add_paragraph(f"{format_date(f.entry_date, 'medium')}: {f.text}", style="List Bullet")
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
    o = ctx["o"]
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
    doc.add_heading(_("What was said"), level=1)
    for kind, text in ctx["blocks"]:
        if kind == "heading":
            paragraph = doc.add_heading(text, level=2)
        elif kind == "bullet":
            paragraph = doc.add_paragraph(text, style="List Bullet")
        elif kind == "quote":
            paragraph = doc.add_paragraph(text, style="Quote")
        else:
            paragraph = doc.add_paragraph(text)
        _in_language(paragraph, ctx["txt"].summary_lang)
    if ctx["top_ideas"] and o.source_kind == "ideas":
        doc.add_heading(_("Ideas with the most support"), level=2)
        table = doc.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        head = table.rows[0].cells
        head[0].text, head[1].text, head[2].text = _("Idea"), _("Agree"), _("Disagree")
        for i in ctx["top_ideas"]:
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = i["text"], str(i.get("agree", 0)), str(i.get("disagree", 0))


# --- spreadsheets --------------------------------------------------------------------------

def neutralise_csv(data: bytes) -> bytes:
    """Neutralise every cell, keeping the source's separator: the idea round's export
    uses ";" (what Excel expects where the decimal separator is a comma), the outcome's
    own snapshot ","."""
    text = data.decode("utf-8-sig")
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(c) for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def neutralise_xlsx(data: bytes) -> bytes:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" or isinstance(cell.value, str):
                    value = cell.value if isinstance(cell.value, str) else str(cell.value)
                    new = neutralise(value)
                    if new != cell.value or cell.data_type == "f":
                        cell.value = new
                        cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


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
