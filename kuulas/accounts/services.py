"""Account services: plain functions behind the sign-in views, the admin views and the CLI.

They never touch ``request`` or ``current_user``: callers pass the actor and ``now``.
"""
from __future__ import annotations

import secrets
import unicodedata
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import access, tokens
from ..access import Role
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from .models import Account, AccountRole, LoginToken

_hasher = PasswordHasher()
# Verifying against this keeps the timing of "no such user" equal to "wrong password".
_DUMMY_HASH = _hasher.hash("kuulas-timing-equaliser")
MIN_PASSWORD_LENGTH = 12

PURPOSE_LOGIN = "login"
PURPOSE_SET_PASSWORD = "set_password"
TOKEN_LIFETIMES = {PURPOSE_LOGIN: timedelta(minutes=30), PURPOSE_SET_PASSWORD: timedelta(hours=72)}


class InvalidCredentials(ValidationFailed):
    code = "invalid_credentials"


class TokenInvalid(ValidationFailed):
    code = "token_invalid"


class TokenExpired(ValidationFailed):
    code = "token_expired"


class TokenUsed(ValidationFailed):
    code = "token_used"


def normalise_email(email: str) -> str:
    """One spelling per mailbox: NFC, trimmed, lower case (so A@x.fi and a@X.FI collide)."""
    return unicodedata.normalize("NFC", (email or "").strip()).lower()


def find_by_email(email: str) -> Account | None:
    return db.session.scalar(select(Account).where(Account.email == normalise_email(email)))


def check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(_l("The password must be at least %(n)s characters long."),
                               n=MIN_PASSWORD_LENGTH)


def set_password(account: Account, password: str) -> None:
    check_password_strength(password)
    account.password_hash = _hasher.hash(password)


def _set_roles(account: Account, roles: set[Role]) -> None:
    """Change roles by difference: replacing the collection would insert before it deletes
    and trip the (account, role) unique constraint."""
    wanted = {r.value for r in roles}
    for row in list(account.roles):
        if row.role not in wanted:
            account.roles.remove(row)
    have = {row.role for row in account.roles}
    for role in sorted(wanted - have):
        account.roles.append(AccountRole(role=role))


def create_staff(email: str, roles, *, password: str | None = None, display_name: str = "",
                 actor=None, now: datetime) -> Account:
    """Create a staff account.  ``actor=None`` is the CLI (system); otherwise an admin."""
    if actor is not None:
        access.require(actor, "staff:accounts:manage", now=now)
    roles = {Role(r) for r in roles}
    if not roles:
        raise ValidationFailed(_l("Choose at least one role."))
    email = normalise_email(email)
    existing = find_by_email(email)
    if existing is not None and existing.is_staff:
        raise Conflict(_l("A staff account with this e-mail address already exists."))
    account = existing or Account(email=email, created_at=now)
    account.display_name = display_name or account.display_name
    if password is not None:
        set_password(account, password)
    _set_roles(account, roles)
    account.session_version = (account.session_version or 0) + 1
    db.session.add(account)
    db.session.flush()
    return account


def update_staff(account_id: int, *, roles, active: bool, actor, now: datetime) -> Account:
    access.require(actor, "staff:accounts:manage", now=now)
    account = db.session.get(Account, account_id)
    if account is None or not account.is_staff:
        raise NotFound(_l("No such staff account."))
    roles = {Role(r) for r in roles}
    if not roles:
        raise ValidationFailed(_l("Choose at least one role."))
    if account.id == actor.id and (Role.ADMINISTRATOR not in roles or not active):
        raise ValidationFailed(_l("You cannot remove your own administrator role or deactivate yourself."))
    if roles != account.role_set or active != account.active:
        _set_roles(account, roles)
        account.active = active
        account.session_version += 1
    return account


def authenticate_staff(email: str, password: str, *, now: datetime) -> Account:
    account = find_by_email(email)
    candidate = account.password_hash if account and account.password_hash else _DUMMY_HASH
    try:
        ok = _hasher.verify(candidate, password or "")
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or account is None or not account.password_hash or not account.is_staff:
        raise InvalidCredentials(_l("The e-mail address or password is wrong."))
    if not account.active:
        raise InvalidCredentials(_l("This account has been deactivated."))
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    return account


def mark_signed_in(account: Account, now: datetime) -> None:
    account.last_login_at = now


# --- TOTP -----------------------------------------------------------------------------

def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(account: Account, secret: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account.email, issuer_name=issuer)


def _verify_totp_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    step_now = int(now.timestamp()) // totp.interval
    for step in (step_now, step_now - 1, step_now + 1):
        if last_step is not None and step <= last_step:
            continue  # a code is good once: no replay inside its window
        if secrets.compare_digest(totp.at(step * totp.interval), code):
            return step
    return None


def enable_totp(account: Account, secret: str, code: str, *, now: datetime) -> None:
    step = _verify_totp_step(secret, code, now, None)
    if step is None:
        raise ValidationFailed(_l("The code did not match. Check the time on your phone and try again."))
    account.totp_secret = secret
    account.totp_last_step = step


def verify_totp(account: Account, code: str, *, now: datetime) -> None:
    step = _verify_totp_step(account.totp_secret or "", code, now, account.totp_last_step)
    if step is None:
        raise InvalidCredentials(_l("The code did not match. Check the time on your phone and try again."))
    account.totp_last_step = step


def disable_totp(account: Account) -> None:
    account.totp_secret = None
    account.totp_last_step = None


# --- one-time links -------------------------------------------------------------------

def issue_token(account: Account, purpose: str, *, now: datetime, next_path: str | None = None) -> str:
    token = tokens.new()
    db.session.add(LoginToken(token_hash=tokens.digest(token), account_id=account.id, purpose=purpose,
                              created_at=now, expires_at=now + TOKEN_LIFETIMES[purpose],
                              next_path=next_path))
    return token


def peek_token(token: str, purpose: str, *, now: datetime) -> LoginToken:
    """Check a link without using it (the GET that shows the confirm button)."""
    row = tokens.find(LoginToken, token)
    tokens.check(
        row if row is not None and row.purpose == purpose else None, now=now,
        invalid=TokenInvalid(_l("This sign-in link is not valid. Check that you copied the whole link, or ask for a new one.")),
        used=TokenUsed(_l("This link has already been used. Each link works once: ask for a new one.")),
        expired=TokenExpired(_l("This link has expired. Links work for 30 minutes: ask for a new one.")))
    account = db.session.get(Account, row.account_id)
    if account is None or not account.active:
        raise TokenInvalid(_l("This sign-in link is not valid. Check that you copied the whole link, or ask for a new one."))
    return row


def consume_token(token: str, purpose: str, *, now: datetime) -> tuple[Account, LoginToken]:
    row = peek_token(token, purpose, now=now)
    # One UPDATE decides the race between two clicks: only one sees rowcount 1.
    if not tokens.claim(LoginToken, row.id, LoginToken.used_at.is_(None), used_at=now):
        raise TokenUsed(_l("This link has already been used. Each link works once: ask for a new one."))
    return db.session.get(Account, row.account_id), row


def resident_account(email: str, *, now: datetime, locale: str | None = None,
                     display_name: str = "") -> Account:
    """The account a resident signs in with; created on first need (panel sign-up, raati)."""
    account = find_by_email(email)
    if account is None:
        account = Account(email=normalise_email(email), created_at=now, locale=locale,
                          display_name=display_name)
        db.session.add(account)
        db.session.flush()
    return account


def purge_expired_tokens(now: datetime) -> int:
    from sqlalchemy import delete

    cutoff = now - timedelta(days=7)
    result = db.session.execute(delete(LoginToken).where(LoginToken.expires_at < cutoff))
    return result.rowcount or 0
