"""Every state × role × action of an outcome, against the services, with a frozen clock.

The expected answer comes from two tables only: ``kuulas.access`` (who may manage outcomes)
and ``lifecycle`` (what each state allows).  A refused action raises the domain error with
the lifecycle's translated reason and writes nothing; an allowed move ends in
``lifecycle.target``'s state.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from kuulas import effects
from kuulas.errors import AccessDenied, Conflict, NotFound
from kuulas.extensions import db
from deliberation.outcomes import decisions, drafts, lifecycle, present, publication, visibility
from deliberation.outcomes.models import Outcome

from .conftest import NOW

# Situations: a state, plus the two facts the lifecycle also asks (a decision recorded,
# closed without a decision).
SITUATIONS = ("draft", "scheduled", "published", "published_decided", "published_closed", "scheduled_decided")
ROLES = ("anonymous", "resident", "moderator", "preparer", "administrator")
MANAGERS = {"preparer", "administrator"}
PDF = b"%PDF-1.4 matrix"


def _decide(o, actor, now, notify=False):
    return decisions.record_decision(o.id, body="Aluehallitus", meeting_date="2026-05-20", item="§ 1",
                                     impacts={"section-1": ("adopted", "Otetaan käyttöön.")}, notify=notify,
                                     actor=actor, now=now)


CALLS = {
    lifecycle.EDIT: lambda o, actor, now: drafts.update_draft(
        o.id, title="Uusi otsikko", question="Q", background="B", summary="S", actor=actor, now=now),
    lifecycle.ATTACH: lambda o, actor, now: drafts.add_attachment(
        o.id, title="Liite", filename="liite.pdf", data=PDF, actor=actor, now=now),
    lifecycle.PUBLISH: lambda o, actor, now: publication.publish(o.id, actor=actor, now=now),
    lifecycle.SCHEDULE: lambda o, actor, now: publication.publish(
        o.id, at=now + timedelta(hours=2), actor=actor, now=now),
    lifecycle.WITHDRAW: lambda o, actor, now: publication.withdraw(o.id, actor=actor, now=now),
    lifecycle.CLOSE: lambda o, actor, now: publication.close_without_decision(o.id, actor=actor, now=now),
    lifecycle.DECIDE: _decide,
    lifecycle.FOLLOW_UP: lambda o, actor, now: decisions.add_follow_up(
        o.id, entry_date=date(2026, 6, 1), text="Tapahtui.", actor=actor, now=now),
}


@pytest.fixture
def frozen(monkeypatch):
    """Nothing on the way may read the real clock: ``kuulas.clock.utcnow`` says NOW."""
    import kuulas.clock

    monkeypatch.setattr(kuulas.clock, "utcnow", lambda: NOW)
    return NOW


@pytest.fixture
def actors(make_staff, make_resident):
    return {"anonymous": None, "resident": make_resident(), "moderator": make_staff("moderator"),
            "preparer": make_staff("preparer"), "administrator": make_staff("administrator")}


def _situation(make_outcome, preparer, name: str) -> Outcome:
    """An outcome in ``name``, brought there through the services (each step committed)."""
    o = make_outcome()
    steps = {
        "draft": [],
        "scheduled": [CALLS[lifecycle.SCHEDULE]],
        "published": [CALLS[lifecycle.PUBLISH]],
        "published_decided": [CALLS[lifecycle.PUBLISH], _decide],
        "published_closed": [CALLS[lifecycle.PUBLISH], CALLS[lifecycle.CLOSE]],
        "scheduled_decided": [CALLS[lifecycle.SCHEDULE], _decide],
    }[name]
    for step in steps:
        with effects.transaction():
            step(o, preparer, NOW - timedelta(days=1))
    return db.session.get(Outcome, o.id)


def _facts(o: Outcome) -> dict:
    return {"decided": bool(o.decisions), "closed": present.is_closed_without_decision(o)}


def _snapshot(o: Outcome) -> tuple:
    db.session.expire_all()
    o = db.session.get(Outcome, o.id)
    return (o.state, o.title, len(o.changes), len(o.attachments), len(o.decisions), len(o.follow_ups),
            len(o.impacts), o.publish_at)


def test_every_action_of_the_lifecycle_is_in_the_matrix():
    covered = set(CALLS) | {lifecycle.PUBLISH_DUE, lifecycle.NOTIFY, lifecycle.READ_PUBLIC}
    assert covered == set(lifecycle.ACTIONS)
    assert set(lifecycle.ALLOWED) == set(lifecycle.STATES)


@pytest.mark.parametrize("situation", SITUATIONS)
def test_state_role_action_matrix(app, frozen, make_outcome, actors, situation):
    """Each role × action from the same committed situation; each call is rolled back after
    it is checked, so the next one starts from the situation again."""
    o = _situation(make_outcome, actors["preparer"], situation)
    state, facts = o.state, _facts(o)
    before = _snapshot(o)
    for role in ROLES:
        for action, call in CALLS.items():
            why = lifecycle.why_not(state, action, **facts)
            label = f"{situation} × {role} × {action}"
            if role not in MANAGERS:
                with pytest.raises(AccessDenied):
                    call(o, actors[role], frozen)
            elif why is not None:
                with pytest.raises(Conflict) as refused:
                    call(o, actors[role], frozen)
                assert str(refused.value) == str(present.reason(why)), label
            else:
                call(o, actors[role], frozen)
                db.session.flush()
                after = _snapshot(o)
                assert after[0] == (lifecycle.target(state, action) or state), label
                assert after[2] == before[2] + 1, label      # one dated change in the history
                assert effects.pending(), label              # the page caches drop after the commit
            db.session.rollback()
            assert _snapshot(o) == before, label
            o = db.session.get(Outcome, o.id)


@pytest.mark.parametrize("situation", SITUATIONS)
def test_the_scheduler_publishes_only_a_scheduled_outcome(app, frozen, make_outcome, actors, situation):
    o = _situation(make_outcome, actors["preparer"], situation)
    state = o.state
    with effects.transaction():
        done = publication.publish_due(frozen + timedelta(hours=3))
    db.session.expire_all()
    if lifecycle.allows(state, lifecycle.PUBLISH_DUE):
        assert done == 1
        assert db.session.get(Outcome, o.id).state == lifecycle.target(state, lifecycle.PUBLISH_DUE)
    else:
        assert done == 0
        assert db.session.get(Outcome, o.id).state == state


@pytest.mark.parametrize("situation", SITUATIONS)
def test_the_public_reads_only_what_the_lifecycle_makes_public(app, frozen, make_outcome, actors, situation):
    o = _situation(make_outcome, actors["preparer"], situation)
    if lifecycle.is_public(o.state):
        assert visibility.get_public(o.id).id == o.id
    else:
        with pytest.raises(NotFound) as hidden:
            visibility.get_public(o.id)
        assert str(hidden.value) == str(present.reason(lifecycle.why_not(o.state, lifecycle.READ_PUBLIC)))


@pytest.mark.parametrize("situation", SITUATIONS)
def test_participants_are_told_of_a_decision_only_when_the_lifecycle_allows(app, frozen, make_outcome, actors,
                                                                             situation, monkeypatch):
    o = _situation(make_outcome, actors["preparer"], situation)
    told = []
    monkeypatch.setattr(publication, "notify", lambda outcome, template, **kw: told.append(template) or 0)
    with effects.transaction():
        _decide(o, actors["preparer"], frozen, notify=True)
    assert told == (["outcomes/impact"] if lifecycle.allows(o.state, lifecycle.NOTIFY) else [])


def test_the_staff_page_shows_a_control_only_when_the_lifecycle_allows(app, frozen, make_outcome, actors):
    """The staff page's controls come from the same table (None: shown; else why not)."""
    o = _situation(make_outcome, actors["preparer"], "published_decided")
    controls = present.controls(o)
    assert controls[lifecycle.EDIT] is None and controls[lifecycle.WITHDRAW] is None
    assert str(controls[lifecycle.PUBLISH]) == str(present.REASONS["already_published"])
    assert str(controls[lifecycle.CLOSE]) == str(present.REASONS["already_decided"])
    assert lifecycle.PUBLISH_DUE not in controls
