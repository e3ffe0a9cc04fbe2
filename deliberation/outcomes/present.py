"""One description of an outcome, built once and shown four ways: the public page,
the JSON API/export, the DOCX and the PDF.  Only aggregate, suppressed figures and
what the preparer chose to publish go in; never account ids, addresses or raw counts
under the suppression threshold.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from kuulas import translated
from kuulas.disclosure import MIN_CELL, public_group
from kuulas.i18n import reader_locale

from . import history, lifecycle
from .figures import percent_step
from .models import Outcome

LICENSE = {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}

KIND_LABELS = {"ideas": _l("Idea round"), "raati": _l("Digiraati"), "feedback": _l("Service feedback"),
               "surveys": _l("Panel survey")}
STATUS_LABELS = {
    history.ADOPTED: _l("Adopted"),
    history.PARTLY: _l("Partly adopted"),
    history.NOT_ADOPTED: _l("Not adopted"),
    history.PENDING: _l("Pending"),
}
TIMELINE_LABELS = {
    "opened": _l("Idea round opened"),
    "closed": _l("Idea round closed"),
    "session": _l("Session"),
    "statement": _l("Statement approved"),
    "statement_override": _l("Statement locked by the chair without the members' approval"),
    "statement_locked": _l("Statement locked"),
    "published": _l("Outcome published"),
    "first_feedback": _l("First feedback on the theme received"),
    "decided": _l("Decision on the development item"),
    "changed": _l("Change made in the service"),
    "survey_sent": _l("Survey sent"),
    "survey_closed": _l("Survey closed"),
}
FIGURE_LABELS = {
    "participants": _l("Participants"),
    "ideas": _l("Ideas"),
    "votes": _l("Votes"),
    "comments": _l("Comments"),
    "members": _l("Members"),
    "sessions": _l("Sessions"),
    "feedback": _l("Feedback gathered"),
}
CHANGE_LABELS = {
    "created": _l("Draft created"),
    "edited": _l("Text edited"),
    "attachment_added": _l("Attachment added"),
    "attachment_removed": _l("Attachment removed"),
    "scheduled": _l("Publication scheduled"),
    "schedule_cancelled": _l("Scheduled publication cancelled"),
    "published": _l("Published"),
    "withdrawn": _l("Withdrawn from public view"),
    "decision_recorded": _l("Decision recorded"),
    "decision_edited": _l("Decision corrected"),
    "follow_up": _l("Follow-up added"),
    "closed_without_decision": _l("Closed without a decision"),
}

# Why an action is not possible (``lifecycle.why_not`` keys): the services' refusals and the
# staff page say the same.
REASONS = {
    "already_published": _l("The outcome is already published."),
    "not_public_or_scheduled": _l("The outcome is not published or scheduled."),
    "close_needs_publication": _l("Publish the outcome before closing it without a decision."),
    "already_decided": _l("A decision has already been recorded for this outcome."),
    "already_closed": _l("The outcome is already closed without a decision."),
    "notify_needs_publication": _l("Only when the outcome is published."),
    "not_published": _l("No published outcome was found at this address."),
    "not_allowed": _l("This is not possible in the outcome's current state."),
}


def reason(key: str | None):
    """The translated reason for a ``lifecycle.why_not`` key (None: allowed)."""
    return None if key is None else REASONS.get(key, REASONS["not_allowed"])


def is_closed_without_decision(o: Outcome) -> bool:
    return any(c.action == lifecycle.CLOSED_WITHOUT_DECISION for c in o.changes)


def controls(o: Outcome) -> dict:
    """Each preparer action on ``o``: None when possible, else the translated reason."""
    why = lifecycle.controls(o.state, decided=bool(o.decisions), closed=is_closed_without_decision(o))
    return {action: reason(key) for action, key in why.items()}


def _dt(value):
    if value is None or isinstance(value, (datetime, date)):
        return value
    return datetime.fromisoformat(str(value))


def _statement_kind(o: Outcome, kind: str) -> str:
    """A statement is "approved" only when its approval record says so (older outcomes were
    stored with "statement" for any locked statement)."""
    if kind != "statement":
        return kind
    approval = (o.statement or {}).get("approval") or {}
    if approval.get("approved"):
        return kind
    return "statement_override" if approval.get("override") else "statement_locked"


def timeline(o: Outcome) -> list[dict]:
    rows = [{"kind": _statement_kind(o, t["kind"]), "at": _dt(t["at"]), "label": t.get("label") or ""}
            for t in (o.timeline or []) if t.get("at")]
    if o.published_at:
        rows.append({"kind": "published", "at": o.published_at, "label": ""})
    rows.sort(key=lambda r: r["at"])
    return rows


def impacts(o: Outcome, locale: str | None = None) -> list[dict]:
    state = history.current([history.Revision(r.point_key, r.status, r.reasoning, r.recorded_at,
                                              r.decision_id, r.id or 0) for r in o.impacts])
    by_key: dict[str, list] = {}
    for r in o.impacts:
        by_key.setdefault(r.point_key, []).append(r)
    rows = []
    for p in o.points or []:
        c = state.get(p["key"])
        past = sorted(by_key.get(p["key"], []), key=lambda r: (r.recorded_at, r.id or 0))
        # The latest revision is the current one (history.current folds in the same order).
        rows.append({"key": p["key"], "text": p["text"], "current": c, "history": past,
                     "reasoning": reasoning(o, past[-1], locale) if c and past else None})
    return rows


def figures(o: Outcome) -> list[tuple[str, object, int]]:
    f = o.figures or {}
    return [(k, FIGURE_LABELS[k], int(f[k])) for k in FIGURE_LABELS if f.get(k) is not None]


def groups(o: Outcome) -> list[dict]:
    """Opinion groups as every outcome output shows them (page, API, documents).  The idea
    round already joins groups under its minimum size; a snapshot stored before that rule
    may still hold a small group, and such a group is withheld entirely (its size and its
    distinctive ideas would tell what those few people voted).  If that leaves fewer than
    two groups, there are no groups to show."""
    kept = [{"label": g.get("label", ""), "size": int(g.get("size") or 0),
             "distinctive": g.get("distinctive") or []}
            for g in (o.results or {}).get("groups") or [] if int(g.get("size") or 0) >= MIN_CELL]
    return kept if len(kept) > 1 else []


def composition(o: Outcome) -> list[dict]:
    """The composition for publication, through the one public-safe rule of a group
    (``kuulas.disclosure.public_group``).  Most sources give exact counts, suppressed there;
    a panel survey's snapshot comes already suppressed, and keeps the source's hidden cells."""
    return public_group(o.composition or [])


TEXT_FIELDS = ("title", "question", "background", "summary")
DECISION_FIELDS = ("body", "summary")
IMPACT_FIELDS = ("reasoning",)


@dataclass(frozen=True)
class Texts:
    """The outcome's own texts for one reader, each with the language it is in (for ``lang``)
    and whether it fell back to the original (the page says so)."""
    title: str
    question: str
    background: str
    summary: str
    title_lang: str
    question_lang: str
    background_lang: str
    summary_lang: str
    fallback: frozenset = frozenset()


def _locale(locale) -> str:
    return reader_locale(locale)


def texts(o: Outcome, locale: str | None = None) -> Texts:
    """Each text in the reader's language where a translation has it (carried from the
    process or written by the preparer), else the original; ``*_lang`` says which
    (WCAG 3.1.2) and ``fallback`` names the fields shown in the original's language."""
    locale = _locale(locale)
    picked = {f: translated.pick(getattr(o, f) or "", o.language, o.translations, f, locale) for f in TEXT_FIELDS}
    return Texts(**{f: p.text for f, p in picked.items()}, **{f"{f}_lang": p.lang for f, p in picked.items()},
                 fallback=frozenset(f for f, p in picked.items() if p.fallback))


def decision_texts(o: Outcome, d, locale: str | None = None) -> dict:
    """A decision's body and summary for the reader (``translated.Localized`` each)."""
    locale = _locale(locale)
    return {f: translated.pick(getattr(d, f) or "", o.language, d.translations, f, locale) for f in DECISION_FIELDS}


def reasoning(o: Outcome, revision, locale: str | None = None) -> translated.Localized:
    """An impact revision's reasoning for the reader."""
    return translated.pick(revision.reasoning or "", o.language, getattr(revision, "translations", None),
                           "reasoning", _locale(locale))


def decisions(o: Outcome, locale: str | None = None) -> list[dict]:
    return [{"d": d, **decision_texts(o, d, locale)} for d in o.decisions]


def feed_summary(o: Outcome, locale: str | None = None) -> translated.Localized:
    """What a feed entry (or a card) says: what was decided, in the reader's language where
    translated; before any decision, that it awaits one and what was asked."""
    from flask_babel import gettext as _

    from kuulas.i18n import format_date

    locale = _locale(locale)
    if o.decisions:
        d = sorted(o.decisions, key=lambda d: (d.meeting_date, d.id or 0))[-1]
        t = decision_texts(o, d, locale)
        said = t["summary"]
        if not said:   # a decision recorded without a summary: say what was asked
            q = texts(o, locale)
            said = translated.Localized(q.question or q.title, q.question_lang if q.question else q.title_lang,
                                        bool({"question", "title"} & q.fallback))
        text = _("Decided by %(body)s on %(date)s: %(summary)s", body=t["body"].text,
                 date=format_date(d.meeting_date, "long"), summary=said.text)
        return translated.Localized(text, said.lang, said.fallback)
    t = texts(o, locale)
    text = _("Awaiting a decision. Asked: %(question)s", question=t.question or t.title)
    return translated.Localized(text, t.question_lang, "question" in t.fallback)


SUMMARY_LEAD_CHARS = 600


def split_summary(text: str) -> tuple[str, str]:
    """(lead, rest): a long summary shows its opening in the top section and the rest with
    the details, each part once.  The lead ends before the first heading or, without one,
    after the first paragraph; a short summary is all lead."""
    text = (text or "").strip()
    if len(text) <= SUMMARY_LEAD_CHARS:
        return text, ""
    lines = text.splitlines()
    for n, line in enumerate(lines):
        if n and line.lstrip().startswith("#"):
            return "\n".join(lines[:n]).strip(), "\n".join(lines[n:]).strip()
    head, _sep, tail = text.partition("\n\n")
    return head.strip(), tail.strip()


def view(o: Outcome) -> dict:
    from . import glance

    ctx = {
        "o": o,
        "txt": texts(o),
        "decisions": decisions(o),
        "plain_summary": o.plain_summary or "",
        "kind_label": KIND_LABELS.get(o.source_kind, o.source_kind),
        "timeline": timeline(o),
        "figures": figures(o),
        "composition": composition(o),
        "impacts": impacts(o),
        "groups": groups(o),
        "top_ideas": (o.results or {}).get("top_ideas") or [],
        "consensus": (o.results or {}).get("consensus") or [],
        "statement": o.statement,
        "license": LICENSE,
        "min_cell": MIN_CELL,
        "percent": percent_step,
        "status_labels": STATUS_LABELS,
        "timeline_labels": TIMELINE_LABELS,
    }
    ctx["summary_lead"], ctx["summary_rest"] = split_summary(ctx["txt"].summary)
    ctx["glance"] = glance.build(o, ctx)
    return ctx


def _iso(value):
    return value.isoformat() if value is not None else None


def as_json(o: Outcome, base_url: str | None = None) -> dict:
    """The open-data document (API detail and the JSON export).  Keys are an allowlist."""
    base = (base_url or current_app.config["SITE_URL"]).rstrip("/")
    url = f"{base}/tulokset/{o.id}"
    st = o.statement
    return {
        "id": o.id,
        "url": url,
        "kind": o.source_kind,
        "title": o.title,
        "language": o.language or "fi",
        "question": o.question or "",
        "background": o.background or "",
        "summary_markdown": o.summary or "",
        "translations": {lang: {"title": v.get("title") or "", "question": v.get("question") or "",
                                "background": v.get("background") or "", "summary_markdown": v.get("summary") or ""}
                         for lang, v in sorted(translated.clean(o.translations, TEXT_FIELDS,
                                                                original_lang=o.language or "fi").items())},
        "opened_at": _iso(o.opened_at),
        "closed_at": _iso(o.closed_at),
        "published_at": _iso(o.published_at),
        "updated_at": _iso(o.updated_at),
        "timeline": [{"kind": t["kind"], "at": _iso(t["at"]), "label": t["label"]} for t in timeline(o)],
        "participation": {k: int(v) for k, v in (o.figures or {}).items() if k in FIGURE_LABELS},
        "composition": [{"feature": f["feature"], "label": f["label"],
                         "categories": [{"value": r.value, "label": r.label, "count": r.count,
                                         "share": None if r.share is None else round(r.share, 4),
                                         "population_share": r.population_share, "suppressed": r.suppressed}
                                        for r in f["rows"]]}
                        for f in composition(o)],
        "results": {
            "top_ideas": [{"text": i.get("text", ""), "agree": int(i.get("agree") or 0),
                           "disagree": int(i.get("disagree") or 0), "pass": int(i.get("pass") or 0),
                           "themes": [str(t) for t in i.get("themes") or []]}
                          for i in (o.results or {}).get("top_ideas") or []],
            "consensus": [str(t) for t in (o.results or {}).get("consensus") or []],
            "groups": [{"label": g["label"], "size": g["size"], "distinctive": [str(t) for t in g["distinctive"]]}
                       for g in groups(o)],
        },
        "statement": None if not st else {
            "sections": [{"title": s.get("title", ""), "text": s.get("text", "")} for s in st.get("sections") or []],
            "sha256": st.get("sha256") or "", "locked_at": st.get("locked_at")},
        "decisions": [{"id": d.id, "body": d.body, "meeting_date": d.meeting_date.isoformat(), "item": d.item or "",
                       "minutes_url": d.minutes_url, "summary": d.summary or "",
                       "translations": translated.clean(d.translations, DECISION_FIELDS,
                                                        original_lang=o.language or "fi")}
                      for d in o.decisions],
        "impacts": [{"point": r["key"], "text": r["text"],
                     "status": r["current"].status if r["current"] else None,
                     "reasoning": r["current"].reasoning if r["current"] else None,
                     "decision_id": r["current"].decision_id if r["current"] else None,
                     "translations": translated.clean(r["history"][-1].translations, IMPACT_FIELDS,
                                                      original_lang=o.language or "fi")
                     if r["current"] and r["history"] else {},
                     "history": [{"status": h.status, "reasoning": h.reasoning, "decision_id": h.decision_id,
                                  "recorded_at": _iso(h.recorded_at)} for h in r["history"]]}
                    for r in impacts(o)],
        "plain_summary_fi": o.plain_summary or "",
        "follow_ups": [{"date": f.entry_date.isoformat(), "text": f.text} for f in o.follow_ups],
        "attachments": [{"title": a.title, "filename": a.filename, "content_type": a.content_type,
                         "size": a.size, "sha256": a.sha256, "url": f"{url}/liitteet/{a.id}"} for a in o.attachments],
        "changes": [{"at": _iso(c.at), "action": c.action} for c in o.changes],
        "license": LICENSE,
    }


def summary_item(o: Outcome, base_url: str | None = None) -> dict:
    """The list entry of the API."""
    base = (base_url or current_app.config["SITE_URL"]).rstrip("/")
    return {"id": o.id, "url": f"{base}/tulokset/{o.id}", "api_url": f"{base}/api/v1/outcomes/{o.id}",
            "kind": o.source_kind, "title": o.title, "language": o.language or "fi",
            "published_at": _iso(o.published_at),
            "closed_at": _iso(o.closed_at), "updated_at": _iso(o.updated_at),
            "decision_recorded": bool(o.decisions)}
