"""After publication: the decisions that used an outcome, the impact per statement point or
idea (append-only, dated revisions), and follow-ups of what happened next.

All input is validated before anything is written; services never commit.
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from kuulas import translated
from kuulas.errors import NotFound, ValidationFailed
from kuulas.extensions import db
from kuulas.sanitize import plain_text

from . import changelog, history, lifecycle, publication
from .drafts import get_for_staff, require_allowed
from .models import FollowUp, ImpactRevision, Outcome, OutcomeDecision
from .safety import safe_http_url


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


def _clean_impacts(outcome: Outcome, impacts, impact_translations, errors: list) -> dict:
    keys = {p["key"]: p for p in outcome.points}
    clean: dict[str, tuple[str, str, dict]] = {}
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
    return clean


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
    require_allowed(outcome, lifecycle.DECIDE)
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
    clean = _clean_impacts(outcome, impacts, impact_translations, errors)
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
    changed = _revise_impacts(outcome, decision, clean, actor=actor, now=now)
    sent = 0
    if notify and lifecycle.allows(outcome.state, lifecycle.NOTIFY):
        # Idea-round participants who asked are told once an impact is there to tell;
        # a decision without any impact goes to members only and keeps their addresses.
        sent = publication.notify(outcome, "outcomes/impact", now=now,
                                  include_requested=publication.impact_recorded(outcome), decision=decision)
    changelog.record(outcome, action, now, actor, f"{body} {meeting.isoformat()} {decision.item}; {changed} impacts",
                     mails=sent)
    if changed and lifecycle.is_public(outcome.state):
        from deliberation.follow import changes   # followers hear of it in their weekly digest

        changes.record("outcome", outcome.id, "impact_recorded", now=now)
    if notify:
        publication.forget_requested_if_done(outcome)
    return decision


def _revise_impacts(outcome: Outcome, decision: OutcomeDecision, clean: dict, *, actor, now) -> int:
    """Append a dated revision for each point whose impact changed; returns how many."""
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
    return changed


def add_follow_up(outcome_id: int, *, entry_date, text: str, actor, now) -> FollowUp:
    outcome = get_for_staff(outcome_id, actor=actor, now=now)
    require_allowed(outcome, lifecycle.FOLLOW_UP)
    text = plain_text(text, 5000)
    if not text:
        raise ValidationFailed(_l("Write what happened."))
    entry = FollowUp(entry_date=_parse_date(entry_date, _l("Date")), text=text, recorded_at=now)
    outcome.follow_ups.append(entry)
    changelog.record(outcome, "follow_up", now, actor, text[:200])
    db.session.flush()
    return entry
