"""What other areas may ask of the digiraati (the outcomes area publishes finished ones).

Plain functions over the database, no Flask request needed (an app context is).  Stable:
change only by adding keys.
"""
from __future__ import annotations

from sqlalchemy import select

from kuulas.extensions import db

from .models import FINISHED, Member, Raati
from . import services


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
    members = services.active_members(raati.id)
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
            "sections": [{"title": s.title, "text": s.versions[-1].text} for s in services.sections(raati.id)],
            "sha256": raati.statement_sha256,
            "locked_at": raati.drafting_closed_at,
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
