"""The pool as staff see it: paper and phone recruits, aggregate counts with their
shortfalls, and suspected duplicate registrations left out before the pool is frozen."""
from __future__ import annotations

import re
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from kuulas import access
from kuulas.accounts import services as accounts
from kuulas.errors import Conflict, NotFound, ValidationFailed
from kuulas.extensions import db

from .. import rules
from ..errors import DetailedValidation, Msg
from .models import CONFIRMED, EXCLUDED, PAPER, PENDING, PHONE, UNDISCLOSED, Answer, Volunteer

from .setup import get_panel, read_csv
from .signup import household_key, register

POOL_MARGIN = 2            # volunteers beyond a category's seats, so the draw has a choice
UNDER_PP = 2.0             # a pool share this many points below the population's is a shortfall


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
