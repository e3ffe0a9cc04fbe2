"""Front-page cards for idea rounds."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from kuulas.extensions import db
from kuulas.processes import OPEN, PAST, UPCOMING, ProcessCard

from .models import CLOSED, DRAFT, IdeaRound


def round_cards(now, locale: str) -> list[ProcessCard]:
    cards = []
    for r in db.session.scalars(select(IdeaRound).where(IdeaRound.state != DRAFT)):
        if r.state == CLOSED or now >= r.closes_at:
            state, label = PAST, _l("Closed")
        elif now >= r.opens_at:
            state, label = OPEN, _l("Open for ideas")
        else:
            state, label = UPCOMING, _l("Opens soon")
        cards.append(ProcessCard(kind=str(_l("Idea round")), title=r.text("title", locale),
                                 summary=r.text("question", locale)[:300],
                                 url=url_for("ideas.round_page", round_id=r.id), state=state,
                                 state_label=str(label), starts_at=r.opens_at, ends_at=r.closes_at,
                                 title_lang=r.text_lang("title", locale),
                                 summary_lang=r.text_lang("question", locale),
                                 key=("ideas", r.id)))
    return cards
