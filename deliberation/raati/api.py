"""What other areas may ask of the digiraati (the outcomes area publishes finished ones).

Plain functions over the database, no Flask request needed (an app context is).  Stable:
change only by adding keys.
"""
from __future__ import annotations

from sqlalchemy import select

from kuulas.extensions import db

from .models import FINISHED, Member, Raati
from .core import active_members
from .drafting import sections


def finished_raatis() -> list[dict]:
    """``[{id, title}]`` of finished raatis, newest first (title in Finnish)."""
    rows = db.session.scalars(select(Raati).where(Raati.state == FINISHED).order_by(Raati.id.desc()))
    return [{"id": r.id, "title": r.title_fi} for r in rows]


def raati_outcome_data(raati_id: int, locale: str = "fi") -> dict | None:
    """Everything an outcome page needs about one raati, texts in ``locale`` (falling back to
    Finnish).  ``statement`` is None until the chair has locked it; ``sha256`` is over the
    canonical text of the sections (see ``statement.canonical``)."""
    raati = db.session.get(Raati, raati_id)
    if raati is None:
        return None
    members = active_members(raati.id)
    jurors = [m for m in members if m.role in ("member", "chair", "secretary")]
    data = {
        "title": raati.text("title", locale),
        "question": raati.text("question", locale),
        "background": raati.text("background", locale),
        "sessions": [{"title": s.title, "starts_at": s.starts_at, "ends_at": s.ends_at}
                     for s in raati.sessions],
        "members": len(jurors),
        "member_account_ids": [m.account_id for m in jurors],
        "panel_id": raati.panel_id,
        "statement": None,
        "summary_markdown": raati.summary_markdown or "",
    }
    if raati.statement_sha256:
        data["statement"] = {
            "sections": [{"title": s.title, "text": s.versions[-1].text} for s in sections(raati.id)],
            "sha256": raati.statement_sha256,
            "locked_at": raati.drafting_closed_at,
            # The record frozen at the lock (see ``statement.lock_record``); None for a
            # statement locked before records were kept: then nobody may call it approved.
            "approval": raati.lock_record,
        }
    return data


def member_recipients(raati_id: int) -> list[tuple[str, str]]:
    """``[(email, locale)]`` of the raati's active members on active accounts."""
    out = []
    for m in db.session.scalars(select(Member).where(Member.raati_id == raati_id,
                                                     Member.removed_at.is_(None))):
        if m.account is not None and m.account.active:
            out.append((m.account.email, m.account.locale or "fi"))
    return out


def approval_lines(statement: dict | None) -> list[str]:
    """The approval record of a locked statement as translated lines, the same on the
    outcome page, its PDF and its DOCX: rule, members, lock time, hash, per section
    approvals / members, and any override with its reason.  A statement without a record
    (locked before records were kept) says so and is never called approved."""
    from datetime import datetime

    from flask_babel import gettext as _, ngettext

    from kuulas.i18n import format_datetime

    from .forms import RULE_LABELS

    if not statement:
        return []
    record = statement.get("approval")
    locked_at = statement.get("locked_at")
    if isinstance(locked_at, str):
        try:
            locked_at = datetime.fromisoformat(locked_at.rstrip("Z"))
        except ValueError:
            locked_at = None
    lines = []
    if locked_at is not None:
        lines.append(_("Locked: %(when)s", when=format_datetime(locked_at, "short")))
    if statement.get("sha256"):
        lines.append(_("SHA-256 of the text: %(hash)s", hash=statement["sha256"]))
    if not isinstance(record, dict):
        lines.append(_("No approval record was kept for this statement, so it is not shown as approved."))
        return lines
    rule = record.get("rule")
    lines.append(_("Approval rule: %(rule)s", rule=RULE_LABELS.get(rule, rule or "–")))
    lines.append(ngettext("%(num)d member could approve.", "%(num)d members could approve.",
                          int(record.get("members") or 0)))
    for s in record.get("sections") or []:
        lines.append(ngettext("%(title)s: approved by %(a)s of %(num)d member (%(n)s needed)",
                              "%(title)s: approved by %(a)s of %(num)d members (%(n)s needed)",
                              int(s.get("members") or 0), title=s.get("title", ""), a=s.get("approvals", 0),
                              n=s.get("needed", 0)) + ("" if s.get("met") else " – " + _("not approved")))
    if record.get("override"):
        lines.append(_("The chair locked the statement without the approval the rule needs. Reason: %(reason)s",
                       reason=record["override"]))
    elif record.get("approved"):
        lines.append(_("Every section had the approval the rule needs."))
    return lines
