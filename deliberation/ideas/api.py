"""The idea rounds' stable interface for other areas (the outcomes area).

Plain functions; call them inside an app context.  None returns participant identifiers:
the only personal data here are the addresses of people who asked to hear about the
outcome, which are unlinked to anything else and are forgotten after the notification.

- ``finished_rounds() -> [{"id", "title"}]``: closed rounds, newest first (title in the
  current locale).
- ``open_rounds(now) -> [{"id", "titles", "closes_at"}]``: rounds open or scheduled to
  open that have not closed, soonest closing first (``titles``: {"fi", "sv", "en"}); the
  panel area invites its standing pool to them.
- ``round_outcome_data(round_id, locale) -> dict | None``: title, question, background,
  opens_at, closes_at (naive UTC datetimes), closed (bool), participants, ideas, votes,
  comments, top_ideas=[{text, agree, disagree, pass_, score, themes}], consensus=[text],
  groups=[{label, size, distinctive=[text]}], summary_markdown.
- ``export_csv(round_id) -> bytes``, ``export_xlsx(round_id) -> bytes``.
- ``notify_recipients(round_id) -> [(email, locale)]``,
  ``forget_notify_recipients(round_id) -> int`` (rows deleted; the caller commits).
"""
from __future__ import annotations

from flask_babel import get_locale
from sqlalchemy import delete, select

from kuulas.extensions import db

from . import exports, results
from .models import CLOSED, IdeaNotifyRequest, IdeaRound

TOP_IDEAS = 10


def _locale(locale: str | None = None) -> str:
    if locale in ("fi", "sv", "en"):
        return locale
    try:
        return str(get_locale() or "fi")
    except Exception:  # noqa: BLE001 - outside a request
        return "fi"


def finished_rounds() -> list[dict]:
    locale = _locale()
    rows = db.session.scalars(select(IdeaRound).where(IdeaRound.state == CLOSED)
                              .order_by(IdeaRound.closes_at.desc(), IdeaRound.id.desc()))
    return [{"id": r.id, "title": r.text("title", locale)} for r in rows]


def open_rounds(now) -> list[dict]:
    from .models import OPEN, SCHEDULED

    rows = db.session.scalars(select(IdeaRound).where(IdeaRound.state.in_((OPEN, SCHEDULED)),
                                                      IdeaRound.closes_at > now)
                              .order_by(IdeaRound.closes_at, IdeaRound.id))
    return [{"id": r.id, "titles": {code: r.text("title", code) for code in ("fi", "sv", "en")},
             "closes_at": r.closes_at} for r in rows]


def round_outcome_data(round_id: int, locale: str) -> dict | None:
    round_ = db.session.get(IdeaRound, round_id)
    if round_ is None or round_.state == "draft":
        return None
    locale = _locale(locale)
    res = results.compute(round_id)
    return {
        "title": round_.text("title", locale),
        "question": round_.text("question", locale),
        "background": round_.text("background", locale),
        "opens_at": round_.opens_at,
        "closes_at": round_.closes_at,
        "closed": round_.state == CLOSED,
        "participants": res.participants,
        "ideas": len(res.ranked),
        "votes": res.votes,
        "comments": res.comments,
        "top_ideas": [{"text": r.idea.text, "agree": r.counts.agree, "disagree": r.counts.disagree,
                       "pass_": r.counts.pass_, "score": round(r.score, 4),
                       "themes": [t.name for t in r.idea.tags]} for r in res.ranked[:TOP_IDEAS]],
        "consensus": [r.idea.text for r in res.consensus],
        "groups": [{"label": g["label"], "size": g["size"],
                    "distinctive": [item.idea.text for item, _d in g["distinctive"]]} for g in res.groups],
        "summary_markdown": results.summary_markdown(res, locale),
    }


def export_csv(round_id: int) -> bytes:
    return exports.export_csv(round_id, _locale())


def export_xlsx(round_id: int) -> bytes:
    return exports.export_xlsx(round_id, _locale())


def notify_recipients(round_id: int) -> list[tuple[str, str]]:
    return [(e, loc) for e, loc in db.session.execute(
        select(IdeaNotifyRequest.email, IdeaNotifyRequest.locale)
        .where(IdeaNotifyRequest.round_id == round_id).order_by(IdeaNotifyRequest.email))]


def forget_notify_recipients(round_id: int) -> int:
    n = db.session.execute(delete(IdeaNotifyRequest).where(IdeaNotifyRequest.round_id == round_id)).rowcount
    return int(n or 0)
