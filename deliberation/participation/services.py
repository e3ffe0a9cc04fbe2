"""Services of participation measurement: the experience questionnaire, targets, process
inputs and the year's indicators.  Services never commit; the caller owns the transaction.
Never store anything that identifies a participant: see ``models``."""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kuulas import access, redact
from kuulas.access import Role
from kuulas.errors import Conflict, NotFound, ValidationFailed
from kuulas.extensions import db
from kuulas.sanitize import plain_text

from . import collect
from . import indicators as ind
from .models import ExperienceAnswer, ExperienceReceipt, ProcessInput, Target, UniqueParticipant

MANAGE = "participation:metrics:manage"
READ = "participation:metrics:read"
access.register(MANAGE, {Role.PREPARER})
access.register(READ, {Role.PREPARER, Role.MODERATOR})

KINDS = ("ideas", "raati", "feedback", "surveys", "panel")
CHANNELS = ("web", "mail", "sms", "paper", "event", "social", "kiosk")
YEARS = range(2020, 2101)


def _keyed(value: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"experience:{value}".encode(), hashlib.sha256).hexdigest()


def process_exists(kind: str, process_id: int) -> bool:
    """The processes one can give an experience answer about."""
    if kind not in KINDS:
        return False
    if kind in ("ideas", "raati", "feedback"):
        from deliberation.outcomes import sources
        if kind == "feedback":
            from deliberation.feedback.models import Unit
            return db.session.get(Unit, process_id) is not None
        return any(int(r["id"]) == process_id for r in sources.finished(kind)) or _open(kind, process_id)
    if kind == "panel":
        from panel.recruitment.models import Panel
        return db.session.get(Panel, process_id) is not None
    try:
        from panel.surveys.models import Survey   # the surveys subpackage, when installed
    except ImportError:
        return False
    return db.session.get(Survey, process_id) is not None


def _open(kind: str, process_id: int) -> bool:
    if kind == "ideas":
        from deliberation.ideas.models import IdeaRound
        round_ = db.session.get(IdeaRound, process_id)
        return round_ is not None and round_.state in ("open", "closed")
    from deliberation.raati.models import Raati
    return db.session.get(Raati, process_id) is not None


def answer_experience(kind: str, process_id: int, answers: dict, better: str, *, browser_key: str,
                      locale: str, now: datetime) -> tuple[ExperienceAnswer, frozenset]:
    if not process_exists(kind, process_id):
        raise NotFound(_l("There is no such process to tell about."))
    clean = {}
    for q in ind.EXPERIENCE_QUESTIONS:
        value = answers.get(q)
        if value in (None, ""):
            clean[q] = None
            continue
        if int(value) not in range(1, 6):
            raise ValidationFailed(_l("Choose an answer from 1 to 5."), code=q)
        clean[q] = int(value)
    better = plain_text(better or "")
    if len(better) > 1000:
        raise ValidationFailed(_l("The text may be at most %(n)s characters.", n=1000), code="better")
    if not any(clean.values()) and not better:
        raise ValidationFailed(_l("Answer at least one question."), code="say")
    masked = redact.mask(better)
    receipt = ExperienceReceipt(process_kind=kind, process_id=process_id,
                                key_hash=_keyed(f"{kind}:{process_id}:{browser_key}"))
    if db.session.get(ExperienceReceipt, (kind, process_id, receipt.key_hash)) is not None:
        raise Conflict(_l("You have already told us about your experience of this. Thank you!"))
    try:
        with db.session.begin_nested():
            db.session.add(receipt)
    except IntegrityError:
        raise Conflict(_l("You have already told us about your experience of this. Thank you!")) from None
    answer = ExperienceAnswer(process_kind=kind, process_id=process_id, year=now.year, answered_on=now.date(),
                              better=masked.text, language=locale, **clean)
    db.session.add(answer)
    return answer, masked.found


def mark_participant(year: int, who: str) -> None:
    """Add someone to the year's set of participants (idempotent; no process, no time)."""
    key = collect.year_key(year, who)
    if db.session.get(UniqueParticipant, (year, key)) is None:
        try:
            with db.session.begin_nested():
                db.session.add(UniqueParticipant(year=year, key_hash=key))
        except IntegrityError:
            pass


def _valid_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationFailed(_l("Give the year as four digits, e.g. 2026."), code="year") from None
    if year not in YEARS:
        raise ValidationFailed(_l("Give the year as four digits, e.g. 2026."), code="year")
    return year


def set_target(year, key: str, value, *, actor, now: datetime) -> Target:
    access.require(actor, MANAGE, now=now)
    year = _valid_year(year)
    if key not in ind.BY_KEY:
        raise ValidationFailed(_l("Choose an indicator from the list."), code="indicator")
    number = parse_number(value, "value")
    unit = ind.BY_KEY[key].unit
    if unit == "share":
        number = number / 100       # entered as percent
    try:
        number = ind.check_target(key, float(number))
    except ind.OutOfRange as exc:
        lo, hi = (exc.lo * 100, exc.hi * 100) if unit == "share" else (exc.lo, exc.hi)
        if hi is None:
            raise ValidationFailed(_l("The target must be at least %(lo)s.", lo=f"{lo:g}"), code="value") from None
        raise ValidationFailed(_l("The target must be between %(lo)s and %(hi)s.", lo=f"{lo:g}", hi=f"{hi:g}"),
                               code="value") from None
    target = db.session.get(Target, (year, key))
    if target is None:
        target = Target(year=year, indicator=key, value=number, set_at=now, set_by=actor.id)
        db.session.add(target)
    else:
        target.value, target.set_at, target.set_by = number, now, actor.id
    return target


def parse_number(value, code: str, *, places: int = 2) -> Decimal:
    """A number as people write it here: "1 234,5" or "1234.50"; refuses anything else."""
    text = str(value if value is not None else "").strip().replace("\u00a0", "").replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed(_l("Write a number, for example 1250,50."), code=code) from None
    if not number.is_finite() or number < 0:
        raise ValidationFailed(_l("Write a number that is zero or more."), code=code)
    if number.as_tuple().exponent < -places or number >= Decimal(10) ** 9:
        raise ValidationFailed(_l("Write a number with at most %(n)s decimals.", n=places), code=code)
    return number


def save_inputs(kind: str, process_id: int, *, staff_hours, costs_eur, channels, invited, reached, area: str,
                actor, now: datetime) -> ProcessInput:
    access.require(actor, MANAGE, now=now)
    if kind not in KINDS or not process_exists(kind, process_id):
        raise NotFound(_l("There is no such process."))
    hours = parse_number(staff_hours, "staff_hours", places=1) if str(staff_hours or "").strip() else None
    costs = parse_number(costs_eur, "costs_eur") if str(costs_eur or "").strip() else None
    bad = [c for c in channels or [] if c not in CHANNELS]
    if bad:
        raise ValidationFailed(_l("Choose the channels from the list."), code="channels")
    row = db.session.get(ProcessInput, (kind, process_id))
    if row is None:
        row = ProcessInput(process_kind=kind, process_id=process_id, updated_at=now)
        db.session.add(row)
    row.staff_hours, row.costs_eur, row.channels = hours, costs, list(channels or [])
    row.invited, row.reached, row.area, row.updated_at = invited, reached, area or "", now
    return row


def targets(year: int) -> dict[str, float]:
    return {t.indicator: t.value for t in db.session.scalars(select(Target).where(Target.year == year))}


def inputs_for(kind: str, process_id: int) -> ProcessInput | None:
    return db.session.get(ProcessInput, (kind, process_id))


def dashboard(year, *, area: str | None = None, public: bool = False, actor=None, now: datetime) -> dict:
    """The year against its target and the two years before, per indicator."""
    if not public:
        access.require(actor, READ, now=now)
    year = _valid_year(year)
    records = collect.processes()
    years = [year - 2, year - 1, year]
    values = {y: ind.compute(collect.year_data(y, records), area or None) for y in years}
    goal = targets(year)
    rows = []
    for i in ind.INDICATORS:
        if public and not i.public:
            continue
        rows.append({"key": i.key, "level": i.level, "unit": i.unit, "value": values[year][i.key],
                     "target": goal.get(i.key), "met": ind.met(i.key, values[year][i.key], goal.get(i.key)),
                     "history": [(y, values[y][i.key]) for y in years]})
    data = collect.year_data(year, records)
    return {"year": year, "rows": rows, "processes": ind.in_year(data, area or None),
            "experience": ind.experience_results(data.experience), "has_data": bool(ind.in_year(data)) or
            bool(data.experience) or bool(data.feedback_received)}
