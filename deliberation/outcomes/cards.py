"""Front-page cards for published outcomes (state PAST)."""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from kuulas.extensions import db
from kuulas.processes import PAST, ProcessCard

from . import present, services


def outcome_cards(now, locale) -> list[ProcessCard]:
    outcomes = db.session.scalars(services.visible_outcomes().order_by(
        services.Outcome.published_at.desc()).limit(12)).all()
    cards = []
    with force_locale(locale):
        for o in outcomes:
            t = present.texts(o, locale)
            cards.append(ProcessCard(
                kind=str(_("Outcome")) + " · " + str(present.KIND_LABELS.get(o.source_kind, o.source_kind)),
                title=t.title, summary=t.question[:200], url=f"/tulokset/{o.id}", state=PAST,
                state_label=_("Decision recorded") if o.decisions else _("Outcome published"),
                ends_at=o.published_at,
                title_lang=t.title_lang, summary_lang=t.question_lang))
    return cards
