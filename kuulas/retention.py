"""How long each kind of personal data is kept, and the one scheduled job that deletes it.

One table (:data:`PERIODS`): a stable key per kind of data, a default period and a legal
minimum.  The county overrides a period with ``KUULAS_RETENTION_<KEY>_DAYS`` and the
minimum with ``KUULAS_RETENTION_<KEY>_MIN_DAYS``; a period below its minimum stops the
application at start-up (:class:`RetentionConfigError`).  An administrator may also change
a period on the staff page (stored in ``retention_setting``); a value below the minimum is
refused there with a translated message and nothing is saved.

Each area registers how to delete its data with :func:`purger`; the ``retention.purge``
job (under the scheduler's lease, like every job) runs them all in one pass, one
transaction per key.  Each purge is logged as a count: to the application log every run,
and to the access log (``system.retention.<key>``) when it deleted anything.  The count
is all that is logged, never what was deleted.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, delete, func, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from .clock import utcnow
from .errors import ValidationFailed
from .extensions import db
from .scheduler import job

log = logging.getLogger("kuulas.retention")


@dataclass(frozen=True)
class Period:
    key: str
    default_days: int
    minimum_days: int
    label: object            # lazily translated: what is kept
    counted_from: object     # lazily translated: when the period starts


Y = 365
PERIODS: dict[str, Period] = {p.key: p for p in (
    Period("accounts_inactive", 3 * Y, Y, _l("Accounts not signed in to"),
           _l("the last sign-in (or the account's creation)")),
    Period("panel_volunteers", 180, 30, _l("Volunteers not selected for a panel"),
           _l("the panel's closing (or the period promised on its consent form, if shorter)")),
    Period("panel_members", 2 * Y, 180, _l("Members of a closed panel"),
           _l("the panel's closing")),
    Period("raati_messages", Y, 90, _l("Digiraati messages, questions and the live event log"),
           _l("the publication of the raati's outcome, or the raati's end when it has no outcome")),
    Period("raati_members", 2 * Y, 180, _l("Digiraati members' names and links to their accounts"),
           _l("the publication of the raati's outcome, or the raati's end when it has no outcome")),
    Period("invitations", 2 * Y, 180, _l("Links between panel invitations and the people who declined or did not answer"),
           _l("the invitation's answer or deadline")),
    Period("survey_participation", Y, 90, _l("Who a panel survey was sent to and whether they answered"),
           _l("the survey's closing")),
    Period("mail_outbox", 30, 7, _l("Sent and failed mail in the outbox"), _l("the mail's creation")),
    Period("feedback_contact", Y, 30, _l("Addresses left with service feedback and never answered"),
           _l("the feedback's arrival (an address is deleted at once when the feedback is answered)")),
    Period("follow_subscriptions", Y, 30, _l("Requests to be told when an outcome is published"),
           _l("the end of the idea round")),
    Period("access_log", 3 * Y, Y, _l("The access log"), _l("the logged event")),
    Period("data_requests", 3 * Y, Y, _l("Records of data subject requests"), _l("the request's completion")),
    Period("idea_content", 5 * Y, Y, _l("Texts of ideas and comments in idea rounds"),
           _l("the end of the idea round")),
)}
KEYS = tuple(PERIODS)
MAX_DAYS = 100 * Y


class RetentionConfigError(RuntimeError):
    """A retention period in the environment is not a number or is below its minimum."""


class RetentionSetting(db.Model):
    """A period an administrator set on the staff page (overrides the environment)."""

    __tablename__ = "retention_setting"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    days: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None]


# --- configuration ----------------------------------------------------------------------

def _env_int(env: dict, name: str) -> int | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 6:
        raise RetentionConfigError(f"{name}={raw!r}: give a whole number of days.")
    return int(raw)


def from_environment(env: dict) -> dict:
    """``{"days": {key: n}, "minimum": {key: n}}`` from ``KUULAS_RETENTION_*``; raises
    :class:`RetentionConfigError` (the application refuses to start) for a bad value."""
    days, minimum = {}, {}
    for key, period in PERIODS.items():
        name = f"KUULAS_RETENTION_{key.upper()}"
        low = _env_int(env, name + "_MIN_DAYS")
        minimum[key] = period.minimum_days if low is None else low
        value = _env_int(env, name + "_DAYS")
        days[key] = period.default_days if value is None else value
        if days[key] < minimum[key]:
            raise RetentionConfigError(
                f"{name}_DAYS={days[key]} is shorter than the legal minimum of {minimum[key]} days "
                f"for {key} ({name}_MIN_DAYS). Kuulas does not start with a period below the minimum.")
        if days[key] > MAX_DAYS:
            raise RetentionConfigError(f"{name}_DAYS={days[key]}: at most {MAX_DAYS} days.")
    return {"days": days, "minimum": minimum}


def _config() -> dict:
    from flask import current_app

    return current_app.config.get("RETENTION") or from_environment({})


def minimum_days(key: str) -> int:
    return _config()["minimum"][key]


def configured_days(key: str) -> int:
    return _config()["days"][key]


def days(key: str) -> int:
    """The period in force: the administrator's setting, else the configuration."""
    if key not in PERIODS:
        raise KeyError(f"unknown retention key {key!r}")
    stored = db.session.get(RetentionSetting, key)
    if stored is not None and stored.days >= minimum_days(key):
        return stored.days
    return configured_days(key)


def cutoff(key: str, now: datetime) -> datetime:
    """Data of kind ``key`` whose period started before this moment is due."""
    return now - timedelta(days=days(key))


def table() -> list[dict]:
    """Every period with its source, for the staff page and the data register."""
    stored = {s.key: s for s in db.session.scalars(select(RetentionSetting))}
    return [{"key": key, "period": p, "days": days(key), "minimum": minimum_days(key),
             "configured": configured_days(key), "changed": key in stored,
             "enforced": key in PURGERS}
            for key, p in PERIODS.items()]


def set_days(values: dict[str, int], *, actor, now: datetime, ip: str | None = None) -> dict[str, str]:
    """Save the administrator's periods.  All or nothing: returns ``{key: message}`` for
    every value below its minimum (then nothing is saved), else ``{}``."""
    from . import access, audit

    access.require(actor, "staff:retention:manage", now=now)
    errors = {}
    for key, value in values.items():
        if key not in PERIODS:
            raise ValidationFailed(_l("Unknown kind of data."))
        low = minimum_days(key)
        if value is None or value < low:
            errors[key] = str(_l("At least %(n)s days: the county's minimum for this kind of data.", n=low))
        elif value > MAX_DAYS:
            errors[key] = str(_l("At most %(n)s days.", n=MAX_DAYS))
    if errors:
        return errors
    changed = {}
    for key, value in values.items():
        if value == days(key):
            continue
        row = db.session.get(RetentionSetting, key)
        if value == configured_days(key):
            if row is not None:
                db.session.delete(row)     # back to the configuration
        elif row is None:
            db.session.add(RetentionSetting(key=key, days=value, updated_at=now, updated_by_id=actor.id))
        else:
            db.session.execute(update(RetentionSetting).where(RetentionSetting.key == key)
                               .values(days=value, updated_at=now, updated_by_id=actor.id))
        changed[key] = value
    if changed:
        audit.record("retention.settings.change", actor=actor, target_type="retention",
                     detail=changed, now=now, ip=ip)
    return {}


# --- purging ----------------------------------------------------------------------------

Purger = Callable[[datetime, datetime], int]     # (now, cutoff) -> rows deleted or erased
PURGERS: dict[str, list[Purger]] = {}


def purger(key: str):
    """Register ``func(now, cutoff) -> int`` to delete data of kind ``key`` whose period
    started before ``cutoff``.  It changes rows only with guarded statements, so a repeated
    run deletes nothing more; it does not commit."""
    if key not in PERIODS:
        raise KeyError(f"unknown retention key {key!r}")

    def decorator(func):
        if func not in PURGERS.setdefault(key, []):
            PURGERS[key].append(func)
        return func
    return decorator


def purge_all(now: datetime) -> dict[str, int]:
    """Run every registered purge; one transaction per key, so one failing kind does not
    stop the others.  Returns ``{key: count}`` (``-1`` for a key whose purge failed)."""
    from . import audit, effects

    counts = {}
    for key in KEYS:
        if key not in PURGERS:
            continue
        try:
            with effects.transaction():   # the job's own batch step: one per key
                limit = cutoff(key, now)
                n = sum(func(now, limit) for func in PURGERS[key])
                if n:
                    audit.record_system(f"system.retention.{key}",
                                        detail={"count": n, "days": days(key)}, now=now)
        except Exception:
            log.exception("retention purge of %s failed", key)
            n = -1
        log.info("retention %s: %d purged", key, n)
        counts[key] = n
    return counts


# --- the kernel's own kinds of data -----------------------------------------------------

ERASED_DOMAIN = "erased.invalid"


@purger("accounts_inactive")
def _purge_inactive_accounts(now: datetime, limit: datetime) -> int:
    """Erase the personal columns of accounts not signed in to since ``limit``.

    A resident's account goes through the personal-data erasure (every area, the account
    row last).  A staff account's row stays (other areas' rows point at it), with no e-mail
    address, name, password, second factor or roles; its sessions end.  Kept: active administrators (the county
    must not lock itself out; an administrator reviews the staff list), and members of a
    digiraati that has not finished.
    """
    from .accounts.models import Account, AccountRole, LoginToken

    erased = 0
    admins = select(AccountRole.account_id).where(AccountRole.role == "administrator")
    live_members = _live_raati_accounts()
    query = select(Account.id).where(
        func.coalesce(Account.last_login_at, Account.created_at) < limit,
        Account.email.not_like(f"%@{ERASED_DOMAIN}"),
        or_(Account.active.is_(False), Account.id.not_in(admins)))
    if live_members is not None:
        query = query.where(Account.id.not_in(live_members))
    from .personal import services as personal

    for account_id in db.session.scalars(query).all():
        account = db.session.get(Account, account_id)
        if account is not None and not account.is_staff:
            # A resident: the same erasure as "delete my account" (every area's data, the
            # account row last), or nothing at all while a blocker holds.
            try:
                with db.session.begin_nested():
                    personal.erase(personal.subject_of(account), now=now)
                erased += 1
            except personal.ErasureRefused:
                pass
            continue
        db.session.execute(delete(AccountRole).where(AccountRole.account_id == account_id))
        db.session.execute(delete(LoginToken).where(LoginToken.account_id == account_id))
        erased += db.session.execute(
            update(Account).where(Account.id == account_id,
                                  Account.email.not_like(f"%@{ERASED_DOMAIN}"))
            .values(email=f"erased-{account_id}@{ERASED_DOMAIN}", display_name="", password_hash=None,
                    totp_secret=None, totp_last_step=None, locale=None, active=False,
                    session_version=Account.session_version + 1)
            .execution_options(synchronize_session=False)).rowcount or 0
    db.session.expire_all()
    return erased


def _live_raati_accounts():
    try:
        from deliberation.raati.models import FINISHED, Member, Raati
    except ImportError:   # pragma: no cover - the kernel runs without the deliberation area
        return None
    return select(Member.account_id).join(Raati, Raati.id == Member.raati_id).where(
        Raati.state != FINISHED, Member.removed_at.is_(None))


@purger("data_requests")
def _purge_data_requests(now: datetime, limit: datetime) -> int:
    from .personal.models import DataRequest

    return db.session.execute(delete(DataRequest).where(DataRequest.created_at < limit)
                              .execution_options(synchronize_session=False)).rowcount or 0


@purger("mail_outbox")
def _purge_outbox(now: datetime, limit: datetime) -> int:
    from .mail.services import purge_old

    return purge_old(now, cutoff=limit)


@purger("access_log")
def _purge_access_log(now: datetime, limit: datetime) -> int:
    from .audit import purge_older_than

    return purge_older_than(limit)


@job("retention.purge", seconds=3600)
def purge_job(now):
    """The one retention job: every kind of data, under the scheduler's lease."""
    return purge_all(now)


def init_app(app) -> None:
    from . import access

    if "RETENTION" not in app.config:
        app.config["RETENTION"] = from_environment({})
    access.register("staff:retention:manage", {"administrator"})


__all__ = ["PERIODS", "KEYS", "Period", "RetentionConfigError", "RetentionSetting", "from_environment",
           "days", "cutoff", "minimum_days", "configured_days", "table", "set_days", "purger",
           "purge_all", "PURGERS", "ERASED_DOMAIN"]
