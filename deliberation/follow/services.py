"""Following: subscribe with double opt-in, confirm, unfollow, unsubscribe in one click,
expire unconfirmed requests.  Services take ``now``, never commit (views use
``kuulas.web.attempt``; jobs run under ``kuulas.scheduler.run_job``).

Links: the confirmation link carries a one-time token whose SHA-256 is stored on the
follow (``kuulas.tokens``); the manage and unsubscribe links carry
``<address id>.<HMAC of it under SECRET_KEY>`` (``kuulas.tokens.keyed``), so they keep
working in every mail without being stored, and die with the address.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, not_, exists, select

from kuulas import tokens
from kuulas.accounts.services import normalise_email
from kuulas.errors import KuulasError, NotFound, ValidationFailed
from kuulas.extensions import db
from kuulas.mail.services import queue_template

from . import targets
from .dates import day_text
from .models import KINDS, Follow, FollowAddress, PublicChange

CONFIRM_DAYS = 7
MAIL_CATEGORY = "follow"
LOCALES = ("fi", "sv", "en")
MANAGE_PURPOSE = "follow-manage"


class LinkExpired(KuulasError):
    status = 410
    code = "expired"


def day(now: datetime) -> datetime:
    """Stored times are rounded down to the day (see ``models``)."""
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _mail_time(now: datetime) -> datetime:
    # The outbox row's time, rounded to the hour: it is not set beside participation.
    return now.replace(minute=0, second=0, microsecond=0)


def manage_token(address: FollowAddress) -> str:
    return f"{address.id}.{tokens.keyed(current_app.config['SECRET_KEY'], MANAGE_PURPOSE, address.id)}"


def address_for(token: str | None) -> FollowAddress:
    """The address a manage/unsubscribe link names, or NotFound (also once it is deleted)."""
    address_id, _, mac = (token or "").partition(".")
    if not address_id or len(address_id) > 32 or not tokens.keyed_matches(
            current_app.config["SECRET_KEY"], MANAGE_PURPOSE, address_id, mac):
        raise NotFound(_l("This link is not valid, or you no longer follow anything with this address."))
    address = db.session.get(FollowAddress, address_id)
    if address is None:
        raise NotFound(_l("This link is not valid, or you no longer follow anything with this address."))
    return address


def site_url(path: str) -> str:
    return current_app.config["SITE_URL"].rstrip("/") + path


def unsubscribe_headers(address: FollowAddress) -> dict:
    """RFC 2369 and RFC 8058: mail programs show an unsubscribe button that POSTs here."""
    return {"List-Unsubscribe": f"<{site_url('/seuraa/peru/' + manage_token(address))}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def send_mail(address: FollowAddress, template: str, *, now: datetime, **context) -> None:
    """Render ``follow/mail/<template>.txt`` (first line: subject) in the address's language
    and queue it with the unsubscribe headers."""
    token = manage_token(address)
    queue_template(address.email, template, folder="follow/mail",
                   locale=address.locale if address.locale in LOCALES else "fi",
                   category=MAIL_CATEGORY, headers=unsubscribe_headers(address), now=_mail_time(now),
                   day_text=day_text, site_url=site_url, manage_url=site_url(f"/seuraa/omat/{token}"),
                   unsubscribe_url=site_url(f"/seuraa/peru/{token}"), **context)


def _valid_email(email: str) -> str:
    value = normalise_email(email)
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain or len(value) > 254 or any(c.isspace() for c in value):
        raise ValidationFailed(_l("Enter an e-mail address such as name@example.fi."))
    return value


def subscribe(kind: str, target_id: int, email: str, locale: str, *, now: datetime) -> bool:
    """Ask to follow a public thing.  Sends a confirmation link unless this address already
    follows it (or was sent a link for it today).  Returns whether a mail was queued; the
    page says the same either way, so nobody learns whether an address follows something."""
    if kind not in KINDS:
        raise NotFound()
    locale = locale if locale in LOCALES else "fi"
    target = targets.resolve(kind, target_id, locale, now=now)
    if target is None:
        raise NotFound(_l("This cannot be followed: it is not public."))
    email = _valid_email(email)
    address = db.session.scalar(select(FollowAddress).where(FollowAddress.email == email))
    if address is None:
        address = FollowAddress(email=email, locale=locale, created_on=day(now))
        db.session.add(address)
        db.session.flush()
    follow = db.session.scalar(select(Follow).where(Follow.address_id == address.id, Follow.kind == kind,
                                                    Follow.target_id == target_id))
    if follow is not None and (follow.confirmed_on is not None or follow.created_on >= day(now)):
        return False
    token = tokens.new()
    if follow is None:
        follow = Follow(address_id=address.id, kind=kind, target_id=target_id, created_on=day(now))
        db.session.add(follow)
    follow.confirm_hash = tokens.digest(token)
    follow.created_on = day(now)
    if not any(f.confirmed_on for f in address.follows if f is not follow):
        address.locale = locale   # the language of the latest request, until something is confirmed
    db.session.flush()
    send_mail(address, "confirm", now=now, target=target, confirm_url=site_url(f"/seuraa/vahvista/{token}"),
              days=CONFIRM_DAYS)
    return True


def _pending(token: str | None, now: datetime) -> Follow:
    follow = tokens.find(Follow, token, column="confirm_hash")
    if follow is None:
        raise NotFound(_l("This confirmation link is not valid or has already been used."))
    if follow.created_on + timedelta(days=CONFIRM_DAYS + 1) <= now:
        raise LinkExpired(_l("This confirmation link has expired. Ask to follow again on the page."))
    return follow


def peek_confirmation(token: str | None, *, now: datetime) -> tuple[Follow, targets.Target | None]:
    follow = _pending(token, now)
    return follow, targets.resolve(follow.kind, follow.target_id, follow.address.locale, now=now)


def confirm(token: str | None, *, now: datetime) -> Follow:
    follow = _pending(token, now)
    latest = db.session.scalar(select(func.max(PublicChange.id))) or 0
    follow.confirm_hash = None
    follow.confirmed_on = day(now)
    follow.since_change = latest
    return follow


def follows_of(address: FollowAddress, *, now: datetime) -> list[tuple[Follow, targets.Target | None]]:
    return [(f, targets.resolve(f.kind, f.target_id, address.locale, now=now))
            for f in sorted(address.follows, key=lambda f: (f.kind, f.target_id))]


def forget_address(address: FollowAddress) -> None:
    """Delete the address, its follows and the follow mails to it still in the outbox."""
    from kuulas.mail.models import OutboxMail

    db.session.execute(delete(OutboxMail).where(OutboxMail.category == MAIL_CATEGORY,
                                                OutboxMail.recipient == address.email)
                       .execution_options(synchronize_session=False))
    db.session.delete(address)
    db.session.flush()


def _delete_if_empty(address: FollowAddress) -> bool:
    db.session.flush()
    db.session.expire(address, ["follows"])
    if not address.follows:
        forget_address(address)
        return True
    return False


def unfollow(token: str | None, follow_id: str, *, now: datetime) -> bool:
    """Stop one follow.  Returns True when that was the last one and the address is gone."""
    address = address_for(token)
    follow = next((f for f in address.follows if f.id == follow_id), None)
    if follow is None:
        raise NotFound()
    db.session.delete(follow)
    return _delete_if_empty(address)


def unsubscribe(token: str | None, *, now: datetime) -> int:
    """Stop everything and delete the address (one click).  Returns the follows removed."""
    address = address_for(token)
    count = len(address.follows)
    forget_address(address)
    return count


def expire_unconfirmed(now: datetime) -> int:
    """Job: delete follows never confirmed within the time, then addresses left with none."""
    cutoff = day(now) - timedelta(days=CONFIRM_DAYS)
    gone = db.session.execute(delete(Follow).where(Follow.confirmed_on.is_(None), Follow.created_on < cutoff)
                              .execution_options(synchronize_session=False)).rowcount or 0
    db.session.expire_all()
    for address in db.session.scalars(select(FollowAddress).where(
            not_(exists().where(Follow.address_id == FollowAddress.id)))).all():
        forget_address(address)
    return gone
