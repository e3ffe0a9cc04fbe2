"""Front-page cards for published outcomes (state PAST), and the decision line every
outcome card shows (front page, results index)."""
from __future__ import annotations

from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _

from kuulas.extensions import db
from kuulas.processes import PAST, ProcessCard

from . import present, visibility
from .models import Outcome
from .decided import decision_summary


def decision_view(o, locale: str) -> dict | None:
    """What was decided, ready for the ``_decision.html`` macro (call under the reader's
    locale): the decision's own text with its language, who decided and when, and the
    impact per point in words.  None while no decision is recorded."""
    ds = decision_summary(o, locale)
    if ds is None:
        return None
    who = ds.body
    if ds.meeting_date:
        who = f"{who} {format_date(ds.meeting_date, 'short')}".strip()
    impacts = [ngettext("%(num)d point: %(status)s", "%(num)d points: %(status)s", n,
                        status=str(present.STATUS_LABELS[s]).lower())
               for s, n in ds.statuses.items()]
    return {"text": ds.text, "lang": ds.lang, "who": who, "impacts": impacts,
            "more": ds.decisions - 1}


def outcome_cards(now, locale) -> list[ProcessCard]:
    outcomes = db.session.scalars(visibility.visible_outcomes().order_by(
        Outcome.published_at.desc()).limit(12)).all()
    cards = []
    with force_locale(locale):
        for o in outcomes:
            t = present.texts(o, locale)
            cards.append(ProcessCard(
                kind=str(_("Outcome")) + " · " + str(present.KIND_LABELS.get(o.source_kind, o.source_kind)),
                title=t.title, summary=t.question[:200], url=f"/tulokset/{o.id}", state=PAST,
                state_label=_("Decision recorded") if o.decisions else _("Outcome published"),
                ends_at=o.published_at,
                title_lang=t.title_lang, summary_lang=t.question_lang,
                outcome_of=(o.source_kind, o.source_id), decision=decision_view(o, locale)))
    return cards
