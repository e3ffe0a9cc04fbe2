"""Signing up (the public form, then the mailed confirmation link), changing one's own
answers, and the checks every registration goes through (paper and phone ones too)."""
from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy import select

from kuulas import access
from kuulas.accounts import services as accounts
from kuulas.errors import Conflict, NotFound, ValidationFailed
from kuulas.extensions import db

from .. import rules
from ..pool import consent_until, registration_of  # noqa: F401  (registration_of: callers)
from .models import CONFIRMED, PENDING, UNDISCLOSED, WEB, Answer, Panel, Volunteer

from .setup import get_panel

PURPOSE_CONFIRM = "panel_confirm"
CONFIRM_LIFETIME = timedelta(days=3)


def household_key(postal_code: str, address: str) -> str:
    norm = unicodedata.normalize("NFKC", f"{postal_code}|{address}").casefold()
    norm = re.sub(r"[\s.,]+", " ", norm).strip()
    return hashlib.sha256(norm.encode()).hexdigest()


def new_pseudonym() -> str:
    return "v" + secrets.token_hex(5)


def check_answers(panel: Panel, answers: dict[str, str | None], sensitive_consent: bool) -> dict:
    """Validate feature answers; returns feature key -> value (UNDISCLOSED where allowed)."""
    out = {}
    for feature in panel.features:
        value = answers.get(feature.key) or None
        allowed = {c.value for c in feature.categories}
        if feature.sensitive and not sensitive_consent:
            out[feature.key] = UNDISCLOSED     # never stored without the explicit consent
            continue
        if value is None:
            if feature.allow_undisclosed or feature.sensitive:
                out[feature.key] = UNDISCLOSED
                continue
            raise ValidationFailed(_l("Please answer the question “%(feature)s”."),
                                   feature=feature.label())
        if value == UNDISCLOSED and (feature.allow_undisclosed or feature.sensitive):
            out[feature.key] = UNDISCLOSED
        elif value in allowed:
            out[feature.key] = value
        else:
            raise ValidationFailed(_l("“%(value)s” is not a category of “%(feature)s”."),
                                   value=value, feature=feature.label())
    return out


def _resident_account(email: str, *, now: datetime, locale: str):
    """``accounts.resident_account`` that survives a parallel sign-up creating the same
    account: the loser of the race uses the winner's row."""
    try:
        with db.session.begin_nested():
            return accounts.resident_account(email, now=now, locale=locale)
    except IntegrityError:
        account = accounts.find_by_email(email)
        if account is None:
            raise
        return account


class AlreadyRegistered(Conflict):
    code = "already_registered"


class RecruitmentClosed(Conflict):
    code = "recruitment_closed"


def register(panel_id: int, *, email: str, display_name: str, answers: dict,
             consent: bool, sensitive_consent: bool = False, postal_code: str = "",
             address: str = "", locale: str = "fi", now: datetime,
             channel: str = WEB, confirmed: bool = False,
             services: tuple | list = ()) -> tuple[Volunteer, str | None]:
    """Register a volunteer; returns the row and a one-time confirmation token (web).
    ``services``: keys of catalogue services the volunteer uses (standing panels; kept only
    with ``sensitive_consent``)."""
    from ..clients import services as clients
    panel = get_panel(panel_id)
    if channel == WEB and not panel.recruiting(now):
        raise Conflict(_l("Recruitment for this panel is not open."))
    if not consent:
        raise ValidationFailed(_l("Registration needs your consent to the processing of your data."))
    normalised = accounts.normalise_email(email)
    if "@" not in normalised:
        raise ValidationFailed(_l("Enter a valid e-mail address."))
    values = check_answers(panel, answers, sensitive_consent)
    services = [k for k in services or () if k]
    if services and not sensitive_consent:
        raise ValidationFailed(_l("To tell which services you use, give the separate consent "
                                  "for service-use data first."))
    clients.check_keys(services)
    if db.session.scalar(select(Volunteer.id).where(Volunteer.panel_id == panel.id,
                                                     Volunteer.email == normalised)):
        raise AlreadyRegistered(_l("This e-mail address is already registered for this panel "
                                   "(capital letters make no difference)."))
    key = None
    if panel.asks_address:
        postal_code, address = (postal_code or "").strip(), (address or "").strip()
        if not re.fullmatch(r"\d{5}", postal_code):
            raise ValidationFailed(_l("Enter a five-digit postal code."))
        if not address:
            raise ValidationFailed(_l("Enter your street address."))
        if panel.one_per_household:
            key = household_key(postal_code, address)
            if db.session.scalar(select(Volunteer.id).where(Volunteer.panel_id == panel.id,
                                                             Volunteer.household_key == key)):
                raise AlreadyRegistered(_l("Someone from this household has already registered: "
                                           "this panel takes one person per household."))
    account = _resident_account(normalised, now=now, locale=locale)
    volunteer = Volunteer(panel_id=panel.id, account_id=account.id, email=normalised,
                          display_name=display_name.strip()[:80], locale=locale,
                          postal_code=postal_code or None if panel.asks_address else None,
                          address=address or None if panel.asks_address else None,
                          household_key=key, pseudonym=new_pseudonym(), channel=channel,
                          state=CONFIRMED if confirmed else PENDING, consent_at=now,
                          sensitive_consent_at=now if sensitive_consent else None,
                          created_at=now, confirmed_at=now if confirmed else None)
    if confirmed:
        volunteer.consent_expires_at = consent_until(panel, now)
    volunteer.answers = [Answer(feature_key=k, value=v) for k, v in values.items()]
    # The check above is only for the message: two identical sign-ups at the same moment
    # both pass it, and the unique constraint decides.  A savepoint keeps the caller's
    # transaction usable so the loser gets the same precise 409.
    try:
        with db.session.begin_nested():
            db.session.add(volunteer)
            db.session.flush()
    except IntegrityError:
        if key is not None and not db.session.scalar(select(Volunteer.id).where(
                Volunteer.panel_id == panel.id, Volunteer.email == normalised)):
            raise AlreadyRegistered(_l("Someone from this household has already registered: "
                                       "this panel takes one person per household.")) from None
        raise AlreadyRegistered(_l("This e-mail address is already registered for this panel "
                                   "(capital letters make no difference).")) from None
    if services:
        clients.write_service_use(volunteer, services, consent=sensitive_consent, now=now)
    token = None
    if not confirmed:
        token = accounts.issue_token(account, PURPOSE_CONFIRM, now=now,
                                     next_path=f"/paneelit/{panel.id}/oma")
    return volunteer, token


def confirm(token: str, *, now: datetime) -> Volunteer:
    """Use the one-time link: confirms every pending registration of that person."""
    account, row = accounts.consume_token(token, PURPOSE_CONFIRM, now=now)
    match = re.match(r"^/paneelit/(\d+)/", row.next_path or "")
    panel_id = int(match.group(1)) if match else 0
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.panel_id == panel_id,
                                                          Volunteer.account_id == account.id))
    if volunteer is None:
        raise NotFound(_l("This registration no longer exists."))
    if volunteer.state == PENDING:
        if not get_panel(panel_id).recruiting(now):
            # The pool is what was confirmed by the closing time; a late confirmation
            # would change it behind the staff's (and the published hash's) back.
            raise RecruitmentClosed(_l("Recruitment closed before this registration was "
                                       "confirmed, so it could not be included. Thank you "
                                       "for your interest."))
        volunteer.state = CONFIRMED
        volunteer.confirmed_at = now
        volunteer.consent_expires_at = consent_until(get_panel(panel_id), now)
    return volunteer


def update_registration(panel_id: int, *, display_name: str, answers: dict,
                        sensitive_consent: bool, actor, now: datetime) -> Volunteer:
    volunteer = registration_of(panel_id, actor)
    access.require(actor, rules.OWN_REGISTRATION, volunteer, now=now)
    panel = get_panel(panel_id)
    if not panel.recruiting(now):
        raise RecruitmentClosed(_l("Answers cannot change after recruitment has closed, because the "
                          "draw is based on them. You can still withdraw."))
    values = check_answers(panel, answers, sensitive_consent)
    volunteer.display_name = display_name.strip()[:80]
    volunteer.sensitive_consent_at = (volunteer.sensitive_consent_at or now) if sensitive_consent else None
    if not sensitive_consent:       # the same consent covers declared service use
        from ..clients.services import write_service_use

        write_service_use(volunteer, (), consent=False, now=now)
    current = {a.feature_key: a for a in volunteer.answers}
    for key, value in values.items():
        if key in current:
            current[key].value = value
        else:
            volunteer.answers.append(Answer(feature_key=key, value=value))
    return volunteer
