"""Panel set-up and recruitment services: plain functions behind the staff views, the
public sign-up, the CLI and the scheduled jobs.  They never touch ``request`` or
``current_user``; they check access first and write nothing unless everything is valid.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
import unicodedata
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy import delete, func, or_, select, update

from kuulas import access
from kuulas.accounts import services as accounts
from kuulas.errors import Conflict, NotFound, ValidationFailed
from kuulas.extensions import db
from kuulas.text import ControlCharacter, normalise
from kuulas.text import has_forbidden_control as has_control

from .. import rules
from ..pool import consent_until
from ..errors import DetailedValidation, Msg
from .models import (CLIENT, CONFIRMED, DRAFT, EXCLUDED, PAPER, PENDING, PHONE, RECRUITING,
                     RECRUITMENT_CLOSED, RESIDENT, UNDISCLOSED, WEB, Answer, Category, Feature,
                     Panel, Volunteer)

PURPOSE_CONFIRM = "panel_confirm"
CONFIRM_LIFETIME = timedelta(days=3)
SHARE_TOLERANCE = 0.5      # percentage points: shares from published tables are rounded
POOL_MARGIN = 2            # volunteers beyond a category's seats, so the draw has a choice
UNDER_PP = 2.0             # a pool share this many points below the population's is a shortfall
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
VALUE_RE = re.compile(r"^[A-Za-z0-9ÅÄÖåäö][A-Za-z0-9ÅÄÖåäö_+.-]{0,59}$")


def get_panel(panel_id: int) -> Panel:
    panel = db.session.get(Panel, panel_id)
    if panel is None:
        raise NotFound(_l("No such panel."))
    return panel


# --- set-up -----------------------------------------------------------------------------

PANEL_FIELDS = ("name_fi", "name_sv", "name_en", "description_fi", "description_sv",
                "description_en", "kind", "target_size", "recruitment_opens_at",
                "recruitment_closes_at", "controller", "retention_days", "asks_address",
                "one_per_household", "invitation_days", "standing", "consent_months")


def _check_panel_data(data: dict) -> None:
    if data["kind"] not in (RESIDENT, CLIENT):
        raise ValidationFailed(_l("Choose a resident panel or a client panel."))
    if not 2 <= int(data["target_size"]) <= 1000:
        raise ValidationFailed(_l("The panel size must be between 2 and 1,000."))
    if data.get("recruitment_closes_at") is None:
        if not data.get("standing"):
            raise ValidationFailed(_l("Set the date when recruitment closes (only a standing "
                                      "panel may stay open without one)."))
    elif data["recruitment_closes_at"] <= data["recruitment_opens_at"]:
        raise ValidationFailed(_l("Recruitment must close after it opens."))
    if "consent_months" in data and data["consent_months"] is None:
        data["consent_months"] = 24
    if data.get("standing") and not 1 <= int(data.get("consent_months") or 0) <= 60:
        raise ValidationFailed(_l("The membership period must be between 1 and 60 months."))
    if data.get("one_per_household") and not data.get("asks_address"):
        raise ValidationFailed(_l("The one-per-household rule needs the address question."))


def create_panel(data: dict, *, actor, now: datetime) -> Panel:
    access.require(actor, rules.MANAGE, now=now)
    _check_panel_data(data)
    panel = Panel(**{k: data[k] for k in PANEL_FIELDS if k in data}, state=DRAFT, created_at=now)
    db.session.add(panel)
    db.session.flush()
    return panel


def update_panel(panel_id: int, data: dict, *, actor, now: datetime) -> Panel:
    panel = get_panel(panel_id)
    access.require(actor, rules.MANAGE, panel, now=now)
    _check_panel_data(data)
    for key in PANEL_FIELDS:
        if key in data:
            setattr(panel, key, data[key])
    return panel


def parse_categories(text: str) -> list[dict]:
    """Lines ``value | share % | label fi | label sv | label en`` (labels optional)."""
    out, problems = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        value = parts[0]
        share = _parse_share(parts[1] if len(parts) > 1 else "")
        if not VALUE_RE.match(value):
            problems.append(Msg(_l("Line %(n)s: “%(value)s” is not a valid category code "
                               "(letters, digits, - _ + . only)."), {"n": number, "value": value}))
            continue
        if share is None:
            problems.append(Msg(_l("Line %(n)s: the population share must be a number from 0 to 100."), {"n": number}))
            continue
        labels = (parts + ["", "", ""])[2:5]
        out.append({"value": value, "share": share, "label_fi": labels[0] or value,
                    "label_sv": labels[1], "label_en": labels[2]})
    if problems:
        raise DetailedValidation(_l("The categories could not be read."), problems)
    return out


def _parse_share(text: str) -> float | None:
    text = (text or "").replace("%", "").replace(",", ".").replace("\u00a0", "").strip()
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 <= value <= 100 else None


def _check_shares(feature_label: str, shares: list[float]) -> None:
    total = sum(shares)
    if abs(total - 100.0) > SHARE_TOLERANCE:
        raise ValidationFailed(
            _l("The population shares of “%(feature)s” add up to %(total)s %%, not 100 %%."),
            feature=feature_label, total=f"{total:.1f}")


def save_feature(panel_id: int, *, key: str, label_fi: str, label_sv: str = "",
                 label_en: str = "", sensitive: bool = False, allow_undisclosed: bool = True,
                 categories: list[dict], actor, now: datetime) -> Feature:
    """Create or replace a feature with its categories (all or nothing)."""
    panel = get_panel(panel_id)
    access.require(actor, rules.MANAGE, panel, now=now)
    key = (key or "").strip().lower()
    if not KEY_RE.match(key):
        raise ValidationFailed(_l("The feature code may hold lower-case letters, digits, - and _ "
                                  "(at most 40 characters)."))
    if _has_volunteers(panel.id):
        raise Conflict(_l("Features cannot change once volunteers have registered."))
    if not categories or len(categories) < 2:
        raise ValidationFailed(_l("A feature needs at least two categories."))
    values = [c["value"] for c in categories]
    dupes = sorted({v for v in values if values.count(v) > 1})
    if dupes:
        raise ValidationFailed(_l("Category %(value)s appears twice."), value=dupes[0])
    if UNDISCLOSED in values:
        raise ValidationFailed(_l("The code “%(value)s” is reserved for “prefer not to say”."),
                               value=UNDISCLOSED)
    _check_shares(label_fi or key, [c["share"] for c in categories])
    feature = db.session.scalar(select(Feature).where(Feature.panel_id == panel.id,
                                                      Feature.key == key))
    if feature is None:
        position = len(panel.features)
        feature = Feature(panel_id=panel.id, key=key, position=position)
        db.session.add(feature)
    feature.label_fi, feature.label_sv, feature.label_en = label_fi, label_sv, label_en
    feature.sensitive, feature.allow_undisclosed = sensitive, allow_undisclosed
    feature.categories.clear()
    db.session.flush()
    for position, c in enumerate(categories):
        feature.categories.append(Category(value=c["value"], label_fi=c.get("label_fi") or c["value"],
                                           label_sv=c.get("label_sv", ""),
                                           label_en=c.get("label_en", ""),
                                           population_share=c["share"], position=position))
    db.session.flush()
    db.session.refresh(panel)
    return feature


def delete_feature(panel_id: int, feature_id: int, *, actor, now: datetime) -> None:
    panel = get_panel(panel_id)
    access.require(actor, rules.MANAGE, panel, now=now)
    if _has_volunteers(panel.id):
        raise Conflict(_l("Features cannot change once volunteers have registered."))
    feature = db.session.get(Feature, feature_id)
    if feature is None or feature.panel_id != panel.id:
        raise NotFound(_l("No such feature."))
    db.session.delete(feature)


def _has_volunteers(panel_id: int) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(Volunteer)
                                  .where(Volunteer.panel_id == panel_id)))


def read_csv(text: str, required: tuple[str, ...], *, file_label) -> list[dict]:
    """Rows of a CSV with the ``required`` header columns (comma or semicolon)."""
    text = (text or "").lstrip("\ufeff")
    if not text.strip():
        raise ValidationFailed(_l("The file %(file)s is empty."), file=file_label)
    dialect = csv.excel
    first = text.splitlines()[0]
    if first.count(";") > first.count(","):
        dialect = csv.excel
        reader = csv.DictReader(io.StringIO(text), delimiter=";")
    else:
        reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip() for h in (reader.fieldnames or [])]
    if any(has_control(h) for h in header):
        raise ValidationFailed(_l("The first line of the file %(file)s contains a control "
                                  "character (for example a NUL byte)."), file=file_label)
    missing = [c for c in required if c not in header]
    if missing:
        raise ValidationFailed(_l("The file %(file)s has no column %(columns)s. Its first line must "
                                  "name the columns: %(expected)s."),
                               file=file_label, columns=", ".join(missing),
                               expected=",".join(required))
    reader.fieldnames = header
    rows, problems = [], []
    for number, row in enumerate(reader, start=2):
        clean = {}
        for key, value in row.items():
            if key is None:
                continue
            try:
                # The same normalisation every form field gets (NFC, no bidi controls),
                # with the row and column named when a cell holds a NUL or other control.
                clean[key] = normalise(value or "").strip()
            except ControlCharacter:
                problems.append(Msg(_l("Row %(n)s, column “%(column)s”: the value contains a "
                                       "control character (for example a NUL byte). Remove it "
                                       "and try again."), {"n": number, "column": key}))
        rows.append(clean)
    if problems:
        raise DetailedValidation(_l("Nothing was imported: fix these rows and try again."), problems)
    return rows


def import_shares(panel_id: int, text: str, *, actor, now: datetime) -> int:
    """Update population shares from ``feature,value,population_share`` rows.  Every row
    must name a known feature and category; each feature must then sum to 100 %."""
    panel = get_panel(panel_id)
    access.require(actor, rules.MANAGE, panel, now=now)
    rows = read_csv(text, ("feature", "value", "population_share"), file_label=_l("shares"))
    features = {f.key: f for f in panel.features}
    problems, updates = [], {}
    for number, row in enumerate(rows, start=2):
        feature = features.get(row["feature"])
        if feature is None:
            problems.append(Msg(_l("Row %(n)s: the panel has no feature “%(feature)s”."), {"n": number, "feature": row["feature"]}))
            continue
        category = next((c for c in feature.categories if c.value == row["value"]), None)
        if category is None:
            problems.append(Msg(_l("Row %(n)s: “%(value)s” is not a category of “%(feature)s”."), {"n": number, "value": row["value"], "feature": feature.label()}))
            continue
        share = _parse_share(row["population_share"])
        if share is None:
            problems.append(Msg(_l("Row %(n)s: the population share must be a number from 0 to 100."), {"n": number}))
            continue
        updates[category.id] = (category, share)
    for feature in features.values():
        shares = [updates.get(c.id, (c, c.population_share))[1] for c in feature.categories]
        total = sum(shares)
        if any(c.id in updates for c in feature.categories) and abs(total - 100) > SHARE_TOLERANCE:
            problems.append(Msg(_l("The population shares of “%(feature)s” add up to %(total)s %%, "
                                   "not 100 %%."), {"feature": feature.label(), "total": f"{total:.1f}"}))
    if problems:
        raise DetailedValidation(_l("Nothing was imported: fix these rows and try again."), problems)
    for category, share in updates.values():
        category.population_share = share
    return len(updates)


def check_ready(panel: Panel) -> list:
    """Problems that keep recruitment from opening (empty list: ready)."""
    problems = []
    if not panel.features:
        problems.append(_l("Add at least one feature."))
    for feature in panel.features:
        total = sum(c.population_share for c in feature.categories)
        if abs(total - 100) > SHARE_TOLERANCE:
            problems.append(Msg(_l("The population shares of “%(feature)s” add up to %(total)s %%, "
                                   "not 100 %%."), {"feature": feature.label(), "total": f"{total:.1f}"}))
    if not panel.controller.strip():
        problems.append(_l("Name the controller of the personal data."))
    return problems


def publish(panel_id: int, *, actor, now: datetime) -> Panel:
    """Make a draft panel ready: recruitment then opens by itself at its start time."""
    panel = get_panel(panel_id)
    access.require(actor, rules.MANAGE, panel, now=now)
    problems = check_ready(panel)
    if problems:
        raise DetailedValidation(_l("The panel is not ready for recruitment yet."), problems)
    if panel.state != DRAFT:
        raise Conflict(_l("Recruitment has already been scheduled."))
    panel.state = "scheduled"
    open_due_recruitments(now)
    return panel


def open_due_recruitments(now: datetime) -> int:
    opened = db.session.execute(
        update(Panel).where(Panel.state == "scheduled", Panel.recruitment_opens_at <= now,
                            or_(Panel.recruitment_closes_at.is_(None),
                                Panel.recruitment_closes_at > now))
        .values(state=RECRUITING).execution_options(synchronize_session="fetch")).rowcount or 0
    return opened


def close_due_recruitments(now: datetime, panel_id: int | None = None) -> int:
    only = (Panel.id == panel_id,) if panel_id is not None else ()
    closed = db.session.execute(
        update(Panel).where(Panel.state.in_(("scheduled", RECRUITING)),
                            Panel.recruitment_closes_at <= now, *only)
        .values(state=RECRUITMENT_CLOSED).execution_options(synchronize_session="fetch")).rowcount
    return closed or 0


def delete_unconfirmed(now: datetime) -> int:
    """Registrations never confirmed are deleted a day after their link expired."""
    cutoff = now - CONFIRM_LIFETIME - timedelta(days=1)
    doomed = select(Volunteer.id).where(Volunteer.state == PENDING, Volunteer.created_at < cutoff)
    db.session.execute(delete(Answer).where(Answer.volunteer_id.in_(doomed))
                       .execution_options(synchronize_session=False))
    return db.session.execute(delete(Volunteer).where(Volunteer.state == PENDING,
                                                      Volunteer.created_at < cutoff)
                              .execution_options(synchronize_session=False)).rowcount or 0


def close_recruitment_now(panel_id: int, *, actor, now: datetime) -> Panel:
    panel = get_panel(panel_id)
    access.require(actor, rules.MANAGE, panel, now=now)
    if panel.state not in ("scheduled", RECRUITING):
        raise Conflict(_l("Recruitment is not open."))
    panel.state = RECRUITMENT_CLOSED
    panel.recruitment_closes_at = min(panel.recruitment_closes_at or now, now)
    return panel


# --- sign-up ----------------------------------------------------------------------------

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


def registration_of(panel_id: int, actor) -> Volunteer:
    volunteer = None
    if actor is not None and getattr(actor, "is_authenticated", False):
        volunteer = db.session.scalar(select(Volunteer).where(Volunteer.panel_id == panel_id,
                                                              Volunteer.account_id == actor.id))
    if volunteer is None:
        raise NotFound(_l("You have no registration for this panel."))
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


def withdraw(panel_id: int, *, actor, now: datetime) -> None:
    """Delete the volunteer's data at once.  An open invitation becomes a gap to fill."""
    from ..invitations import services as invitations

    volunteer = registration_of(panel_id, actor)
    access.require(actor, rules.OWN_REGISTRATION, volunteer, now=now)
    if get_panel(panel_id).standing:     # service use, draw-group copies, account: see pool.leave
        from .. import pool

        pool.leave(volunteer.id, actor=actor, now=now)
        return
    invitations.release_withdrawn(volunteer, now=now)
    db.session.delete(volunteer)


# --- paper and phone recruits -----------------------------------------------------------

def import_volunteers(panel_id: int, text: str, *, actor, now: datetime) -> int:
    """Import volunteers recruited on paper or by phone: ``email,display_name,channel`` plus
    one column per feature (and ``postal_code,address`` if the panel asks).  Every row is
    checked first; any error imports nothing."""
    from ..selection.models import Draw

    panel = get_panel(panel_id)
    access.require(actor, rules.MANAGE, panel, now=now)
    if db.session.scalar(select(Draw.id).where(Draw.panel_id == panel.id)):
        # Volunteers added after the freeze would never be in the draw nor told so.
        raise Conflict(_l("The pool has been frozen and its hash published: it can no longer "
                          "change."))
    required = ["email", "display_name"] + [f.key for f in panel.features]
    if panel.asks_address:
        required += ["postal_code", "address"]
    rows = read_csv(text, tuple(required), file_label=_l("volunteers"))
    if not rows:
        raise ValidationFailed(_l("The file has no volunteer rows."))
    problems, seen_emails, seen_households = [], {}, {}
    for number, row in enumerate(rows, start=2):
        email = accounts.normalise_email(row["email"])
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            problems.append(Msg(_l("Row %(n)s: “%(email)s” is not an e-mail address."), {"n": number, "email": row["email"]}))
        elif email in seen_emails:
            problems.append(Msg(_l("Row %(n)s: the same e-mail address as on row %(m)s."), {"n": number, "m": seen_emails[email]}))
        elif db.session.scalar(select(Volunteer.id).where(Volunteer.panel_id == panel.id,
                                                           Volunteer.email == email)):
            problems.append(Msg(_l("Row %(n)s: %(email)s is already registered for this panel."), {"n": number, "email": email}))
        seen_emails.setdefault(email, number)
        channel = row.get("channel") or PAPER
        if channel not in (PAPER, PHONE):
            problems.append(Msg(_l("Row %(n)s: the channel must be “paper” or “phone”."), {"n": number}))
        for feature in panel.features:
            value = row.get(feature.key, "")
            allowed = {c.value for c in feature.categories}
            if value in allowed or (value in ("", UNDISCLOSED)
                                    and (feature.allow_undisclosed or feature.sensitive)):
                continue
            problems.append(Msg(_l("Row %(n)s: “%(value)s” is not a category of “%(feature)s” "
                               "(allowed: %(allowed)s)."), {"n": number, "value": value, "feature": feature.key,
                               "allowed": ", ".join(sorted(allowed))}))
        if panel.asks_address:
            if not re.fullmatch(r"\d{5}", row.get("postal_code", "")):
                problems.append(Msg(_l("Row %(n)s: the postal code must have five digits."), {"n": number}))
            elif panel.one_per_household:
                key = household_key(row["postal_code"], row.get("address", ""))
                if key in seen_households or db.session.scalar(
                        select(Volunteer.id).where(Volunteer.panel_id == panel.id,
                                                   Volunteer.household_key == key)):
                    problems.append(Msg(_l("Row %(n)s: someone from this household is already "
                                       "registered."), {"n": number}))
                seen_households[key] = number
    if problems:
        raise DetailedValidation(_l("Nothing was imported: fix these rows and try again."), problems)
    for row in rows:
        answers = {f.key: row.get(f.key) or UNDISCLOSED for f in panel.features}
        register(panel.id, email=row["email"], display_name=row["display_name"], answers=answers,
                 consent=True, sensitive_consent=any(f.sensitive for f in panel.features),
                 postal_code=row.get("postal_code", ""), address=row.get("address", ""),
                 locale=row.get("locale") if row.get("locale") in ("fi", "sv", "en") else "fi",
                 now=now, channel=row.get("channel") or PAPER, confirmed=True)
    return len(rows)


# --- the pool as staff see it ------------------------------------------------------------

def pool_counts(panel_id: int, states=(CONFIRMED,)) -> dict[str, dict[str, int]]:
    """feature key -> value -> number of volunteers (one GROUP BY)."""
    rows = db.session.execute(
        select(Answer.feature_key, Answer.value, func.count())
        .join(Volunteer, Volunteer.id == Answer.volunteer_id)
        .where(Volunteer.panel_id == panel_id, Volunteer.state.in_(states))
        .group_by(Answer.feature_key, Answer.value)).all()
    out: dict[str, dict[str, int]] = {}
    for key, value, count in rows:
        out.setdefault(key, {})[value] = count
    return out


def pool_total(panel_id: int, state=CONFIRMED) -> int:
    return db.session.scalar(select(func.count()).select_from(Volunteer)
                             .where(Volunteer.panel_id == panel_id, Volunteer.state == state)) or 0


def pool_view(panel_id: int, *, actor, now: datetime, locale: str | None = None) -> dict:
    """Volunteers per category against population targets, with the gaps."""
    panel = get_panel(panel_id)
    access.require(actor, rules.POOL_VIEW, panel, now=now)
    counts = pool_counts(panel.id) if panel.aggregate is None else panel.aggregate["features"]
    total = pool_total(panel.id) if panel.aggregate is None else panel.aggregate["total"]
    pending = pool_total(panel.id, PENDING)
    features = []
    for feature in panel.features:
        fc = counts.get(feature.key, {})
        cats = []
        for c in feature.categories:
            n = fc.get(c.value, 0)
            share = 100.0 * n / total if total else 0.0
            # Enough volunteers for the panel's seats (with a margin of 2 for choice)?
            needed = round(c.population_share / 100 * panel.target_size)
            missing = max(0, needed + (POOL_MARGIN if needed else 0) - n)
            gap_pp = share - c.population_share
            # A category clearly below its population share is a shortfall even when its
            # seats can be filled: its volunteers then get lower chances and less choice.
            status = ("missing" if missing else
                      "under" if total and gap_pp <= -UNDER_PP else "enough")
            cats.append({"value": c.value, "label": c.label(locale), "count": n,
                         "share": share, "population_share": c.population_share,
                         "gap_pp": gap_pp, "needed": needed, "missing": missing,
                         "status": status, "short": status != "enough"})
        undisclosed = fc.get(UNDISCLOSED, 0)
        features.append({"key": feature.key, "label": feature.label(locale), "categories": cats,
                         "undisclosed": undisclosed, "sensitive": feature.sensitive})
    return {"panel": panel, "total": total, "pending": pending, "features": features}


# --- suspected duplicates (staff review before the pool is frozen) ----------------------

def suspected_duplicates(panel_id: int, *, actor, now: datetime) -> list[tuple[Volunteer, Volunteer]]:
    """Pairs of volunteers whose e-mail addresses probably reach the same person (plus
    addressing, case, dots at Gmail, confusable or fullwidth characters): for staff to
    review, never shown publicly.  Excluded volunteers are listed too, so an exclusion
    can be undone until the pool is frozen."""
    from .duplicates import suspected_pairs

    panel = get_panel(panel_id)
    access.require(actor, rules.MANAGE, panel, now=now)
    volunteers = {v.id: v for v in db.session.scalars(
        select(Volunteer).where(Volunteer.panel_id == panel.id))}
    pairs = suspected_pairs((v.id, v.email) for v in volunteers.values())
    return [(volunteers[a], volunteers[b]) for a, b in pairs]


def set_excluded(panel_id: int, volunteer_id: int, *, exclude: bool, actor,
                 now: datetime) -> Volunteer:
    """Leave a suspected duplicate out of the pool (or take it back) before the freeze."""
    from ..selection.models import Draw

    panel = get_panel(panel_id)
    access.require(actor, rules.MANAGE, panel, now=now)
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None or volunteer.panel_id != panel.id:
        raise NotFound(_l("No such volunteer."))
    if db.session.scalar(select(Draw.id).where(Draw.panel_id == panel.id)):
        raise Conflict(_l("The pool has been frozen and its hash published: it can no longer "
                          "change."))
    if exclude and volunteer.state != EXCLUDED:
        volunteer.state = EXCLUDED
    elif not exclude and volunteer.state == EXCLUDED:
        volunteer.state = CONFIRMED if volunteer.confirmed_at else PENDING
    return volunteer
