"""Selection services: quotas, the published pool snapshot and hash, the draw through
the sortition engine, replacement draws and the public report.

Never stores names or e-mail addresses in a draw: the published files hold only the
volunteers' random pseudonyms and their category values.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from kuulas import access
from kuulas.errors import Conflict, KuulasError, NotFound, ValidationFailed
from kuulas.extensions import db

from .. import lifecycle, rules
from ..lifecycle_reasons import require_draw, require_panel
from ..errors import DetailedValidation, Msg
from ..recruitment.models import (CLOSED, CONFIRMED, RECRUITING, RECRUITMENT_CLOSED,
                                  UNDISCLOSED, Panel, Volunteer)
from ..recruitment.setup import get_panel
from . import engine
from .models import BLOCKED, DONE, INITIAL, PREPARED, REPLACEMENT, Draw, QuotaRow
from .commitments import new_key
from .quotas import default_quota


# --- quotas -----------------------------------------------------------------------------

def quota_rows(panel: Panel) -> list[QuotaRow]:
    """The panel's quotas, derived from the shares on first use."""
    rows = db.session.scalars(select(QuotaRow).where(QuotaRow.panel_id == panel.id)
                              .order_by(QuotaRow.id)).all()
    if rows:
        return list(rows)
    out = []
    for feature in panel.features:
        for c in feature.categories:
            low, high, target = default_quota(c.population_share, panel.target_size)
            out.append(QuotaRow(panel_id=panel.id, feature_key=feature.key, value=c.value,
                                min=low, max=high, target=target))
        if feature.allow_undisclosed or feature.sensitive:
            out.append(QuotaRow(panel_id=panel.id, feature_key=feature.key, value=UNDISCLOSED,
                                min=0, max=panel.target_size, target=None))
    return out


def check_quotas(panel: Panel, values: dict[tuple[str, str], tuple[int, int]]) -> list:
    problems = []
    known = {(f.key, c.value) for f in panel.features for c in f.categories}
    known |= {(f.key, UNDISCLOSED) for f in panel.features if f.allow_undisclosed or f.sensitive}
    k = panel.target_size
    for (key, value), (low, high) in values.items():
        if (key, value) not in known:
            problems.append(Msg(_l("“%(value)s” is not a category of the panel's feature “%(feature)s”."), {"value": value, "feature": key}))
        elif low < 0 or high < low:
            problems.append(Msg(_l("%(feature)s = %(value)s: the minimum (%(min)s) must be at least 0 "
                               "and at most the maximum (%(max)s)."), {"feature": key, "value": value, "min": low, "max": high}))
        elif high > k:
            problems.append(Msg(_l("%(feature)s = %(value)s: the maximum (%(max)s) may be at most "
                                   "the panel size %(k)s."), {"feature": key, "value": value,
                                                              "max": high, "k": k}))
    for feature in panel.features:
        mins = sum(lo for (fk, _v), (lo, _hi) in values.items() if fk == feature.key)
        maxes = sum(hi for (fk, _v), (_lo, hi) in values.items() if fk == feature.key)
        if mins > k:
            problems.append(Msg(_l("The minimums of “%(feature)s” add up to %(sum)s, more than the "
                               "panel size %(k)s."), {"feature": feature.label(), "sum": mins, "k": k}))
        if maxes < k:
            problems.append(Msg(_l("The maximums of “%(feature)s” add up to %(sum)s, less than the "
                               "panel size %(k)s."), {"feature": feature.label(), "sum": maxes, "k": k}))
    return problems


def save_quotas(panel_id: int, values: dict[tuple[str, str], tuple[int, int]], *, actor,
                now: datetime) -> list[QuotaRow]:
    panel = get_panel(panel_id)
    access.require(actor, rules.DRAW_RUN, panel, now=now)
    _no_draw_yet(panel)
    rows = {(r.feature_key, r.value): r for r in quota_rows(panel)}
    merged = {key: (r.min, r.max) for key, r in rows.items()}
    merged.update(values)
    problems = check_quotas(panel, merged)
    if problems:
        raise DetailedValidation(_l("The quotas were not saved."), problems)
    for key, (low, high) in merged.items():
        row = rows[key]
        row.min, row.max = low, high
        db.session.add(row)
    return list(rows.values())


def _no_draw_yet(panel: Panel) -> None:
    """Once the pool hash is published the pool, quotas and size are frozen for good: a
    second freeze would silently replace a published hash (and let staff pick among
    pools after seeing the seed announcement approach), so it is refused."""
    draw = db.session.scalar(select(Draw).where(Draw.panel_id == panel.id,
                                                Draw.kind == INITIAL))
    if draw is not None and draw.state == DONE:
        raise Conflict(_l("The draw has been run: its quotas can no longer change."))
    if draw is not None:
        raise Conflict(_l("The pool and quotas have been frozen and their hash published: "
                          "they can no longer change."))


# --- the pool snapshot ------------------------------------------------------------------

def pool_people(panel: Panel) -> list[dict]:
    """Confirmed volunteers as ``{"id": pseudonym, <feature>: value}``, sorted by pseudonym
    (random, so the order leaks nothing about who registered when)."""
    volunteers = db.session.scalars(select(Volunteer).where(
        Volunteer.panel_id == panel.id, Volunteer.state == CONFIRMED)
        .order_by(Volunteer.pseudonym)).all()
    keys = [f.key for f in panel.features]
    people = []
    for v in volunteers:
        values = v.values()
        people.append({"id": v.pseudonym, **{k: values.get(k, UNDISCLOSED) for k in keys}})
    return people


def prepare_draw(panel_id: int, *, seed_source: str, actor, now: datetime) -> Draw:
    """Freeze the pseudonymised pool and quotas and publish their hash.  The seed is not
    known yet: it comes later from the announced public source."""
    from ..recruitment.schedule import close_due_recruitments

    panel = get_panel(panel_id)
    access.require(actor, rules.DRAW_RUN, panel, now=now)
    require_panel(panel.phase(now), lifecycle.PREPARE_DRAW)
    if panel.state != RECRUITMENT_CLOSED:     # the clock closed it; the job has not yet
        close_due_recruitments(now, panel.id)
        db.session.refresh(panel)
    seed_source = (seed_source or "").strip()
    if not seed_source:
        raise ValidationFailed(_l("Say where the seed will come from, for example a future "
                                  "lottery draw, before publishing the pool."))
    _no_draw_yet(panel)
    quotas = quota_rows(panel)
    values = {(r.feature_key, r.value): (r.min, r.max) for r in quotas}
    problems = check_quotas(panel, values)
    people = pool_people(panel)
    if len(people) < panel.target_size:
        problems.append(Msg(_l("The pool has %(n)s confirmed volunteers, fewer than the panel size "
                           "%(k)s."), {"n": len(people), "k": panel.target_size}))
    if problems:
        raise DetailedValidation(_l("The draw cannot be prepared yet."), problems)
    for row in quotas:
        db.session.add(row)  # derived defaults become the published quotas
    keys = [f.key for f in panel.features]
    people_csv = engine.people_csv(people, keys)
    quotas_csv = engine.quotas_csv([(r.feature_key, r.value, r.min, r.max) for r in quotas])
    try:
        engine.check(people_csv, quotas_csv, panel.target_size)
    except engine.EngineProblem as exc:
        raise DetailedValidation(exc.reason, exc.details, code=exc.code) from None
    key = new_key()
    draw = Draw(panel_id=panel.id, number=1, kind=INITIAL, state=PREPARED,
                size=panel.target_size, seed_source=seed_source[:300], people_csv=people_csv,
                quotas_csv=quotas_csv, commit_key=key,
                pool_hash=engine.hash_files(people_csv, quotas_csv, panel.target_size, key=key),
                prepared_at=now)
    db.session.add(draw)
    db.session.flush()
    return draw


def run_draw(panel_id: int, *, seed_value: str, actor, now: datetime) -> Draw:
    """Run the prepared draw with the announced seed value and invite the selected."""
    from ..invitations import services as invitations

    panel = get_panel(panel_id)
    access.require(actor, rules.DRAW_RUN, panel, now=now)
    draw = db.session.scalar(select(Draw).where(Draw.panel_id == panel.id, Draw.kind == INITIAL))
    if draw is None:
        raise Conflict(_l("Prepare the draw first, so that its pool hash is published."))
    require_draw(draw.state, lifecycle.RUN)
    seed_value = (seed_value or "").strip()
    if not seed_value:
        raise ValidationFailed(_l("Enter the announced seed value."))
    _execute(draw, seed_value)
    draw.run_at = now
    panel.state = lifecycle.DRAWN      # the move RUN_DRAW (panel.lifecycle)
    invitations.invite(panel, draw, draw.selected, now=now)
    tell_not_selected(panel, draw, now=now)
    return draw


def tell_not_selected(panel: Panel, draw: Draw, *, now: datetime) -> int:
    """Every volunteer of the drawn pool who was not selected hears so, in their own
    language (their page says so too).  Part of the draw's transaction: sent once."""
    from flask import current_app

    from .. import mailing

    chosen = set(draw.selected or ())
    pool = set(engine.ids_of(draw.people_csv)) - chosen
    base = current_app.config.get("SITE_URL", "").rstrip("/")
    sent = 0
    for volunteer in db.session.scalars(select(Volunteer).where(
            Volunteer.panel_id == panel.id, Volunteer.state == CONFIRMED)
            .order_by(Volunteer.id)):
        if volunteer.pseudonym not in pool:
            continue
        mailing.queue(volunteer.email, "not_selected", locale=volunteer.locale,
                      category="panel_not_selected", now=now,
                      panel_name=panel.name(volunteer.locale), display_name=volunteer.display_name,
                      link=f"{base}/paneelit/{panel.id}/oma",
                      report_link=f"{base}/paneelit/{panel.id}/arvonta")
        sent += 1
    return sent


def own_commitment(volunteer: Volunteer, panel: Panel) -> dict | None:
    """What a volunteer needs to find their own row in the public pool file: pseudonym,
    salt and commitment (shown to them only)."""
    from .commitments import commitment, salt

    first = db.session.scalar(select(Draw).where(Draw.panel_id == panel.id, Draw.kind == INITIAL))
    if first is None or not first.commit_key:
        return None
    import csv
    import io

    for row in csv.DictReader(io.StringIO(first.people_csv)):
        if row.get("id") == volunteer.pseudonym:
            values = {k: v for k, v in row.items() if k != "id"}
            return {"pseudonym": volunteer.pseudonym, "salt": salt(first.commit_key, volunteer.pseudonym),
                    "commitment": commitment(first.commit_key, volunteer.pseudonym, values),
                    "number": first.number}
    return None


def registration_status(volunteer: Volunteer, panel: Panel, now: datetime) -> dict:
    """Where one registration stands, as one status for the volunteer's own page and the
    resident page: ``{"code", "invitation"}`` with code one of ``pending``, ``waiting``
    (confirmed, no draw yet), ``excluded``, ``not_in_pool``, ``invited``, ``member``,
    ``declined``, ``expired``, ``not_selected``."""
    from ..invitations.models import Invitation

    invitation = db.session.scalar(select(Invitation).where(
        Invitation.volunteer_id == volunteer.id).order_by(Invitation.id.desc()))
    if invitation is not None:
        code = {lifecycle.I_PENDING: "invited", lifecycle.I_ACCEPTED: "member",
                lifecycle.I_DECLINED: "declined", lifecycle.I_EXPIRED: "expired",
                }.get(invitation.state, "declined")
        return {"code": code, "invitation": invitation}
    first = db.session.scalar(select(Draw).where(Draw.panel_id == panel.id, Draw.kind == INITIAL))
    if first is not None and first.state == DONE:
        if volunteer.pseudonym in set(engine.ids_of(first.people_csv)):
            return {"code": "not_selected", "invitation": None, "draw": first}
        return {"code": "not_in_pool", "invitation": None}
    if volunteer.state == lifecycle.V_EXCLUDED:
        return {"code": "excluded", "invitation": None}
    if volunteer.state == CONFIRMED:
        return {"code": "waiting", "invitation": None}
    return {"code": "pending", "invitation": None}


def _execute(draw: Draw, seed_value: str) -> None:
    try:
        result = engine.run(draw.people_csv, draw.quotas_csv, draw.size, seed_value,
                            forced_csv=draw.forced_csv, excluded_csv=draw.excluded_csv)
    except engine.EngineProblem as exc:
        raise DetailedValidation(exc.reason, exc.details, code=exc.code) from None
    draw.seed_value = seed_value
    draw.seed = str(result.seed)
    draw.algorithm = result.algorithm
    draw.version = result.version
    draw.selected = sorted(result.selected)
    draw.probabilities_csv = result.probabilities_csv
    targets = {(r.feature_key, r.value): r.target for r in db.session.scalars(
        select(QuotaRow).where(QuotaRow.panel_id == draw.panel_id))}
    report = dict(result.report)
    report["categories"] = [{**c, "target": targets.get((c["feature"], c["value"]))}
                            for c in report["categories"]]
    draw.report = report
    draw.state = DONE


def gaps(panel: Panel, *, settled_before: datetime | None = None) -> list:
    """Seats left open.  With ``settled_before`` a decline counts only once its undo
    window has passed (the job waits; staff may draw at once)."""
    from sqlalchemy import or_

    from ..invitations.models import DECLINED, GAP_STATES, Invitation

    query = select(Invitation).where(
        Invitation.panel_id == panel.id, Invitation.state.in_(GAP_STATES),
        Invitation.replaced_by_draw_id.is_(None))
    if settled_before is not None:
        query = query.where(or_(Invitation.state != DECLINED,
                                Invitation.answered_at <= settled_before))
    return list(db.session.scalars(query))


def replacement_draw(panel_id: int, *, actor=None, now: datetime,
                     quotas_csv: str | None = None) -> Draw | None:
    """Fill the seats left by declines, missed deadlines and withdrawals: keep everyone
    who accepted or has not yet answered, exclude everyone ever invited who left, and
    still meet the quotas.  The seed is derived from the announced value and the draw
    number, so this draw is as reproducible as the first.  ``actor=None`` is the job.

    If the remaining pool cannot meet the quotas, nothing fails: the draw is stored as
    ``blocked`` with the engine's relaxed quotas as a proposal (which quotas, by how
    much), and waits for staff, who run it with ``quotas_csv`` (the proposal, or quotas
    they adjusted by hand).  The job never relaxes quotas by itself."""
    from ..invitations import services as invitations
    from ..invitations.models import OPEN_STATES, Invitation

    panel = get_panel(panel_id)
    if actor is not None or quotas_csv is not None:
        access.require(actor, rules.DRAW_RUN, panel, now=now)
    require_panel(panel.state, lifecycle.REPLACE)
    from ..invitations.services import DECLINE_UNDO_WINDOW

    job = actor is None and quotas_csv is None
    open_gaps = gaps(panel, settled_before=now - DECLINE_UNDO_WINDOW if job else None)
    blocked = blocked_draw(panel.id)
    if not open_gaps:
        if blocked is not None:
            db.session.delete(blocked)   # the seats were filled otherwise (an undone decline)
        return None
    if blocked is not None and quotas_csv is None:
        return blocked                   # still waiting for staff to choose
    first = db.session.scalar(select(Draw).where(Draw.panel_id == panel.id, Draw.kind == INITIAL))
    invited = db.session.scalars(select(Invitation).where(Invitation.panel_id == panel.id)).all()
    forced = sorted({i.pseudonym for i in invited if i.state in OPEN_STATES})
    excluded = sorted({i.pseudonym for i in invited if i.state not in OPEN_STATES})
    # Volunteers who withdrew before being drawn have no data left: they cannot be invited.
    present = set(db.session.scalars(select(Volunteer.pseudonym).where(
        Volunteer.panel_id == panel.id)))
    pool_ids = engine.ids_of(first.people_csv)
    excluded = sorted(set(excluded) | {pid for pid in pool_ids if pid not in present})
    forced_csv, excluded_csv = engine.ids_csv(forced), engine.ids_csv(excluded)
    if quotas_csv is not None:
        from kuulas.text import ControlCharacter, normalise

        try:
            quotas_csv = normalise(quotas_csv)
        except ControlCharacter:
            raise ValidationFailed(_l("The quotas contain a control character (for example a "
                                      "NUL byte). Remove it and try again.")) from None
    quotas = first.quotas_csv if quotas_csv is None else quotas_csv
    try:
        engine.check(first.people_csv, quotas, first.size, forced_csv=forced_csv,
                     excluded_csv=excluded_csv)
        proposal = None
    except engine.EngineProblem as exc:
        if quotas_csv is not None or not exc.infeasible:
            raise DetailedValidation(exc.reason, exc.details, code=exc.code) from None
        proposal = engine.relax(first.people_csv, quotas, first.size, forced_csv=forced_csv,
                                excluded_csv=excluded_csv)
    draw = blocked
    if draw is None:
        number = (db.session.scalar(select(func.max(Draw.number))
                                    .where(Draw.panel_id == panel.id)) or 1) + 1
        draw = Draw(panel_id=panel.id, number=number, kind=REPLACEMENT, size=first.size,
                    seed_source=first.seed_source, people_csv=first.people_csv,
                    commit_key=first.commit_key)
        db.session.add(draw)
    draw.quotas_csv, draw.forced_csv, draw.excluded_csv = quotas, forced_csv, excluded_csv
    draw.prepared_at = now
    draw.pool_hash = _hash_of(first, quotas, forced_csv, excluded_csv)
    if proposal is not None:
        relaxed, changes = proposal
        draw.state = BLOCKED
        draw.report = {"relaxation": {"quotas_csv": relaxed, "changes": changes}}
        db.session.flush()
        return draw
    draw.state, draw.report = PREPARED, None
    db.session.flush()
    _execute(draw, f"{first.seed_value}#{draw.number}")
    draw.run_at = now
    new = sorted(set(draw.selected) - set(forced))
    for gap in open_gaps:
        gap.replaced_by_draw_id = draw.id
    invitations.invite(panel, draw, new, now=now)
    return draw


def _hash_of(first: Draw, quotas: str, forced_csv: str, excluded_csv: str) -> str:
    try:
        if first.commit_key:
            return engine.hash_files(first.people_csv, quotas, first.size, key=first.commit_key,
                                     forced_csv=forced_csv, excluded_csv=excluded_csv)
        from panel.sortition import pool_hash   # a draw made before public commitments

        people, parsed = engine.parse(first.people_csv, quotas)
        return pool_hash(people, parsed, first.size, engine.ids_of(forced_csv),
                         engine.ids_of(excluded_csv))
    except engine.EngineProblem as exc:
        raise DetailedValidation(exc.reason, exc.details, code=exc.code) from None


def blocked_draw(panel_id: int) -> Draw | None:
    return db.session.scalar(select(Draw).where(Draw.panel_id == panel_id,
                                                Draw.state == BLOCKED))


# --- reading ----------------------------------------------------------------------------

def draws(panel_id: int) -> list[Draw]:
    return list(db.session.scalars(select(Draw).where(Draw.panel_id == panel_id)
                                   .order_by(Draw.number)))


def public_draw(panel_id: int, number: int, *, include_blocked: bool = False) -> Draw:
    draw = db.session.scalar(select(Draw).where(Draw.panel_id == panel_id, Draw.number == number))
    if draw is None or (draw.state == BLOCKED and not include_blocked):
        raise NotFound(_l("No such draw."))
    return draw
