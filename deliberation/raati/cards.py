"""Front-page cards and the resident page's "your digiraati" section."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from kuulas.extensions import db
from kuulas.processes import OPEN, PAST, UPCOMING, ProcessCard

from .core import my_raatis
from .models import DRAFT, FINISHED, LIVE, Raati


def raati_cards(now, locale: str) -> list[ProcessCard]:
    cards = []
    for raati in db.session.scalars(select(Raati).where(Raati.state.in_((LIVE, FINISHED, DRAFT)))):
        sessions = raati.sessions
        if raati.state == DRAFT and not sessions:
            continue
        starts = sessions[0].starts_at if sessions else None
        ends = sessions[-1].ends_at if sessions else None
        if raati.state == FINISHED:
            state, label = PAST, _l("Finished")
        elif raati.state == LIVE:
            state, label = OPEN, _l("Deliberating now")
        else:
            state, label = UPCOMING, _l("Starting soon")
        cards.append(ProcessCard(
            kind=str(_l("Digiraati")), title=raati.text("title", locale),
            summary=raati.text("question", locale)[:300],
            url=url_for("raati.public_page", raati_id=raati.id), state=state, state_label=str(label),
            starts_at=starts, ends_at=ends, title_lang=raati.text_lang("title", locale),
            summary_lang=raati.text_lang("question", locale), key=("raati", raati.id)))
    return cards


def resident_section(account) -> list[dict]:
    rows = my_raatis(account)
    if not rows:
        return []
    links = []
    for raati, member in rows:
        locale = account.locale or "fi"
        links.append((raati.text("title", locale), url_for("raati.room", raati_id=raati.id)))
        links.append((str(_l("Transcript: %(title)s", title=raati.text("title", locale))),
                      url_for("raati.transcript", raati_id=raati.id)))
    return [{"title": str(_l("Your digiraati")),
             "text": str(_l("You are taking part in these digiraati. The room works between sessions too.")),
             "links": links}]
