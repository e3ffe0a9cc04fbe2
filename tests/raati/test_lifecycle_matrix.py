"""Every phase × role × action of the room, through the services, against the table.

The expectations are written out here, independently of ``lifecycle``: who may do what
(``ROLES_FOR``), what needs which phase, what a finished raati and a locked statement stop.
Each combination runs the real service in a savepoint with a frozen clock, with what the
action needs in place (a hand up, a question, a poll, a section with its approvals), and is
rolled back; an allowed action must succeed, a refused one must fail with the table's reason.
The lifecycle's own answer (``lifecycle.refusal``, what the room shows) must agree too.
"""
from __future__ import annotations

from datetime import datetime

import pytest
from flask_babel import lazy_gettext

from kuulas.errors import KuulasError

NOW = datetime(2026, 3, 2, 10, 0, 0)   # the frozen clock: every call gets this ``now``

EVERYONE = {"member", "chair", "secretary", "moderator", "expert", "observer"}
SPEAKERS = {"member", "chair", "secretary", "moderator", "expert"}
EXPECTED_ROLES = {
    "message": SPEAKERS, "hand": SPEAKERS, "question": SPEAKERS, "upvote": SPEAKERS, "vote": SPEAKERS,
    "lower_hand": EVERYONE, "name": EVERYONE,
    "call_next": {"moderator"}, "answer": {"moderator"}, "poll": {"moderator"}, "close_poll": {"moderator"},
    "pin": {"moderator"}, "hide": {"moderator"}, "moderate": {"moderator"}, "set_phase": {"moderator"},
    "timer": {"moderator"},
    "draft_edit": {"secretary", "moderator"}, "review": {"member", "chair", "secretary"}, "lock": {"chair"},
}
# Questions to the experts (and supporting them) need the hearing or the discussion, or no
# phase at all (between sessions); the moderator is not bound by the phase.
QUESTION_PHASES = {None, "hearing", "discussion"}
STATEMENT_ACTIONS = {"draft_edit", "review", "lock"}
ROLES = sorted(EVERYONE) + ["staff"]   # staff: a preparer who is not a member of the raati

SCENARIOS = [("live", phase, False) for phase in
             (None, "orientation", "hearing", "discussion", "drafting", "closing")] + [
    ("draft", None, False), ("draft", "orientation", False), ("finished", None, False),
    ("finished", "hearing", False), ("live", "drafting", True), ("live", "hearing", True)]


def expected(state, phase, locked, role, action) -> str | None:
    """The msgid of the reason the table gives, or None when allowed."""
    from deliberation.raati import lifecycle as lc

    if role == "staff":
        return "You are not a member of this digiraati."
    if role not in EXPECTED_ROLES[action]:
        return "Your role in this digiraati does not allow this."
    if state == "finished" and action != "name":
        return lc.FINISHED_REFUSED
    if locked and action in STATEMENT_ACTIONS:
        return lc.LOCKED_REFUSED
    if action in ("question", "upvote") and role != "moderator" and phase not in QUESTION_PHASES:
        return lc.PHASE_REFUSED
    return None


@pytest.fixture
def world(app, make_staff, make_resident):
    """A live raati between sessions with one member per role (plus a second member who
    asked a question and raised a hand), a message, a question, a poll and a section that
    every juror approved; built through the services."""
    from deliberation.raati import drafting, room, setup
    from kuulas.extensions import db

    preparer = make_staff("preparer")
    raati = setup.save_raati(None, {"title_fi": "Matriisi", "question_fi": "Kaikki yhdistelmät?"},
                             actor=preparer, now=NOW)
    setup.change_state(raati, "live", NOW)
    accounts = {}
    for role in sorted(EVERYONE) + ["asker"]:
        account = make_staff("moderator") if role == "moderator" else make_resident()
        member = setup._ensure_member(raati, account.id, "member" if role == "asker" else role, NOW)
        member.display_name = role.capitalize()
        accounts[role] = account
    accounts["staff"] = preparer
    asker = accounts["asker"]
    message = room.post_message(raati.id, "Hei kaikki", actor=asker, now=NOW)[0].seq
    question = room.ask_question(raati.id, "Paljonko?", actor=asker, now=NOW)[0].payload["id"]
    room.raise_hand(raati.id, actor=asker, now=NOW)
    poll = room.create_poll(raati.id, "Kumpi?", ["A", "B"], actor=accounts["moderator"], now=NOW)[0].payload["id"]
    section = drafting.save_section(raati.id, None, "Otsikko", "Teksti", actor=accounts["secretary"],
                                    now=NOW)[0].payload["id"]
    for juror in ("member", "chair", "secretary", "asker"):
        drafting.review_section(raati.id, section, "approve", "", actor=accounts[juror], now=NOW)
    db.session.commit()
    return {"raati": raati.id, "accounts": accounts, "message": message, "question": question,
            "poll": poll, "section": section, "asker": _member_id(raati.id, asker)}


def _member_id(raati_id, account):
    from deliberation.raati import core

    return core.membership(raati_id, account).id


def _call(w, action, actor, role):
    """Run the service behind ``action`` for ``actor``, with what the action needs."""
    from deliberation.raati import drafting, room
    from deliberation.raati.models import Hand, Raati
    from kuulas.extensions import db

    rid = w["raati"]
    if action == "lower_hand" and role != "staff":
        member_id = _member_id(rid, actor)
        db.session.add(Hand(raati_id=rid, member_id=member_id, raised_seq=10_000 + member_id, raised_at=NOW))
        db.session.flush()
    calls = {
        "message": lambda: room.post_message(rid, "Viesti", actor=actor, now=NOW),
        "hand": lambda: room.raise_hand(rid, actor=actor, now=NOW),
        "lower_hand": lambda: room.lower_hand(rid, actor=actor, now=NOW),
        "question": lambda: room.ask_question(rid, "Kysymys?", actor=actor, now=NOW),
        "upvote": lambda: room.upvote_question(rid, w["question"], actor=actor, now=NOW),
        "vote": lambda: room.vote_poll(rid, w["poll"], 1, actor=actor, now=NOW),
        "name": lambda: room.set_display_name(rid, f"Uusi {role}", actor=actor, now=NOW),
        "call_next": lambda: room.call_next(rid, actor=actor, now=NOW),
        "answer": lambda: room.answer_question(rid, w["question"], actor=actor, now=NOW),
        "poll": lambda: room.create_poll(rid, "Uusi?", ["K", "E"], actor=actor, now=NOW),
        "close_poll": lambda: room.close_poll(rid, w["poll"], actor=actor, now=NOW),
        "pin": lambda: room.pin_message(rid, w["message"], True, actor=actor, now=NOW),
        "hide": lambda: room.hide_message(rid, w["message"], "Syy", actor=actor, now=NOW),
        "moderate": lambda: room.moderate_member(rid, w["asker"], "mute", actor=actor, now=NOW),
        "set_phase": lambda: room.set_phase(rid, _another_phase(rid), actor=actor, now=NOW),
        "timer": lambda: room.timer_action(rid, "start", 60, actor=actor, now=NOW),
        "draft_edit": lambda: drafting.save_section(rid, None, "Uusi osa", "Teksti", actor=actor, now=NOW),
        "review": lambda: drafting.review_section(rid, w["section"], "approve", "", actor=actor, now=NOW),
        "lock": lambda: drafting.close_drafting(rid, actor=actor, now=NOW),
    }
    return calls[action]()


def _another_phase(raati_id) -> int:
    from deliberation.raati.models import Raati
    from kuulas.extensions import db

    raati = db.session.get(Raati, raati_id)
    return next(p.id for p in raati.phases if p.id != raati.current_phase_id)


def _set_scene(w, state, phase, locked):
    from deliberation.raati.models import Raati
    from kuulas.extensions import db

    raati = db.session.get(Raati, w["raati"])
    raati.state = state
    current = next(p for p in raati.phases if p.kind == phase) if phase else None
    raati.current_phase_id = current.id if current else None
    raati.drafting_closed_at = NOW if locked else None
    db.session.commit()


def test_every_role_and_action_is_allowed_or_refused_as_the_table_says(world):
    """One world for all the scenes (building it is the slow part); each scene is set on it."""
    from deliberation.raati import lifecycle, phases
    from kuulas.extensions import db

    assert set(EXPECTED_ROLES) == set(lifecycle.ACTIONS)   # the table covers every action
    assert {phase for _state, phase, _locked in SCENARIOS} == {None, *phases.KINDS}   # and every phase
    wrong, checked = [], 0
    for state, phase, locked in SCENARIOS:
        _set_scene(world, state, phase, locked)
        room_state = lifecycle.Room(state, phase, locked)
        for role in ROLES:
            actor = world["accounts"][role]
            for action in lifecycle.ACTIONS:
                want = expected(state, phase, locked, role, action)
                if role != "staff" and lifecycle.refusal(room_state, role, action) != want:
                    wrong.append((state, phase, locked, role, action, "lifecycle",
                                  lifecycle.refusal(room_state, role, action), want))
                savepoint = db.session.begin_nested()
                try:
                    _call(world, action, actor, role)
                    got = None
                except KuulasError as exc:
                    got = str(exc)
                finally:
                    savepoint.rollback()
                if got != (None if want is None else str(lazy_gettext(want))):
                    wrong.append((state, phase, locked, role, action, "service", got, want))
                checked += 1
    assert wrong == []
    assert checked == len(SCENARIOS) * len(ROLES) * len(EXPECTED_ROLES)


def test_the_room_controls_follow_the_table(world):
    """What the room shows (``abilities``) is the same check: a member in orientation may not
    ask, a moderator may; an observer may do none of it."""
    from deliberation.raati import room

    _set_scene(world, "live", "orientation", False)
    member = room.abilities(world["raati"], actor=world["accounts"]["member"], now=NOW)
    assert member == {"chat": None, "hand": None, "poll": None, "review": None,
                      "question": str(lazy_gettext("The current phase does not allow this."))}
    moderator = room.abilities(world["raati"], actor=world["accounts"]["moderator"], now=NOW)
    assert moderator["question"] is None and moderator["chat"] is None
    assert moderator["review"] == str(lazy_gettext("Your role in this digiraati does not allow this."))
    observer = room.abilities(world["raati"], actor=world["accounts"]["observer"], now=NOW)
    assert set(observer) == {"chat", "hand", "question", "poll", "review"}
    assert all(reason == str(lazy_gettext("Your role in this digiraati does not allow this."))
               for reason in observer.values())


def test_a_raati_goes_live_by_one_path(world, make_staff, monkeypatch):
    """The staff's state form and the moderator's first phase both go through
    ``setup.change_state``: a draft raati becomes live, and only by it."""
    from deliberation.raati import room, setup
    from deliberation.raati.models import Raati
    from kuulas.extensions import db

    _set_scene(world, "draft", None, False)
    seen = []
    original = setup.change_state

    def spy(raati, state, now):
        seen.append(state)
        return original(raati, state, now)

    monkeypatch.setattr(setup, "change_state", spy)
    room.set_phase(world["raati"], db.session.get(Raati, world["raati"]).phases[0].id,
                   actor=world["accounts"]["moderator"], now=NOW)
    assert db.session.get(Raati, world["raati"]).state == "live"
    db.session.get(Raati, world["raati"]).state = "draft"
    setup.set_state(world["raati"], "live", actor=make_staff("preparer"), now=NOW)
    assert db.session.get(Raati, world["raati"]).state == "live"
    assert seen == ["live", "live"]
