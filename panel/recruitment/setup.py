"""Setting a panel up (staff): the panel, its features with their categories and
population shares, and the check that it is ready for recruitment."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from kuulas import access
from kuulas.errors import Conflict, NotFound, ValidationFailed
from kuulas.extensions import db
from kuulas.text import ControlCharacter, normalise
from kuulas.text import has_forbidden_control as has_control

from .. import rules
from ..errors import DetailedValidation, Msg
from .models import CLIENT, DRAFT, RESIDENT, UNDISCLOSED, Category, Feature, Panel, Volunteer

SHARE_TOLERANCE = 0.5      # percentage points: shares from published tables are rounded
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
VALUE_RE = re.compile(r"^[A-Za-z0-9ÅÄÖåäö][A-Za-z0-9ÅÄÖåäö_+.-]{0,59}$")


def get_panel(panel_id: int) -> Panel:
    panel = db.session.get(Panel, panel_id)
    if panel is None:
        raise NotFound(_l("No such panel."))
    return panel

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
