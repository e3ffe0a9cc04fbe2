"""Preparing an outcome: the staff's reading of outcomes, a draft made from a finished
process, its texts and translations, and its attachments.

Services take ``actor`` and ``now``, check access first and validate everything before
writing; they never commit (the caller does: a view through ``kuulas.web``, the demo
seeder, a CLI command through ``kuulas.effects.transaction``).
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from kuulas import access, translated
from kuulas.errors import Conflict, NotFound, ValidationFailed
from kuulas.extensions import db
from kuulas.sanitize import plain_text

from . import changelog, lifecycle, sources
from .models import Outcome, OutcomeAttachment
from .rules import MANAGE
from .safety import safe_filename, sniff_type

MAX_ATTACHMENTS = 20
LANGUAGES = ("fi", "sv", "en")


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


def staff_attachment(outcome_id: int, attachment_id: int, *, actor, now) -> OutcomeAttachment:
    outcome = get_for_staff(outcome_id, actor=actor, now=now)
    att = db.session.get(OutcomeAttachment, attachment_id)
    if att is None or att.outcome_id != outcome.id:
        raise NotFound()
    return att


def require_allowed(outcome: Outcome, action: str) -> None:
    """Refuse ``action`` with the lifecycle's reason (a Conflict: the state is wrong)."""
    from .present import is_closed_without_decision, reason

    key = lifecycle.why_not(outcome.state, action, decided=bool(outcome.decisions),
                            closed=is_closed_without_decision(outcome))
    if key is not None:
        raise Conflict(reason(key))


# --- a draft from a finished process -----------------------------------------------------

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
        source_kind=kind, source_id=source_id, state=lifecycle.DRAFT, language=language, translations=carried,
        title=plain_text(data.title, 200) or "—",
        question=plain_text(data.question), background=plain_text(data.background), summary=summary,
        figures=data.figures, timeline=[_jsonable(t) for t in data.timeline],
        composition=_jsonable(data.composition), points=data.points, results=_jsonable(data.results),
        statement=_jsonable(data.statement), opened_at=data.opens_at, closed_at=data.closed_at,
        created_at=now, updated_at=now, created_by_id=getattr(actor, "id", None))
    db.session.add(outcome)
    changelog.record(outcome, "created", now, actor)
    db.session.flush()   # the caller links to the new outcome by its id
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


# --- texts --------------------------------------------------------------------------------

def update_draft(outcome_id: int, *, title: str, question: str, background: str, summary: str,
                 actor, now, language: str | None = None, plain_summary: str | None = None) -> Outcome:
    outcome = get_for_staff(outcome_id, actor=actor, now=now)
    require_allowed(outcome, lifecycle.EDIT)
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
    changelog.record(outcome, "edited", now, actor)
    return outcome


def save_translation(outcome_id: int, language: str, *, title: str, question: str, background: str,
                     summary: str, actor, now) -> Outcome:
    """The outcome's texts in another language; an empty title removes the translation."""
    outcome = get_for_staff(outcome_id, actor=actor, now=now)
    require_allowed(outcome, lifecycle.EDIT)
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
    changelog.record(outcome, "edited", now, actor)
    return outcome


# --- attachments --------------------------------------------------------------------------

def add_attachment(outcome_id: int, *, title: str, filename: str, data: bytes, actor, now) -> OutcomeAttachment:
    outcome = get_for_staff(outcome_id, actor=actor, now=now)
    require_allowed(outcome, lifecycle.ATTACH)
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
    changelog.record(outcome, "attachment_added", now, actor, name)
    db.session.flush()
    return att


def remove_attachment(outcome_id: int, attachment_id: int, *, actor, now) -> None:
    outcome = get_for_staff(outcome_id, actor=actor, now=now)
    require_allowed(outcome, lifecycle.ATTACH)
    att = next((a for a in outcome.attachments if a.id == attachment_id), None)
    if att is None:
        raise NotFound()
    outcome.attachments.remove(att)
    changelog.record(outcome, "attachment_removed", now, actor, att.filename)
