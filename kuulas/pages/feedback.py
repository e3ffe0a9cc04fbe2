"""Accessibility feedback: residents report a barrier, staff answer within the legal
deadline (Act on the Provision of Digital Services 306/2019 §18: 14 days).

Services only: they take ``actor`` and ``now`` and never touch the request.  The contact
address is personal data kept for one purpose, the reply: it is deleted when the reply
is queued, and the outbox drops it once the mail is delivered.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from .. import access
from ..access import Role
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..sanitize import plain_text
from .models import AccessibilityFeedback

HANDLE = "site:feedback:handle"
REPLY_DAYS = 14
DUE_SOON = timedelta(days=3)
REMIND_EVERY = timedelta(days=1)
MAIL_CATEGORY = "accessibility_reply"
MAX_DESCRIPTION = 5000

access.register(HANDLE, {Role.ADMINISTRATOR})


def due_date(created_at: datetime) -> datetime:
    return created_at + timedelta(days=REPLY_DAYS)


def status(item: AccessibilityFeedback, now: datetime) -> str:
    """``replied``, ``overdue``, ``due_soon`` or ``open``."""
    if item.replied_at is not None:
        return "replied"
    if item.due_at <= now:
        return "overdue"
    if item.due_at - now <= DUE_SOON:
        return "due_soon"
    return "open"


def submit(*, name: str, email: str, page: str, description: str, locale: str,
           now: datetime) -> AccessibilityFeedback:
    """Anyone may send feedback; nothing but what they typed is stored."""
    from ..accounts.services import normalise_email

    description = plain_text(description)
    if not description:
        raise ValidationFailed(_l("Describe the problem you met."))
    if len(description) > MAX_DESCRIPTION:
        raise ValidationFailed(_l("The description is too long (at most %(n)s characters)."),
                               n=MAX_DESCRIPTION)
    item = AccessibilityFeedback(created_at=now, due_at=due_date(now), locale=locale,
                                 name=plain_text(name, 120), contact_email=normalise_email(email),
                                 page=plain_text(page, 500), description=description)
    db.session.add(item)
    db.session.flush()
    return item


def queue(*, actor, now: datetime) -> list[AccessibilityFeedback]:
    """Unanswered first, the nearest deadline first; then the answered, newest first."""
    access.require(actor, HANDLE, now=now)
    open_items = db.session.scalars(select(AccessibilityFeedback)
                                    .where(AccessibilityFeedback.replied_at.is_(None))
                                    .order_by(AccessibilityFeedback.due_at)).all()
    answered = db.session.scalars(select(AccessibilityFeedback)
                                  .where(AccessibilityFeedback.replied_at.is_not(None))
                                  .order_by(AccessibilityFeedback.replied_at.desc()).limit(100)).all()
    return [*open_items, *answered]


def get(feedback_id: int, *, actor, now: datetime) -> AccessibilityFeedback:
    access.require(actor, HANDLE, now=now)
    item = db.session.get(AccessibilityFeedback, feedback_id)
    if item is None:
        raise NotFound(_l("No such feedback."))
    return item


def reply(feedback_id: int, text: str, *, actor, now: datetime) -> AccessibilityFeedback:
    """Queue the reply to the contact address, then forget the address."""
    from ..mail import services as mail

    item = get(feedback_id, actor=actor, now=now)
    text = plain_text(text)
    if not text:
        raise ValidationFailed(_l("Write the reply."))
    recipient, locale, description = item.contact_email, item.locale, item.description
    # One guarded UPDATE: two staff members replying at once send one reply.
    claimed = db.session.execute(
        update(AccessibilityFeedback)
        .where(AccessibilityFeedback.id == item.id, AccessibilityFeedback.replied_at.is_(None))
        .values(replied_at=now, reply=text, replied_by_id=actor.id, contact_email=None)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise Conflict(_l("This feedback has already been answered."))
    if recipient:
        mail.queue_template(recipient, "accessibility_reply", locale=locale,
                            category=MAIL_CATEGORY, now=now, reply=text, description=description)
    db.session.refresh(item)
    return item


def remind_administrators(now: datetime) -> int:
    """Mail every active administrator when requests are due within three days or late;
    at most once a day per request.  Returns the number of requests reminded about."""
    from flask import current_app

    from ..accounts.models import Account, AccountRole
    from ..mail import services as mail

    soon = now + DUE_SOON
    ids = db.session.scalars(select(AccessibilityFeedback.id).where(
        AccessibilityFeedback.replied_at.is_(None), AccessibilityFeedback.due_at <= soon,
        or_(AccessibilityFeedback.reminded_at.is_(None),
            AccessibilityFeedback.reminded_at <= now - REMIND_EVERY))).all()
    claimed = []
    for feedback_id in ids:
        done = db.session.execute(
            update(AccessibilityFeedback)
            .where(AccessibilityFeedback.id == feedback_id,
                   AccessibilityFeedback.replied_at.is_(None),
                   or_(AccessibilityFeedback.reminded_at.is_(None),
                       AccessibilityFeedback.reminded_at <= now - REMIND_EVERY))
            .values(reminded_at=now).execution_options(synchronize_session=False)).rowcount
        if done == 1:
            claimed.append(feedback_id)
    if not claimed:
        return 0
    items = db.session.scalars(select(AccessibilityFeedback)
                               .where(AccessibilityFeedback.id.in_(claimed))).all()
    overdue = sum(1 for i in items if i.due_at <= now)
    admins = db.session.scalars(select(Account).join(AccountRole).where(
        AccountRole.role == Role.ADMINISTRATOR.value, Account.active.is_(True))).all()
    link = current_app.config["SITE_URL"] + "/hallinta/saavutettavuuspalaute"
    for admin in admins:
        mail.queue_template(admin.email, "accessibility_reminder", locale=admin.locale,
                            category="staff", now=now, count=len(items), overdue=overdue,
                            earliest=min(i.due_at for i in items), link=link)
    return len(claimed)


def _register() -> None:
    from ..mail.services import forget_recipient_after_sending
    from ..scheduler import job

    forget_recipient_after_sending(MAIL_CATEGORY)

    @job("pages.accessibility_feedback_reminders", seconds=3600)
    def _remind(now=None):
        from ..clock import utcnow

        return remind_administrators(now or utcnow())


_register()
