"""The weekly digest: one mail per address and week listing what changed in the things it
follows, in its language.  Nothing is sent when nothing changed.

The week's digest goes out from ``FOLLOW_DIGEST_WEEKDAY`` (0 = Monday) at
``FOLLOW_DIGEST_HOUR`` in Helsinki time; the job runs every hour, and a guarded UPDATE of
``last_digest_at`` claims each address once per week, so running it twice, or in two
processes, sends one mail.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from kuulas import effects
from kuulas.i18n import site_zone
from kuulas.extensions import db

from . import services, targets
from .models import IDEAS, OUTCOME, RAATI, Follow, FollowAddress, PublicChange

UTC = ZoneInfo("UTC")


def slot_start(now: datetime) -> datetime:
    """The start (naive UTC) of the latest weekly digest slot at or before ``now``."""
    zone = site_zone()
    weekday = int(current_app.config.get("FOLLOW_DIGEST_WEEKDAY", 0))
    hour = time(int(current_app.config.get("FOLLOW_DIGEST_HOUR", 7)))
    local = now.replace(tzinfo=UTC).astimezone(zone)
    on = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    start = datetime.combine(on, hour, tzinfo=zone)
    if start > local:
        start = datetime.combine(on - timedelta(days=7), hour, tzinfo=zone)
    return start.astimezone(UTC).replace(tzinfo=None)


@dataclass
class Item:
    """One followed thing and what changed in it since the last digest."""
    target: targets.Target
    changes: list = field(default_factory=list)      # [(event, at)]
    outcome: object = None                            # the outcome whose impacts to list
    impacts: list = field(default_factory=list)
    decisions: list = field(default_factory=list)   # [dict(body, day, item, summary)]


def _subjects(follow: Follow) -> list[tuple[str, int]]:
    subjects = [(follow.kind, follow.target_id)]
    outcome_id = targets.outcome_of(follow.kind, follow.target_id)
    if outcome_id:
        subjects.append((OUTCOME, outcome_id))
    return subjects


def impacts_of(outcome_id: int) -> list[dict]:
    from deliberation.outcomes.models import Outcome
    from deliberation.outcomes.present import STATUS_LABELS
    from deliberation.outcomes.services import impact_state

    outcome = db.session.get(Outcome, outcome_id)
    state = impact_state(outcome)
    return [{"key": p["key"], "text": p["text"], "status": STATUS_LABELS[state[p["key"]].status],
             "reasoning": state[p["key"]].reasoning} for p in outcome.points if p["key"] in state]


def decisions_since(outcome_id: int, since: datetime) -> list[dict]:
    from deliberation.outcomes.models import OutcomeDecision

    rows = db.session.scalars(select(OutcomeDecision).where(OutcomeDecision.outcome_id == outcome_id,
                                                            OutcomeDecision.recorded_at >= since)
                              .order_by(OutcomeDecision.meeting_date, OutcomeDecision.id))
    return [{"body": d.body, "meeting_date": d.meeting_date, "item": d.item, "summary": d.summary} for d in rows]


def pending(address: FollowAddress, *, now: datetime) -> tuple[list[Item], int]:
    """What the address would be told now, and the highest change id included."""
    items, top = [], address.digest_cursor
    for follow in address.follows:
        if follow.confirmed_on is None:
            continue
        target = targets.resolve(follow.kind, follow.target_id, address.locale, now=now)
        if target is None:
            continue
        subjects = _subjects(follow)
        floor = max(address.digest_cursor, follow.since_change)
        rows = db.session.execute(
            select(PublicChange.id, PublicChange.kind, PublicChange.target_id, PublicChange.event, PublicChange.at)
            .where(PublicChange.id > floor, PublicChange.at <= now,
                   or_(*[(PublicChange.kind == k) & (PublicChange.target_id == t) for k, t in subjects]))
            .order_by(PublicChange.id)).all()
        if not rows:
            continue
        item = Item(target=target, changes=[(r.event, r.at) for r in rows])
        outcome_ids = {r.target_id for r in rows if r.kind == OUTCOME}
        decided = [r.at for r in rows if r.kind == OUTCOME and r.event == "decision_recorded"]
        if decided:
            item.decisions = decisions_since(next(iter(outcome_ids)), min(decided))
        if any(r.event in ("impact_recorded", "published") for r in rows if r.kind == OUTCOME):
            outcome_id = next(iter(outcome_ids))
            item.impacts = impacts_of(outcome_id)
            if follow.kind != OUTCOME:
                item.outcome = targets.resolve(OUTCOME, outcome_id, address.locale, now=now)
        items.append(item)
        top = max(top, rows[-1].id)
    return items, top


def send_digests(now: datetime) -> int:
    """Job: queue this week's digest for every address with something new.  Returns mails queued."""
    start = slot_start(now)
    due = db.session.scalars(select(FollowAddress.id).where(
        or_(FollowAddress.last_digest_at.is_(None), FollowAddress.last_digest_at < start))).all()
    sent = 0
    for address_id in due:
        address = db.session.get(FollowAddress, address_id)
        if address is None:
            continue
        items, top = pending(address, now=now)
        if not items:
            continue
        # One transaction per address (the job's own batch steps): a digest queued is saved
        # with the address's cursor before the next address is read.
        with effects.transaction():
            claimed = db.session.execute(
                update(FollowAddress).where(FollowAddress.id == address_id,
                                            or_(FollowAddress.last_digest_at.is_(None),
                                                FollowAddress.last_digest_at < start))
                .values(last_digest_at=now, digest_cursor=top)).rowcount
            if claimed == 1:
                services.send_mail(address, "digest", now=now, items=items, events=EVENT_LABELS,
                                   kinds=KIND_LABELS)
                sent += 1
    return sent


EVENT_LABELS = {
    "published": _l("The outcome was published"),
    "decision_recorded": _l("A decision was recorded"),
    "impact_recorded": _l("The impact of participation was recorded"),
    "follow_up": _l("A follow-up was added"),
    "closed_without_decision": _l("Closed without a decision"),
    "opened": _l("The round opened"),
    "closed": _l("The round closed"),
    "statement_locked": _l("The statement was finalised"),
    "finished": _l("The digiraati ended"),
}
KIND_LABELS = {IDEAS: _l("Idea round"), RAATI: _l("Digiraati"), OUTCOME: _l("Outcome")}
