"""Outcome services: one function behind every entry point (views, API, jobs, CLI, demo).

Services never touch ``request``, ``g`` or ``current_user``; they take ``actor`` and
``now``, check access first, validate everything, then write once and commit.  What
the public may see is decided in exactly one place, :func:`visible_outcomes`, which the
HTML pages, the Atom feed, the JSON API and the exports all use.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, extract, func, select, update

from kuulas import access, translated
from kuulas.errors import Conflict, NotFound, ValidationFailed
from kuulas.extensions import db
from kuulas.mail.services import queue_template
from kuulas.sanitize import plain_text

from . import history, sources
from .figures import feature_tvd
from .mailtext import TEXT
from .models import (DRAFT, PUBLISHED, SCHEDULED, FollowUp, ImpactRevision, Outcome,
                     OutcomeAttachment, OutcomeChange, OutcomeDecision)
from .present import STATUS_LABELS, texts
from .present import impacts as present_impacts
from .rules import MANAGE
from .safety import safe_filename, safe_http_url, sniff_type

MAX_ATTACHMENTS = 20
LANGUAGES = ("fi", "sv", "en")
STATUS_FILTERS = ("decided", "awaiting")


# --- visibility: the one query -----------------------------------------------------------

def visible_outcomes() -> Select:
    """Outcomes the public may see.  Every public reader (page, feed, API, export,
    attachment, front-page card) starts from this query."""
    return select(Outcome).where(Outcome.state == PUBLISHED, Outcome.published_at.is_not(None))


def get_public(outcome_id: int) -> Outcome:
    outcome = db.session.scalar(visible_outcomes().where(Outcome.id == outcome_id))
    if outcome is None:
        raise NotFound(_l("No published outcome was found at this address."))
    return outcome


def list_public(*, year: int | None = None, kind: str | None = None, status: str | None = None,
                limit: int | None = None, offset: int = 0) -> list[Outcome]:
    query = _filtered(visible_outcomes(), year=year, kind=kind, status=status)
    query = query.order_by(Outcome.published_at.desc(), Outcome.id.desc()).offset(offset)
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def count_public(*, year=None, kind=None, status=None) -> int:
    query = _filtered(visible_outcomes(), year=year, kind=kind, status=status)
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def _filtered(query, *, year, kind, status):
    if year:
        query = query.where(extract("year", Outcome.published_at) == int(year))
    if kind in sources.KINDS:
        query = query.where(Outcome.source_kind == kind)
    has_decision = exists().where(OutcomeDecision.outcome_id == Outcome.id)
    if status == "decided":
        query = query.where(has_decision)
    elif status == "awaiting":
        query = query.where(~has_decision)
    return query


def public_years() -> list[int]:
    sub = visible_outcomes().subquery()
    years = db.session.scalars(select(extract("year", sub.c.published_at)).distinct())
    return sorted({int(y) for y in years if y is not None}, reverse=True)


def public_stamp() -> str:
    """Changes whenever anything public changes: count and revisions of visible outcomes."""
    sub = visible_outcomes().subquery()
    count, revs, last = db.session.execute(
        select(func.count(), func.coalesce(func.sum(sub.c.revision), 0), func.max(sub.c.updated_at))
        .select_from(sub)).one()
    return f"{count}-{revs}-{last.isoformat() if last else ''}"


def public_revision(outcome_id: int) -> int | None:
    sub = visible_outcomes().where(Outcome.id == outcome_id).subquery()
    return db.session.scalar(select(sub.c.revision))


def public_attachment(outcome_id: int, attachment_id: int) -> OutcomeAttachment:
    outcome = get_public(outcome_id)
    att = db.session.get(OutcomeAttachment, attachment_id)
    if att is None or att.outcome_id != outcome.id:
        raise NotFound()
    return att


# --- staff reading ------------------------------------------------------------------------

def get_for_staff(outcome_id: int, *, actor, now) -> Outcome:
    access.require(actor, MANAGE, now=now)
    outcome = db.session.get(Outcome, outcome_id)
    if outcome is None:
        raise NotFound()
    return outcome


def staff_overview(*, actor, now) -> dict:
    access.require(actor, MANAGE, now=now)
    outcomes = list(db.session.scalars(select(Outcome).order_by(Outcome.updated_at.desc())))
    taken = {(o.source_kind, o.source_id) for o in outcomes}
    waiting = []
    for kind in sources.KINDS:
        for row in sources.finished(kind):
            if (kind, row["id"]) not in taken:
                waiting.append({"kind": kind, **row})
    return {"outcomes": outcomes, "waiting": waiting}


# --- drafts -------------------------------------------------------------------------------

_PUBLIC_CHANGES = ("published", "decision_recorded", "follow_up", "closed_without_decision")


def _log(outcome: Outcome, action: str, now: datetime, actor=None, detail: str = "", mails: int = 0):
    outcome.changes.append(OutcomeChange(at=now, action=action, detail=detail[:500],
                                         actor_id=getattr(actor, "id", None), mails_queued=mails))
    outcome.updated_at = now
    if outcome.state == PUBLISHED and action in _PUBLIC_CHANGES:
        from deliberation.follow import changes   # followers hear of it in their weekly digest

        changes.record("outcome", outcome.id, action, now=now)
    from . import cache

    cache.invalidate()
    if outcome.id is not None:
        outcome.revision = Outcome.revision + 1  # atomic in SQL; caches key on it


def create_draft(kind: str, source_id: int, *, actor, now, locale: str = "fi") -> Outcome:
    access.require(actor, MANAGE, now=now)
    if kind not in sources.KINDS:
        raise ValidationFailed(_l("Unknown kind of process."))
    if db.session.scalar(select(Outcome.id).where(Outcome.source_kind == kind, Outcome.source_id == source_id)):
        raise Conflict(_l("This process already has an outcome."))
    finished_ids = {r["id"] for r in sources.finished(kind)}
    if source_id not in finished_ids:
        raise ValidationFailed(_l("Only a finished process can get an outcome."))
    data = sources.load(kind, source_id, locale)
    if data is None:
        raise NotFound()
    summary = data.summary or _prefill_summary(data, locale)
    language = locale if locale in LANGUAGES else "fi"
    # The process's own translations come along, so Swedish and English readers see the
    # outcome in their language from the start; the preparer edits them like any text.
    carried = translated.clean(sources.carried_translations(kind, source_id, data, language),
                               ("title", "question", "background", "summary"), original_lang=language)
    limits = {"title": 200, "question": 5000, "background": 20000, "summary": 50000}
    carried = {lang: {f: plain_text(v, limits[f]) for f, v in version.items()} for lang, version in carried.items()}
    if not data.summary:
        # The one-line starting summary is ours, not the process's: write it in every language.
        for lang in LANGUAGES:
            line = _prefill_summary(data, lang) if lang != language else ""
            if line and "summary" not in carried.get(lang, {}):
                carried.setdefault(lang, {})["summary"] = line
    outcome = Outcome(
        source_kind=kind, source_id=source_id, state=DRAFT, language=language, translations=carried,
        title=plain_text(data.title, 200) or "—",
        question=plain_text(data.question), background=plain_text(data.background), summary=summary,
        figures=data.figures, timeline=[_jsonable(t) for t in data.timeline],
        composition=_jsonable(data.composition), points=data.points, results=_jsonable(data.results),
        statement=_jsonable(data.statement), opened_at=data.opens_at, closed_at=data.closed_at,
        created_at=now, updated_at=now, created_by_id=getattr(actor, "id", None))
    db.session.add(outcome)
    _log(outcome, "created", now, actor)
    db.session.commit()
    return outcome


def _prefill_summary(data: sources.SourceData, locale: str) -> str:
    """A one-line starting point the preparer edits.  It never repeats what the page
    shows anyway (the statement, the ideas with the most support, broad agreement, the
    opinion groups): the summary is the preparer's own account of what came out."""
    from flask_babel import force_locale, ngettext

    f = data.figures or {}
    with force_locale(locale if locale in LANGUAGES else "fi"):
        if data.kind == sources.IDEAS:
            return ngettext("In the idea round, %(num)s participant wrote %(ideas)s ideas and cast %(votes)s votes.",
                            "In the idea round, %(num)s participants wrote %(ideas)s ideas and cast %(votes)s votes.",
                            int(f.get("participants") or 0), ideas=int(f.get("ideas") or 0),
                            votes=int(f.get("votes") or 0))
        if data.statement:
            return ngettext("The digiraati of %(num)s member wrote the statement below.",
                            "The digiraati of %(num)s members wrote the statement below.", int(f.get("members") or 0))
    return ""


def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def update_draft(outcome_id: int, *, title: str, question: str, background: str, summary: str,
                 actor, now, language: str | None = None, plain_summary: str | None = None) -> Outcome:
    outcome = get_for_staff(outcome_id, actor=actor, now=now)
    title = plain_text(title, 200)
    if not title:
        raise ValidationFailed(_l("The title is required."))
    if language is not None:
        if language not in LANGUAGES:
            raise ValidationFailed(_l("Choose Finnish, Swedish or English."))
        outcome.language = language
    outcome.title = title
    outcome.question = plain_text(question, 5000)
    outcome.background = plain_text(background, 20000)
    outcome.summary = plain_text(summary, 50000)
    if plain_summary is not None:
        outcome.plain_summary = plain_text(plain_summary, 10000)
    _log(outcome, "edited", now, actor)
    db.session.commit()
    return outcome


def save_translation(outcome_id: int, language: str, *, title: str, question: str, background: str,
                     summary: str, actor, now) -> Outcome:
    """The outcome's texts in another language; an empty title removes the translation."""
    outcome = get_for_staff(outcome_id, actor=actor, now=now)
    if language not in LANGUAGES:
        raise NotFound()
    if language == outcome.language:
        raise ValidationFailed(_l("The texts above are already in this language."))
    translations = dict(outcome.translations or {})
    title = plain_text(title, 200)
    if title:
        translations[language] = {"title": title, "question": plain_text(question, 5000),
                                  "background": plain_text(background, 20000), "summary": plain_text(summary, 50000)}
    elif (question or "").strip() or (background or "").strip() or (summary or "").strip():
        raise ValidationFailed(_l("The title is required."))
    else:
        translations.pop(language, None)
    outcome.translations = translations
    _log(outcome, "edited", now, actor)
    db.session.commit()
    return outcome


def add_attachment(outcome_id: int, *, title: str, filename: str, data: bytes, actor, now) -> OutcomeAttachment:
    outcome = get_for_staff(outcome_id, actor=actor, now=now)
    name = safe_filename(filename)
    ctype = sniff_type(name, data)
    if ctype is None:
        raise ValidationFailed(_l("The file type is not accepted or the file does not match its name. "
                                  "Accepted: PDF, PNG, JPEG, Word, Excel, PowerPoint, OpenDocument, text and CSV."))
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 5 * 1024 * 1024
    if len(data) > limit:
        raise ValidationFailed(_l("The file is too large."))
    if len(outcome.attachments) >= MAX_ATTACHMENTS:
        raise ValidationFailed(_l("An outcome can have at most %(n)s attachments."), n=MAX_ATTACHMENTS)
    att = OutcomeAttachment(title=plain_text(title, 200) or name, filename=name, content_type=ctype,
                            size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data,
                            uploaded_at=now)
    outcome.attachments.append(att)
    _log(outcome, "attachment_added", now, actor, name)
    db.session.commit()
    return att


def remove_attachment(outcome_id: int, attachment_id: int, *, actor, now) -> None:
    outcome = get_for_staff(outcome_id, actor=actor, now=now)
    att = next((a for a in outcome.attachments if a.id == attachment_id), None)
    if att is None:
        raise NotFound()
    outcome.attachments.remove(att)
    _log(outcome, "attachment_removed", now, actor, att.filename)
    db.session.commit()


def staff_attachment(outcome_id: int, attachment_id: int, *, actor, now) -> OutcomeAttachment:
    outcome = get_for_staff(outcome_id, actor=actor, now=now)
    att = db.session.get(OutcomeAttachment, attachment_id)
    if att is None or att.outcome_id != outcome.id:
        raise NotFound()
    return att


# --- publication --------------------------------------------------------------------------

def publish(outcome_id: int, *, at: datetime | None = None, actor, now) -> Outcome:
    """Publish now (``at`` None) or schedule for ``at`` (naive UTC, in the future)."""
    outcome = get_for_staff(outcome_id, actor=actor, now=now)
    if outcome.state == PUBLISHED:
        raise Conflict(_l("The outcome is already published."))
    if not (outcome.summary or "").strip():
        raise ValidationFailed(_l("Write a summary before publishing: the public page needs to say what came out of the process."))
    if not (outcome.title or "").strip():
        raise ValidationFailed(_l("The title is required."))
    if at is not None:
        if at <= now:
            raise ValidationFailed(_l("The scheduled time is in the past. Choose a future time or publish now."))
        outcome.state = SCHEDULED
        outcome.publish_at = at
        _log(outcome, "scheduled", now, actor, at.isoformat())
        db.session.commit()
        return outcome
    outcome.state = PUBLISHED
    outcome.publish_at = None
    outcome.published_at = now
    sent = _notify(outcome, "outcomes/published", now=now, include_requested=True)
    _log(outcome, "published", now, actor, mails=sent)
    _forget_requested_if_done(outcome)
    db.session.commit()
    return outcome


def withdraw(outcome_id: int, *, actor, now) -> Outcome:
    """Back to draft: cancels a schedule or takes a published outcome off the public pages."""
    outcome = get_for_staff(outcome_id, actor=actor, now=now)
    if outcome.state == DRAFT:
        raise Conflict(_l("The outcome is not published or scheduled."))
    was = outcome.state
    outcome.state = DRAFT
    outcome.publish_at = None
    _log(outcome, "withdrawn" if was == PUBLISHED else "schedule_cancelled", now, actor)
    db.session.commit()
    return outcome


def publish_due(now: datetime) -> int:
    """Job: publish scheduled outcomes whose time has come.  The guarded UPDATE makes a
    second runner harmless: only the runner that flips the state sends the mail."""
    due = db.session.scalars(select(Outcome.id).where(Outcome.state == SCHEDULED,
                                                      Outcome.publish_at <= now)).all()
    done = 0
    for outcome_id in due:
        from . import cache

        cache.invalidate()
        flipped = db.session.execute(
            update(Outcome).where(Outcome.id == outcome_id, Outcome.state == SCHEDULED)
            .values(state=PUBLISHED, published_at=Outcome.publish_at, publish_at=None)).rowcount
        if flipped != 1:
            db.session.rollback()
            continue
        outcome = db.session.get(Outcome, outcome_id)
        db.session.refresh(outcome)
        sent = _notify(outcome, "outcomes/published", now=now, include_requested=True)
        _log(outcome, "published", now, None, "scheduled", mails=sent)
        _forget_requested_if_done(outcome)
        db.session.commit()
        done += 1
    return done


def public_url(outcome: Outcome) -> str:
    return f"{current_app.config['SITE_URL']}/tulokset/{outcome.id}"


def _notify(outcome: Outcome, template: str, *, now, include_requested: bool, **context) -> int:
    """Queue one mail per recipient in their language, in the caller's transaction.

    ``include_requested`` adds the idea-round participants who left an address; see
    :func:`_forget_requested_if_done` for how long those addresses are kept."""
    recipients = sources.recipients(outcome.source_kind, outcome.source_id, include_requested=include_requested)
    by_locale: dict[str, list] = {}
    for email, locale in recipients:
        if locale not in by_locale:   # the reasoning in the recipient's language where translated
            by_locale[locale] = [{"text": r["text"], "status": r["current"].status, "reasoning": r["reasoning"].text}
                                 for r in present_impacts(outcome, locale) if r["current"]]
        queue_template(email, template, locale=locale, category="outcome", now=now,
                       outcome=outcome, title=texts(outcome, locale).title, url=public_url(outcome),
                       impacts=by_locale[locale],
                       decisions=list(outcome.decisions), t=TEXT, status_labels=STATUS_LABELS, **context)
    return len(recipients)


def _impact_recorded(outcome: Outcome) -> bool:
    """Whether a decision with at least one impact has been recorded for the outcome."""
    return bool(outcome.decisions) and any(r.decision_id is not None for r in outcome.impacts)


def _forget_requested_if_done(outcome: Outcome, *, closed_without_decision: bool = False) -> int:
    """Delete the idea-round notification addresses once they have served their purpose.

    Policy (issue 6: participants who asked to be told get an e-mail when the outcome is
    published *and* when the decision impact is recorded, and their address is deleted
    after the notification).  The addresses live only in the ideas area
    (``IdeaNotifyRequest``, unlinked to anything the person wrote); outcomes never copy
    them.  They are kept

    - through publication (the "published" mail goes to them), and
    - until the first decision impact has been recorded *and* notified to them: the
      "impact" mail of ``record_decision`` when the outcome is published, or the
      "published" mail of an outcome whose impact was recorded before publication
      (that mail lists the decision and the impact);

    then ``deliberation.ideas.api.forget_notify_recipients`` deletes them.  If the preparer
    marks a published outcome closed without a decision (:func:`close_without_decision`),
    they are deleted at once, since no impact mail will follow.

    Call this last, just before the caller's commit: the ideas api commits, which makes
    the outcome change, the queued mails and the deletion one transaction.  Returns the
    number of addresses deleted."""
    if outcome.state != PUBLISHED or not (closed_without_decision or _impact_recorded(outcome)):
        return 0
    return sources.forget_requested(outcome.source_kind, outcome.source_id)


def close_without_decision(outcome_id: int, *, actor, now) -> Outcome:
    """The preparer's statement that no decision will use this (published) outcome: the
    change is dated in the history and the idea-round notification addresses, which were
    kept for the impact mail, are deleted."""
    outcome = get_for_staff(outcome_id, actor=actor, now=now)
    if outcome.state != PUBLISHED:
        raise Conflict(_l("Publish the outcome before closing it without a decision."))
    if outcome.decisions:
        raise Conflict(_l("A decision has already been recorded for this outcome."))
    if is_closed_without_decision(outcome):
        raise Conflict(_l("The outcome is already closed without a decision."))
    _log(outcome, "closed_without_decision", now, actor)
    _forget_requested_if_done(outcome, closed_without_decision=True)
    db.session.commit()
    return outcome


def is_closed_without_decision(outcome: Outcome) -> bool:
    return any(c.action == "closed_without_decision" for c in outcome.changes)


# --- decisions, impact, follow-ups ----------------------------------------------------------

def _revisions(outcome: Outcome) -> list[history.Revision]:
    return [history.Revision(r.point_key, r.status, r.reasoning, r.recorded_at, r.decision_id, r.id or 0)
            for r in outcome.impacts]


def impact_state(outcome: Outcome) -> dict[str, history.Current]:
    return history.current(_revisions(outcome))


def _parse_date(value, label) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise ValidationFailed(_l("%(field)s: enter a date as YYYY-MM-DD."), field=label) from None


def record_decision(outcome_id: int, *, body: str, meeting_date, item: str = "", minutes_url: str = "",
                    summary: str = "", impacts: dict[str, tuple[str, str]] | None = None,
                    decision_id: int | None = None, notify: bool = True, actor, now,
                    translations: dict | None = None, impact_translations: dict | None = None) -> OutcomeDecision:
    """Record (or correct) a decision and the impact per point.  ``impacts`` maps a point
    key to (status, reasoning); an empty status leaves the point unassessed.
    ``translations`` gives the body and summary in the outcome's other languages
    (``{"sv": {"body", "summary"}}``), ``impact_translations`` each point's reasoning
    (``{key: {"sv": "..."}}``).  All input is validated before anything is written."""
    outcome = get_for_staff(outcome_id, actor=actor, now=now)
    body = plain_text(body, 200)
    errors = []
    if not body:
        errors.append(_l("Name the decision-making body."))
    meeting = _parse_date(meeting_date, _l("Meeting date"))
    url = None
    if minutes_url and minutes_url.strip():
        url = safe_http_url(minutes_url)
        if url is None:
            errors.append(_l("The minutes link must be a full web address starting with http:// or https://."))
    keys = {p["key"]: p for p in outcome.points}
    clean: dict[str, tuple[str, str]] = {}
    for key, (status, reasoning) in (impacts or {}).items():
        if not status:
            continue
        if key not in keys:
            errors.append(_l("Unknown point."))
            continue
        if status not in history.STATUSES:
            errors.append(_l("Unknown impact status."))
            continue
        reasoning = plain_text(reasoning, 5000)
        if not reasoning:
            errors.append(_l("Explain in plain language why: “%(point)s”.") % {"point": keys[key]["text"][:80]})
            continue
        versions = {lang: {"reasoning": text} for lang, text in ((impact_translations or {}).get(key) or {}).items()}
        clean[key] = (status, reasoning, translated.clean(versions, ("reasoning",), original_lang=outcome.language or "fi",
                                                          limit=5000))
    if errors:
        raise ValidationFailed(" ".join(str(e) for e in errors))
    if decision_id is not None:
        decision = next((d for d in outcome.decisions if d.id == decision_id), None)
        if decision is None:
            raise NotFound()
        action = "decision_edited"
    else:
        decision = OutcomeDecision(recorded_at=now)
        outcome.decisions.append(decision)
        action = "decision_recorded"
    decision.body, decision.meeting_date, decision.item = body, meeting, plain_text(item, 60)
    decision.minutes_url, decision.summary, decision.updated_at = url, plain_text(summary, 10000), now
    decision.translations = translated.clean(
        {lang: {f: plain_text(v.get(f) or "", 200 if f == "body" else 10000) for f in ("body", "summary")}
         for lang, v in (translations or {}).items() if isinstance(v, dict)},
        ("body", "summary"), original_lang=outcome.language or "fi")
    db.session.flush()
    state = impact_state(outcome)
    latest = {}
    for r in sorted(outcome.impacts, key=lambda r: (r.recorded_at, r.id or 0)):
        latest[r.point_key] = r
    changed = 0
    for key, (status, reasoning, versions) in clean.items():
        # A corrected translation alone is also a new, dated revision: rows are never edited.
        if history.is_change(state.get(key), status, reasoning, decision.id) or \
                (key in latest and (latest[key].translations or {}) != versions):
            outcome.impacts.append(ImpactRevision(decision_id=decision.id, point_key=key, status=status,
                                                  reasoning=reasoning, translations=versions, recorded_at=now,
                                                  recorded_by_id=getattr(actor, "id", None)))
            changed += 1
    db.session.flush()
    sent = 0
    if notify and outcome.state == PUBLISHED:
        # Idea-round participants who asked are told once an impact is there to tell;
        # a decision without any impact goes to members only and keeps their addresses.
        sent = _notify(outcome, "outcomes/impact", now=now, include_requested=_impact_recorded(outcome),
                       decision=decision)
    _log(outcome, action, now, actor, f"{body} {meeting.isoformat()} {decision.item}; {changed} impacts", mails=sent)
    if changed and outcome.state == PUBLISHED:
        from deliberation.follow import changes   # followers hear of it in their weekly digest

        changes.record("outcome", outcome.id, "impact_recorded", now=now)
    if notify:
        _forget_requested_if_done(outcome)
    db.session.commit()
    return decision


def add_follow_up(outcome_id: int, *, entry_date, text: str, actor, now) -> FollowUp:
    outcome = get_for_staff(outcome_id, actor=actor, now=now)
    text = plain_text(text, 5000)
    if not text:
        raise ValidationFailed(_l("Write what happened."))
    entry = FollowUp(entry_date=_parse_date(entry_date, _l("Date")), text=text, recorded_at=now)
    outcome.follow_ups.append(entry)
    _log(outcome, "follow_up", now, actor, text[:200])
    db.session.commit()
    return entry


# --- metrics ------------------------------------------------------------------------------

def metrics_records(*, actor, now) -> list[dict]:
    from .rules import METRICS

    access.require(actor, METRICS, now=now)
    outcomes = {(o.source_kind, o.source_id): o for o in db.session.scalars(select(Outcome))}
    records = []
    seen = set()
    for kind in sources.KINDS:
        for row in sources.finished(kind):
            seen.add((kind, row["id"]))
            records.append(_record(kind, row["title"], outcomes.get((kind, row["id"]))))
    for key, o in outcomes.items():
        if key not in seen:
            records.append(_record(o.source_kind, o.title, o))
    return records


def _record(kind: str, title: str, o: Outcome | None) -> dict:
    rec = {"kind": kind, "title": title, "has_outcome": o is not None, "published": False,
           "participants": None, "ideas": None, "tvd": None, "impact_recorded": False,
           "closed_at": None, "published_at": None, "points_assessed": 0, "points_adopted": 0,
           "outcome_id": o.id if o else None, "state": o.state if o else None}
    if o is None:
        return rec
    figs = o.figures or {}
    tvds = [t for t in (feature_tvd(f.get("categories") or []) for f in o.composition or []) if t is not None]
    state = impact_state(o)
    rec.update(published=o.state == PUBLISHED, participants=figs.get("participants", figs.get("members")),
               ideas=figs.get("ideas"), tvd=max(tvds) if tvds else None,
               impact_recorded=bool(o.decisions) and bool(state), closed_at=o.closed_at,
               published_at=o.published_at,
               points_assessed=sum(1 for c in state.values() if c.status != history.PENDING),
               points_adopted=sum(1 for c in state.values() if c.status in (history.ADOPTED, history.PARTLY)))
    return rec
