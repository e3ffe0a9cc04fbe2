"""The access log: one append-only record of what staff (and account holders signing in)
did with personal data and configuration.  GDPR art. 32, Information Management Act
906/2019 (tiedonhallintalaki) ss. 17: who, what, when, from where.

Plain Python over the database: no ``request``, no ``current_user``.  The Flask glue that
records requests automatically is ``kuulas.audit_web``.

Append-only: this module offers :func:`record` to add a line and :func:`purge_older_than`
(called only by the retention job) to delete lines past their retention period; nothing
updates a line.  The ORM refuses updates (``before_update``) and the database refuses them
too: a trigger on SQLite and PostgreSQL (created with the table and by the migration).

What a line never holds: e-mail addresses, names, free text typed by anyone, anything from
anonymous participation (idea votes, feedback, survey answers).  ``detail`` is a small JSON
object of ids, keys, counts and flags; :func:`record` refuses other shapes.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import DDL, JSON, String, delete, event, func, select
from sqlalchemy.orm import Mapped, mapped_column

from .clock import utcnow
from .extensions import db
from .spreadsheet import neutralise

SYSTEM = "system"           # actor_role of scheduled jobs and the CLI
RESIDENT = "resident"       # actor_role of an account without staff roles
ANONYMOUS = "anonymous"     # actor_role when nobody is signed in (e.g. a failed sign-in)

MAX_DETAIL_BYTES = 1000
MAX_DETAIL_STRING = 80
EXPORT_MAX_ROWS = 100_000


class AuditEvent(db.Model):
    """One line of the access log.  No foreign keys: an erased or deleted account leaves
    its lines (with the bare id) for the rest of their retention period."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)                 # naive UTC
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_role: Mapped[str] = mapped_column(String(64), default=ANONYMOUS)
    action: Mapped[str] = mapped_column(String(80), index=True)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


# The database refuses an UPDATE of a line whatever the client (a second line of defence
# behind this module's API; the migration creates the same triggers).
NO_UPDATE_MESSAGE = "audit_event is append-only"
_SQLITE_TRIGGER = DDL(
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    f"BEGIN SELECT RAISE(ABORT, '{NO_UPDATE_MESSAGE}'); END")
_PG_FUNCTION = DDL(
    "CREATE OR REPLACE FUNCTION audit_event_no_update() RETURNS trigger AS $$ "
    f"BEGIN RAISE EXCEPTION '{NO_UPDATE_MESSAGE}'; END $$ LANGUAGE plpgsql")
_PG_TRIGGER = DDL(
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_no_update()")
event.listen(AuditEvent.__table__, "after_create", _SQLITE_TRIGGER.execute_if(dialect="sqlite"))
event.listen(AuditEvent.__table__, "after_create", _PG_FUNCTION.execute_if(dialect="postgresql"))
event.listen(AuditEvent.__table__, "after_create", _PG_TRIGGER.execute_if(dialect="postgresql"))


class AppendOnly(RuntimeError):
    pass


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(_mapper, _connection, _target):
    raise AppendOnly(NO_UPDATE_MESSAGE)


# --- writing ----------------------------------------------------------------------------

def role_of(actor) -> str:
    """The actor's role at the time, as text: staff roles joined, or resident/anonymous."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ANONYMOUS
    roles = sorted(str(r) for r in getattr(actor, "role_set", ()))
    return ",".join(roles) if roles else RESIDENT


def _clean_detail(detail) -> dict:
    """Only small scalars (ids, keys, counts, flags) and lists of them; strings are cut
    short.  A detail is never a place for free text about a person."""
    if detail is None:
        return {}
    if not isinstance(detail, dict):
        raise TypeError("detail must be a dict")
    clean = {}
    for key, value in detail.items():
        if isinstance(value, (list, tuple)):
            value = [v if not isinstance(v, str) else v[:MAX_DETAIL_STRING] for v in value
                     if v is None or isinstance(v, (bool, int, float, str))][:50]
        elif isinstance(value, str):
            value = value[:MAX_DETAIL_STRING]
        elif value is not None and not isinstance(value, (bool, int, float)):
            raise TypeError(f"detail value for {key!r} must be a scalar or list of scalars")
        clean[str(key)[:40]] = value
    if len(json.dumps(clean, default=str)) > MAX_DETAIL_BYTES:
        raise ValueError("detail is too large for the access log")
    return clean


def record(action: str, *, actor=None, target_type: str | None = None, target_id=None,
           detail: dict | None = None, ip: str | None = None, now: datetime | None = None,
           actor_role: str | None = None) -> AuditEvent:
    """Add one line to the access log (in the caller's transaction; the caller commits).

    ``actor`` is an account (or None for the system or an unknown person); its id and its
    roles at this moment are stored, never its e-mail address.  ``action`` is a stable
    dotted key such as ``auth.sign_in`` or ``panel.pool.view``.  ``actor_role`` overrides
    the derived role (``SYSTEM`` for scheduled jobs).
    """
    if not action or len(action) > 80:
        raise ValueError("action must be a dotted key of at most 80 characters")
    line = AuditEvent(
        at=now or utcnow(),
        actor_id=getattr(actor, "id", None) if actor is not None else None,
        actor_role=actor_role or role_of(actor),
        action=action,
        target_type=(target_type or None) and str(target_type)[:40],
        target_id=None if target_id is None else str(target_id)[:64],
        ip=(ip or None) and str(ip)[:45],
        detail=_clean_detail(detail),
    )
    db.session.add(line)
    return line


def record_system(action: str, *, detail: dict | None = None, now: datetime | None = None,
                  target_type: str | None = None, target_id=None) -> AuditEvent:
    """A line written by a scheduled job or the CLI (no person, no address)."""
    return record(action, detail=detail, now=now, target_type=target_type, target_id=target_id,
                  actor_role=SYSTEM)


def purge_older_than(cutoff: datetime) -> int:
    """Delete lines written before ``cutoff``: the retention job's one delete path."""
    return db.session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff)
                              .execution_options(synchronize_session=False)).rowcount or 0


# --- reading ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    actor_id: int | None = None
    action: str = ""              # exact key, or a prefix ending in "." (e.g. "auth.")
    since: date | None = None     # inclusive, UTC days
    until: date | None = None     # inclusive, UTC days
    target_type: str = ""
    target_id: str = ""


def _query(filters: Filters):
    query = select(AuditEvent)
    if filters.actor_id is not None:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.action:
        if filters.action.endswith("."):
            # A prefix: escape LIKE's wildcards so "panel_x." means exactly that.
            escaped = filters.action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(AuditEvent.action.like(escaped + "%", escape="\\"))
        else:
            query = query.where(AuditEvent.action == filters.action)
    if filters.since is not None:
        query = query.where(AuditEvent.at >= datetime.combine(filters.since, datetime.min.time()))
    if filters.until is not None:
        query = query.where(AuditEvent.at < datetime.combine(filters.until + timedelta(days=1),
                                                             datetime.min.time()))
    if filters.target_type:
        query = query.where(AuditEvent.target_type == filters.target_type)
    if filters.target_id:
        query = query.where(AuditEvent.target_id == filters.target_id)
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def search(filters: Filters, *, page: int = 1, per_page: int = 50):
    """One page of lines, newest first (a Flask-SQLAlchemy pagination object)."""
    return db.paginate(_query(filters), page=max(1, page), per_page=per_page, error_out=False)


def lines(filters: Filters, limit: int = EXPORT_MAX_ROWS) -> list[AuditEvent]:
    return list(db.session.scalars(_query(filters).limit(limit)))


def count(filters: Filters = Filters()) -> int:
    return db.session.scalar(select(func.count()).select_from(_query(filters).order_by(None).subquery()))


def actions() -> list[str]:
    """The action keys present in the log (for the search form's list)."""
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


# --- export -----------------------------------------------------------------------------

def export_csv(rows, header: list[str]) -> bytes:
    """The lines as CSV (semicolon, UTF-8 with BOM, as Kuulas's other exports)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for line in rows:
        writer.writerow([neutralise(cell) for cell in (
            line.at.strftime("%Y-%m-%dT%H:%M:%SZ"), "" if line.actor_id is None else line.actor_id,
            line.actor_role, line.action, line.target_type or "", line.target_id or "",
            line.ip or "", json.dumps(line.detail or {}, ensure_ascii=False, sort_keys=True))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def actor_filter(text: str) -> int | None | bool:
    """Parse the actor field of the search form: an account id, or ``False`` if it is not
    one.  (E-mail lookup happens in the view through the accounts service.)"""
    text = (text or "").strip()
    if not text:
        return None
    return int(text) if text.isdigit() and len(text) < 10 else False


__all__ = ["AuditEvent", "AppendOnly", "Filters", "record", "record_system", "purge_older_than",
           "search", "lines", "count", "actions", "export_csv", "neutralise", "role_of",
           "SYSTEM", "RESIDENT", "ANONYMOUS"]
