"""Publishing an outcome: now, at a chosen time (the scheduler's job), withdrawing it,
closing it without a decision, and telling the participants by e-mail.

The moves are ``lifecycle``'s; mail goes to the outbox in the caller's transaction
(``kuulas.mail.services.queue_template``), so a rolled-back publication sends nothing.
Services never commit: the view, the job runner or the CLI does.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from kuulas.errors import ValidationFailed
from kuulas.extensions import db
from kuulas.mail.services import queue_template

from . import changelog, lifecycle, sources
from .drafts import get_for_staff, require_allowed
from .lifecycle import PUBLISHED, SCHEDULED
from .mailtext import TEXT
from .models import Outcome
from .present import STATUS_LABELS, is_closed_without_decision, texts
from .present import impacts as present_impacts


def publish(outcome_id: int, *, at: datetime | None = None, actor, now) -> Outcome:
    """Publish now (``at`` None) or schedule for ``at`` (naive UTC, in the future)."""
    outcome = get_for_staff(outcome_id, actor=actor, now=now)
    require_allowed(outcome, lifecycle.PUBLISH if at is None else lifecycle.SCHEDULE)
    if not (outcome.summary or "").strip():
        raise ValidationFailed(_l("Write a summary before publishing: the public page needs to say what came out of the process."))
    if not (outcome.title or "").strip():
        raise ValidationFailed(_l("The title is required."))
    if at is not None:
        if at <= now:
            raise ValidationFailed(_l("The scheduled time is in the past. Choose a future time or publish now."))
        outcome.state = lifecycle.target(outcome.state, lifecycle.SCHEDULE)
        outcome.publish_at = at
        changelog.record(outcome, "scheduled", now, actor, at.isoformat())
        return outcome
    outcome.state = lifecycle.target(outcome.state, lifecycle.PUBLISH)
    outcome.publish_at = None
    outcome.published_at = now
    sent = notify(outcome, "outcomes/published", now=now, include_requested=True)
    changelog.record(outcome, "published", now, actor, mails=sent)
    forget_requested_if_done(outcome)
    return outcome


def withdraw(outcome_id: int, *, actor, now) -> Outcome:
    """Back to draft: cancels a schedule or takes a published outcome off the public pages."""
    outcome = get_for_staff(outcome_id, actor=actor, now=now)
    require_allowed(outcome, lifecycle.WITHDRAW)
    was = outcome.state
    outcome.state = lifecycle.target(was, lifecycle.WITHDRAW)
    outcome.publish_at = None
    changelog.record(outcome, lifecycle.withdraw_change(was), now, actor)
    return outcome


def publish_due(now: datetime) -> int:
    """Job: publish scheduled outcomes whose time has come.  The guarded UPDATE makes a
    second runner harmless: only the runner that flips the state sends the mail.  The job
    runner (``kuulas.scheduler.run_job``) commits."""
    due = db.session.scalars(select(Outcome.id).where(Outcome.state == SCHEDULED,
                                                      Outcome.publish_at <= now)).all()
    done = 0
    for outcome_id in due:
        flipped = db.session.execute(
            update(Outcome).where(Outcome.id == outcome_id, Outcome.state == SCHEDULED)
            .values(state=lifecycle.target(SCHEDULED, lifecycle.PUBLISH_DUE), published_at=Outcome.publish_at,
                    publish_at=None)).rowcount
        if flipped != 1:
            continue
        changelog.drop_caches()
        outcome = db.session.get(Outcome, outcome_id)
        db.session.refresh(outcome)
        sent = notify(outcome, "outcomes/published", now=now, include_requested=True)
        changelog.record(outcome, "published", now, None, "scheduled", mails=sent)
        forget_requested_if_done(outcome)
        done += 1
    return done


def public_url(outcome: Outcome) -> str:
    return f"{current_app.config['SITE_URL']}/tulokset/{outcome.id}"


def notify(outcome: Outcome, template: str, *, now, include_requested: bool, **context) -> int:
    """Queue one mail per recipient in their language, in the caller's transaction.

    ``include_requested`` adds the idea-round participants who left an address; see
    :func:`forget_requested_if_done` for how long those addresses are kept."""
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



def impact_recorded(outcome: Outcome) -> bool:
    """Whether a decision with at least one impact has been recorded for the outcome."""
    return bool(outcome.decisions) and any(r.decision_id is not None for r in outcome.impacts)


def forget_requested_if_done(outcome: Outcome, *, closed_without_decision: bool = False) -> int:
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

    The deletion joins the caller's transaction, so the outcome change, the queued mails
    and the deletion are saved together or not at all.  Returns the number of addresses
    deleted."""
    if outcome.state != PUBLISHED or not (closed_without_decision or impact_recorded(outcome)):
        return 0
    return sources.forget_requested(outcome.source_kind, outcome.source_id)


def close_without_decision(outcome_id: int, *, actor, now) -> Outcome:
    """The preparer's statement that no decision will use this (published) outcome: the
    change is dated in the history and the idea-round notification addresses, which were
    kept for the impact mail, are deleted."""
    outcome = get_for_staff(outcome_id, actor=actor, now=now)
    require_allowed(outcome, lifecycle.CLOSE)
    changelog.record(outcome, lifecycle.CLOSED_WITHOUT_DECISION, now, actor)
    forget_requested_if_done(outcome, closed_without_decision=True)
    return outcome


__all__ = ["publish", "withdraw", "publish_due", "public_url", "notify", "impact_recorded",
           "forget_requested_if_done", "close_without_decision", "is_closed_without_decision"]
