"""CSV and XLSX exports for the preparer.  Carry no participant identifiers (no hashes, no
per-participant rows), only dates rounded to the day, and every text cell that a
spreadsheet would read as a formula (=, +, -, @, or led by a tab / carriage return) is
neutralised with a leading apostrophe."""
from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from kuulas import formats
from kuulas.spreadsheet import neutralise, neutralise_workbook

from . import results

def _table(round_id: int, locale: str = "fi") -> tuple[list[str], list[list]]:
    res = results.compute(round_id)
    labels = res.round.subtheme_labels(locale)
    groups = [g["label"] for g in res.groups]
    # Ideas are named by their random public id, never by the (sequential) internal key.
    header = [_("Rank"), _("Idea ID"), _("Idea"), _("Sub-theme"), _("Themes"), _("Agree"), _("Disagree"),
              _("Pass"), _("Score"), _("Comments"), _("Written (day)")] + \
             [_("Agree in group %(label)s (%%)", label=g) for g in groups]
    rows = []
    for n, item in enumerate(res.ranked, 1):
        idea = item.idea
        sub = labels[idea.subtheme] if idea.subtheme is not None and idea.subtheme < len(labels) else ""
        row = [n, idea.public_id, idea.text, sub, ", ".join(t.name for t in idea.tags), item.counts.agree,
               item.counts.disagree, item.counts.pass_, round(item.score, 3), item.comments,
               formats.local(idea.created_at).date().isoformat()]   # the Finnish day, ISO 8601
        row += [round(100 * s) if s is not None else "" for s in item.group_agree] if groups else []
        rows.append([neutralise(c) for c in row])
    return [neutralise(h) for h in header], rows


def export_csv(round_id: int, locale: str = "fi") -> bytes:
    header, rows = _table(round_id, locale)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([formats.csv_cell(c, locale=locale) for c in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")   # BOM: Excel reads UTF-8 right


def export_xlsx(round_id: int, locale: str = "fi") -> bytes:
    from openpyxl import Workbook

    res = results.compute(round_id)
    header, rows = _table(round_id, locale)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Ideas")[:31]
    ws.append(header)
    for row in rows:
        ws.append(row)
    from openpyxl.styles import Font
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    gs = wb.create_sheet(_("Opinion groups")[:31])
    gs.append([neutralise(h) for h in (_("Group"), _("Participants"), _("Direction"), _("Idea"))])
    for g in res.groups:
        for item, direction in g["distinctive"]:
            gs.append([g["label"], g["size"], _("agrees more") if direction > 0 else _("disagrees more"),
                       neutralise(item.idea.text)])
    for item in res.consensus:
        gs.append([_("all"), res.clustered, _("consensus"), neutralise(item.idea.text)])
    ss = wb.create_sheet(_("Summary")[:31])
    for key, value in ((_("Participants"), res.participants), (_("Ideas"), len(res.ranked)),
                       (_("Votes"), res.votes), (_("Comments"), res.comments)):
        ss.append([key, value])
    # openpyxl stores a string starting with "=" as a formula: make sure none slipped through.
    neutralise_workbook(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
