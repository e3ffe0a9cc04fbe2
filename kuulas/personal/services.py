"""Find, export and erase one person's data across every area, through the registry.

Services do not commit: the caller (a view through ``kuulas.web.attempt``) commits once,
so an erasure is one transaction per person; any error rolls all of it back.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Callable

from flask_babel import lazy_gettext as _l

from .. import access
from ..errors import AccessDenied, Conflict, KuulasError, NotFound, ValidationFailed  # noqa: F401
from ..extensions import db
from . import registry
from .models import ERASE, EXPORT, SELF, STAFF
from .requests import log_request

HANDLE = "personal:requests:handle"     # staff: find, export and erase on a written request
REGISTER = "personal:register:view"     # staff: the data register (seloste)
OWN = "personal:own:manage"             # a signed-in person: their own data

_BLOCKERS: list[Callable] = []


def register_blocker(check: Callable) -> None:
    """``check(subject, now) -> list of translated reasons`` why an erasure must not run now
    (e.g. the person chairs a raati in progress).  Any reason refuses the whole erasure."""
    if check not in _BLOCKERS:
        _BLOCKERS.append(check)


class ErasureRefused(Conflict):
    def __init__(self, reasons):
        self.reasons = list(reasons)
        super().__init__("; ".join(str(r) for r in self.reasons))


def jsonable(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def subject_for(email: str) -> registry.Subject:
    from ..accounts.services import find_by_email, normalise_email

    address = normalise_email(email or "")
    if not _EMAIL.fullmatch(address):
        raise ValidationFailed(_l("Enter an e-mail address."))
    account = find_by_email(address)
    return registry.Subject(email=address, account_id=account.id if account else None)


def subject_of(account) -> registry.Subject:
    return registry.Subject(email=account.email, account_id=account.id)


def holdings(subject: registry.Subject) -> list[dict]:
    """What is held, per registered entry that has rows for the subject."""
    out = []
    for entry in registry.exporters():
        rows = [jsonable(r) for r in entry.export(subject)]
        if rows:
            out.append({"entry": entry, "rows": rows})
    return out


def export_document(subject: registry.Subject, *, now: datetime) -> dict:
    """Everything held about the subject, JSON-safe, with each part's purpose and basis."""
    return {
        "generated_at": now.isoformat() + "Z",
        "email": subject.email,
        "parts": [{"key": h["entry"].key, "area": h["entry"].area,
                   "title": str(h["entry"].title or h["entry"].model.__tablename__),
                   "purpose": str(h["entry"].purpose), "basis": str(h["entry"].basis),
                   "retention": h["entry"].retention, "rows": h["rows"]}
                  for h in holdings(subject)],
    }


def blockers(subject: registry.Subject, now: datetime) -> list:
    reasons = []
    for check in _BLOCKERS:
        reasons.extend(check(subject, now))
    return reasons


def erase(subject: registry.Subject, *, now: datetime) -> int:
    """Erase or unlink every registered kind of data about the subject; the account last.
    Refused (nothing changed) while a blocker holds.  Does not commit."""
    reasons = blockers(subject, now)
    if reasons:
        raise ErasureRefused(reasons)
    changed = 0
    for entry in registry.erasers():
        changed += entry.erase(subject, now) or 0
        db.session.flush()
    return changed


def has_data(subject: registry.Subject) -> bool:
    return subject.account_id is not None or bool(holdings(subject))


# --- the person themselves -------------------------------------------------------------

def own_export(*, actor, now: datetime, secret) -> dict:
    access.require(actor, OWN, now=now)
    subject = subject_of(actor)
    document = export_document(subject, now=now)
    log_request(EXPORT, subject.email, channel=SELF, actor=None, basis="", now=now, secret=secret,
                rows=sum(len(p["rows"]) for p in document["parts"]))
    return document


def own_erase(*, actor, now: datetime, secret) -> int:
    access.require(actor, OWN, now=now)
    if actor.is_staff:
        raise Conflict(_l("A staff account is closed by an administrator, not from this page."))
    subject = subject_of(actor)
    changed = erase(subject, now=now)
    log_request(ERASE, subject.email, channel=SELF, actor=None, basis="", rows=changed, now=now,
                secret=secret)
    return changed


# --- staff, on a written request ---------------------------------------------------------

def staff_find(email: str, *, actor, now: datetime) -> tuple[registry.Subject, list[dict]]:
    access.require(actor, HANDLE, now=now)
    subject = subject_for(email)
    found = holdings(subject)
    if not found and subject.account_id is None:
        raise NotFound(_l("Kuulas holds no personal data for this address."))
    return subject, found


def _basis(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_l("Give the basis or reference of the request (e.g. the letter's date and "
                                  "record number)."))
    return text[:500]


def staff_export(email: str, basis: str, *, actor, now: datetime, secret, locale: str) -> dict:
    subject, _found = staff_find(email, actor=actor, now=now)
    basis = _basis(basis)
    document = export_document(subject, now=now)
    log_request(EXPORT, subject.email, channel=STAFF, actor=actor, basis=basis, now=now, secret=secret,
                rows=sum(len(p["rows"]) for p in document["parts"]))
    _notify(subject.email, EXPORT, locale=locale, now=now)
    return document


def staff_erase(email: str, basis: str, *, actor, now: datetime, secret, locale: str) -> int:
    subject, _found = staff_find(email, actor=actor, now=now)
    basis = _basis(basis)
    changed = erase(subject, now=now)
    log_request(ERASE, subject.email, channel=STAFF, actor=actor, basis=basis, rows=changed, now=now,
                secret=secret)
    _notify(subject.email, ERASE, locale=locale, now=now)
    return changed


def _notify(email: str, kind: str, *, locale: str, now: datetime) -> None:
    """Tell the person what was done.  For an erasure this outbox row is the one place the
    address stays, until the mail is sent and the outbox's retention removes it."""
    from ..mail import services as mail

    mail.queue_template(email, "data_request_done", locale=locale, category="personal", now=now,
                        kind=kind)


def own_rule(actor, target, now):
    if actor is None or not getattr(actor, "is_authenticated", False):
        return access.Decision(False, _l("Please sign in first."))
    return access.Decision(True)
