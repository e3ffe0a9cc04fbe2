"""Service feedback: units, giving feedback, kiosks, handling, development items.

Services never commit: the caller (``kuulas.web.form_page``/``attempt``, a job, the CLI)
owns the transaction.  They take the acting user (or none, for giving feedback) and ``now``,
check access first, and raise ``kuulas.errors`` exceptions with translated reasons.
Never store or log anything that identifies a feedback's writer: no address, no user agent,
no cookie; times rounded to the hour; free text masked before it is stored.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from kuulas import access, redact, tokens
from kuulas.errors import AccessDenied, Conflict, KuulasError, NotFound, ValidationFailed
from kuulas.extensions import db
from kuulas.mail.services import forget_recipient_after_sending, queue_template
from kuulas.sanitize import plain_text

from . import lifecycle as lc
from . import mailtext
from .models import (DevelopmentItem, Feedback, FeedbackContact, Kiosk, KioskNonce, Unit,
                     UnitHandler)
from .rules import HANDLE, ITEMS, MANAGE, QUEUE, handles

REPLY_CATEGORY = "feedback_reply"
forget_recipient_after_sending(REPLY_CATEGORY)
_hasher = PasswordHasher()


class UnitClosed(KuulasError):
    status = 410
    code = "unit_closed"


def _round_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _public_id() -> str:
    return secrets.token_urlsafe(9)


# --- units ---------------------------------------------------------------------------------

@dataclass
class UnitData:
    name: dict
    area: str = ""
    target_days: int = 14
    manager_email: str = ""
    manager_locale: str = "fi"
    handler_ids: tuple[int, ...] = ()


def _validate_unit(data: UnitData) -> None:
    if not (data.name or {}).get("fi"):
        raise ValidationFailed(_l("Give the unit a name in Finnish."))
    if not 1 <= int(data.target_days) <= 90:
        raise ValidationFailed(_l("The target time must be between 1 and 90 days."))
    if data.manager_email:
        _valid_email(data.manager_email)


def _set_handlers(unit: Unit, handler_ids) -> None:
    from kuulas.accounts.models import Account

    wanted = set(int(i) for i in handler_ids)
    accounts = {a.id: a for a in db.session.scalars(select(Account).where(Account.id.in_(wanted)))} if wanted else {}
    for account_id in wanted:
        account = accounts.get(account_id)
        if account is None or not account.is_staff:
            raise ValidationFailed(_l("A handler must be a staff member."))
    unit.handlers = [h for h in unit.handlers if h.account_id in wanted]
    have = {h.account_id for h in unit.handlers}
    for account_id in sorted(wanted - have):
        unit.handlers.append(UnitHandler(account_id=account_id))


def create_unit(data: UnitData, *, actor, now: datetime) -> Unit:
    access.require(actor, MANAGE, now=now)
    _validate_unit(data)
    unit = Unit(slug=secrets.token_urlsafe(6).replace("_", "x").replace("-", "y").lower(),
                name={k: plain_text(v, 200) for k, v in data.name.items() if v}, area=data.area,
                target_days=int(data.target_days), manager_email=(data.manager_email or "").strip().lower(),
                manager_locale=data.manager_locale, created_at=now)
    db.session.add(unit)
    _set_handlers(unit, data.handler_ids)
    db.session.flush()
    return unit


def update_unit(unit_id: int, data: UnitData, *, actor, now: datetime) -> Unit:
    access.require(actor, MANAGE, now=now)
    unit = get_unit(unit_id)
    _validate_unit(data)
    unit.name = {k: plain_text(v, 200) for k, v in data.name.items() if v}
    unit.area, unit.target_days = data.area, int(data.target_days)
    unit.manager_email = (data.manager_email or "").strip().lower()
    unit.manager_locale = data.manager_locale
    _set_handlers(unit, data.handler_ids)
    return unit


def set_unit_active(unit_id: int, active: bool, *, actor, now: datetime) -> Unit:
    access.require(actor, MANAGE, now=now)
    unit = get_unit(unit_id)
    unit.active = active
    unit.closed_at = None if active else now
    return unit


def get_unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(_l("No such service unit."))
    return unit


def unit_by_slug(slug: str) -> Unit:
    """The unit of a public link; a closed unit is 410 Gone with a reason."""
    unit = db.session.scalar(select(Unit).where(Unit.slug == (slug or "")[:24]))
    if unit is None:
        raise NotFound(_l("No such service unit. Check the address or the QR code."))
    if not unit.active:
        raise UnitClosed(_l("This service unit no longer takes feedback here. "
                            "Choose another unit from the list of service units."))
    return unit


def units(*, active_only: bool = False) -> list[Unit]:
    query = select(Unit)
    if active_only:
        query = query.where(Unit.active.is_(True))
    return sorted(db.session.scalars(query), key=lambda u: u.text("name", "fi").lower())


# --- giving feedback ------------------------------------------------------------------------

@dataclass
class Given:
    feedback: Feedback
    masked: frozenset


def _valid_email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationFailed(_l("That is not an e-mail address. Check it, or leave it empty."),
                               code="email") from None


def give(unit: Unit, *, rating: int | None, text: str, kind: str | None, contact: str | None,
         locale: str, channel: str, now: datetime) -> Given:
    """Save one feedback.  Validates everything before anything is written."""
    if not unit.active:
        raise UnitClosed(_l("This service unit no longer takes feedback here. "
                            "Choose another unit from the list of service units."))
    text = plain_text(text or "")
    if rating is not None and rating not in lc.RATINGS:
        raise ValidationFailed(_l("Choose a rating from 1 to 5."), code="rating")
    if len(text) > lc.TEXT_LIMIT:
        raise ValidationFailed(_l("The text may be at most %(n)s characters.", n=lc.TEXT_LIMIT), code="text")
    if rating is None and not text:
        raise ValidationFailed(_l("Give a rating or write something: empty feedback cannot be sent."),
                               code="empty")
    if kind is not None and kind not in lc.KINDS:
        raise ValidationFailed(_l("Choose the kind of feedback from the list."), code="kind")
    email = _valid_email(contact.strip()) if contact and contact.strip() else None
    masked = redact.mask(text)
    received = _round_hour(now)
    feedback = Feedback(public_id=_public_id(), unit_id=unit.id, rating=rating, kind=kind,
                        text=masked.text, language=locale if locale in ("fi", "sv", "en") else "fi",
                        channel=channel, received_at=received, due_on=lc.due_date(received, unit.target_days),
                        wants_answer=email is not None, tags=[])
    db.session.add(feedback)
    db.session.flush()
    if email:
        db.session.add(FeedbackContact(feedback_id=feedback.id, email=email, locale=feedback.language))
    return Given(feedback, masked.found)


# --- kiosks ---------------------------------------------------------------------------------

def create_kiosk(unit_id: int, label: str, pin: str, *, actor, now: datetime) -> tuple[Kiosk, str]:
    """A kiosk and its one-time set-up code (shown once to the staff member)."""
    access.require(actor, MANAGE, now=now)
    unit = get_unit(unit_id)
    if not (pin or "").isdigit() or not 4 <= len(pin) <= 8:
        raise ValidationFailed(_l("The unlock code must be 4 to 8 digits."), code="pin")
    code = secrets.token_urlsafe(18)
    kiosk = Kiosk(unit_id=unit.id, label=plain_text(label, 80), setup_hash=tokens.digest(code),
                  unlock_hash=_hasher.hash(pin), created_at=now)
    db.session.add(kiosk)
    db.session.flush()
    return kiosk, code


def activate_kiosk(code: str, *, now: datetime) -> tuple[Kiosk, str]:
    """Turn a set-up code into the device token the tablet keeps in its cookie."""
    kiosk = tokens.find(Kiosk, code, column="setup_hash")
    if kiosk is None or not kiosk.active:
        raise NotFound(_l("This kiosk set-up link has already been used or is not valid."))
    token = secrets.token_urlsafe(32)
    kiosk.setup_hash = None
    kiosk.device_hash = tokens.digest(token)
    kiosk.activated_at = now
    return kiosk, token


def kiosk_for_device(token: str | None) -> Kiosk | None:
    if not token or len(token) > 100:
        return None
    kiosk = tokens.find(Kiosk, token, column="device_hash")
    return kiosk if kiosk is not None and kiosk.active and kiosk.unit.active else None


def issue_nonce(kiosk: Kiosk, now: datetime) -> str:
    nonce = secrets.token_urlsafe(18)
    db.session.add(KioskNonce(nonce_hash=tokens.digest(nonce), kiosk_id=kiosk.id, issued_at=now))
    return nonce


def consume_nonce(kiosk: Kiosk, nonce: str | None) -> bool:
    """One start screen admits one answer: the nonce is deleted by the one that uses it."""
    if not nonce or len(nonce) > 100:
        return False
    result = db.session.execute(delete(KioskNonce).where(KioskNonce.nonce_hash == tokens.digest(nonce),
                                                         KioskNonce.kiosk_id == kiosk.id))
    return result.rowcount == 1


def unlock_kiosk(kiosk: Kiosk, pin: str) -> None:
    try:
        _hasher.verify(kiosk.unlock_hash, pin or "")
    except VerificationError:
        raise AccessDenied(_l("Wrong unlock code.")) from None


def deactivate_kiosk(kiosk_id: int, *, actor, now: datetime) -> Kiosk:
    access.require(actor, MANAGE, now=now)
    kiosk = db.session.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise NotFound()
    kiosk.active = False
    kiosk.device_hash = kiosk.setup_hash = None
    return kiosk


def kiosks(unit_id: int) -> list[Kiosk]:
    return list(db.session.scalars(select(Kiosk).where(Kiosk.unit_id == unit_id).order_by(Kiosk.id)))


def purge_nonces(now: datetime, *, hours: int = 24) -> int:
    from datetime import timedelta
    result = db.session.execute(delete(KioskNonce).where(KioskNonce.issued_at < now - timedelta(hours=hours)))
    return result.rowcount or 0


# --- handling -------------------------------------------------------------------------------

def handled_units(actor) -> list[Unit]:
    return [u for u in units() if handles(actor, u)]


def queue(*, actor, now: datetime, unit_id: int | None = None, state: str | None = None) -> list[Feedback]:
    access.require(actor, QUEUE, now=now)
    unit_ids = [u.id for u in handled_units(actor) if unit_id is None or u.id == unit_id]
    if not unit_ids:
        return []
    query = select(Feedback).where(Feedback.unit_id.in_(unit_ids))
    if state in lc.STATES:
        query = query.where(Feedback.state == state)
    else:
        query = query.where(Feedback.state.in_(lc.OPEN_STATES))
    return list(db.session.scalars(query.order_by(Feedback.due_on, Feedback.id)))


def get_feedback(feedback_id: int, *, actor, now: datetime) -> Feedback:
    feedback = db.session.get(Feedback, feedback_id)
    if feedback is None:
        raise NotFound(_l("No such feedback."))
    access.require(actor, HANDLE, feedback.unit, now=now)
    return feedback


def has_contact(feedback: Feedback) -> bool:
    return db.session.get(FeedbackContact, feedback.id) is not None


def _transition(feedback: Feedback, action: str) -> None:
    try:
        feedback.state = lc.check(action, feedback.state, has_contact=has_contact(feedback))
    except lc.IllegalTransition:
        reason = lc.why_not(action, feedback.state, has_contact=has_contact(feedback))
        raise Conflict(WHY_NOT.get(reason, WHY_NOT["state"])) from None


WHY_NOT = {
    "needs_answer": _l("The writer asked for an answer: answer before closing."),
    "closed": _l("This feedback is closed."),
    "answered": _l("This feedback has already been answered."),
    "state": _l("That cannot be done in the feedback's current state."),
}


def take(feedback_id: int, *, actor, now: datetime) -> Feedback:
    feedback = get_feedback(feedback_id, actor=actor, now=now)
    _transition(feedback, lc.TAKE)
    feedback.handler_id = actor.id
    return feedback


def answer(feedback_id: int, reply: str, *, public: bool, actor, now: datetime) -> Feedback:
    """Record the answer; mail it to the writer if they left an address, then forget the
    address (the outbox forgets it too once delivered)."""
    feedback = get_feedback(feedback_id, actor=actor, now=now)
    reply = plain_text(reply, 4000)
    if not reply:
        raise ValidationFailed(_l("Write the answer."), code="reply")
    contact = db.session.get(FeedbackContact, feedback.id)
    _transition(feedback, lc.ANSWER)
    feedback.reply = reply
    feedback.reply_public = bool(public)
    if public and feedback.public_text is None:
        feedback.public_text = feedback.text
    feedback.answered_on = now.date()
    feedback.handler_id = feedback.handler_id or actor.id
    if contact is not None:
        queue_template(contact.email, "feedback/reply", locale=contact.locale, category=REPLY_CATEGORY,
                       now=now, unit=feedback.unit, reply=reply, locale_code=contact.locale, t=mailtext.REPLY)
        db.session.delete(contact)
    return feedback


def close(feedback_id: int, *, actor, now: datetime) -> Feedback:
    feedback = get_feedback(feedback_id, actor=actor, now=now)
    _transition(feedback, lc.CLOSE)
    feedback.closed_on = now.date()
    return feedback


def set_tags(feedback_id: int, tags: list[str], *, actor, now: datetime) -> Feedback:
    feedback = get_feedback(feedback_id, actor=actor, now=now)
    clean = []
    for tag in tags:
        tag = plain_text(tag, 40).lower()
        if tag and tag not in clean:
            clean.append(tag)
    if len(clean) > 10:
        raise ValidationFailed(_l("At most 10 themes per feedback."), code="tags")
    feedback.tags = clean
    return feedback


def moderate(feedback_id: int, public_text: str, *, actor, now: datetime) -> Feedback:
    """Set the text the public may see (what identifies a person removed by the handler)."""
    feedback = get_feedback(feedback_id, actor=actor, now=now)
    text = redact.mask(plain_text(public_text, lc.TEXT_LIMIT)).text
    feedback.public_text = text or None
    return feedback


def set_reply_public(feedback_id: int, public: bool, *, actor, now: datetime) -> Feedback:
    feedback = get_feedback(feedback_id, actor=actor, now=now)
    if public and not feedback.reply:
        raise Conflict(_l("Only answered feedback can be shown with its answer."))
    feedback.reply_public = bool(public)
    if public and feedback.public_text is None:
        feedback.public_text = feedback.text
    return feedback


# --- development items ----------------------------------------------------------------------

def _item(item_id: int) -> DevelopmentItem:
    item = db.session.get(DevelopmentItem, item_id)
    if item is None:
        raise NotFound(_l("No such development item."))
    return item


def items(*, actor, now: datetime) -> list[DevelopmentItem]:
    access.require(actor, ITEMS, now=now)
    visible = {u.id for u in handled_units(actor)}
    return [i for i in db.session.scalars(select(DevelopmentItem).order_by(DevelopmentItem.id.desc()))
            if i.unit_id is None or i.unit_id in visible or access.can(actor, MANAGE)]


def get_item(item_id: int, *, actor, now: datetime) -> DevelopmentItem:
    access.require(actor, ITEMS, now=now)
    item = _item(item_id)
    if item.unit is not None:
        access.require(actor, HANDLE, item.unit, now=now)
    return item


def item_feedback(item_id: int) -> list[Feedback]:
    return list(db.session.scalars(select(Feedback).where(Feedback.item_id == item_id).order_by(Feedback.id)))


def create_item(*, title: dict, description: dict, theme: str, unit_id: int | None,
                feedback_ids: list[int], actor, now: datetime) -> DevelopmentItem:
    access.require(actor, ITEMS, now=now)
    if not (title or {}).get("fi"):
        raise ValidationFailed(_l("Give the development item a title in Finnish."), code="title")
    unit = get_unit(unit_id) if unit_id else None
    if unit is not None:
        access.require(actor, HANDLE, unit, now=now)
    item = DevelopmentItem(unit_id=unit.id if unit else None,
                           title={k: plain_text(v, 200) for k, v in title.items() if v},
                           description={k: plain_text(v, 4000) for k, v in (description or {}).items() if v},
                           theme=plain_text(theme, 60).lower(), created_at=now, created_by=actor.id)
    db.session.add(item)
    db.session.flush()
    gather(item.id, feedback_ids, actor=actor, now=now)
    return item


def gather(item_id: int, feedback_ids: list[int], *, actor, now: datetime) -> DevelopmentItem:
    item = get_item(item_id, actor=actor, now=now)
    for feedback_id in feedback_ids:
        feedback = get_feedback(int(feedback_id), actor=actor, now=now)
        if item.unit_id is not None and feedback.unit_id != item.unit_id:
            raise ValidationFailed(_l("Feedback of another unit cannot be gathered into this item."))
        feedback.item_id = item.id
        if item.theme and item.theme not in (feedback.tags or []):
            feedback.tags = [*(feedback.tags or []), item.theme]
    return item


def decide(item_id: int, *, decision: dict, decided_on: date, change: dict, changed_on: date | None,
           actor, now: datetime) -> DevelopmentItem:
    item = get_item(item_id, actor=actor, now=now)
    if not (decision or {}).get("fi"):
        raise ValidationFailed(_l("Write what was decided, in Finnish at least."), code="decision")
    if decided_on is None or decided_on > now.date():
        raise ValidationFailed(_l("The decision date cannot be in the future."), code="decided_on")
    if changed_on is not None and changed_on < decided_on:
        raise ValidationFailed(_l("The change cannot come before the decision."), code="changed_on")
    if not item_feedback(item.id):
        raise ValidationFailed(_l("Gather at least one feedback into the item before recording a decision."))
    item.state = lc.check_item(lc.DECIDE, item.state)
    item.decision = {k: plain_text(v, 4000) for k, v in decision.items() if v}
    item.change = {k: plain_text(v, 4000) for k, v in (change or {}).items() if v}
    item.decided_on, item.changed_on = decided_on, changed_on
    return item
