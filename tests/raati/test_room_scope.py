"""Room items (messages, polls, questions, sections, members, phases) of another raati are
never reached through this room's socket; the room page starts with the controls the phase
does not allow disabled, with the server's reason."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kuulas.clock import utcnow
from tests.raati.conftest import emit


@pytest.fixture
def other(room, make_staff, make_resident):
    """A second raati with one of everything, built through the services."""
    from deliberation.raati import services
    from kuulas.extensions import db

    now = utcnow()
    raati = services.save_raati(None, {"title_fi": "Toinen", "question_fi": "Q"}, actor=room.staff, now=now)
    mod_account, sec_account, member_account = make_staff("moderator"), make_resident(), make_resident()
    for account, role, name in ((mod_account, "moderator", "M2"), (sec_account, "secretary", "S2"),
                                (member_account, "member", "X2")):
        services._ensure_member(raati, account.id, role, now).display_name = name
    db.session.commit()
    rid = raati.id
    msg = services.post_message(rid, "toisen viesti", actor=member_account, now=now)[0]
    question = services.ask_question(rid, "toisen kysymys", actor=member_account, now=now)[0]
    poll = services.create_poll(rid, "Kumpi?", ["A", "B"], actor=mod_account, now=now)[0]
    section = services.save_section(rid, None, "Osio", "Teksti", actor=sec_account, now=now)[0]
    db.session.commit()
    return {"raati": rid, "message": msg.seq, "question": question.payload["id"], "poll": poll.payload["id"],
            "section": section.payload["id"], "member": services.membership(rid, member_account).id,
            "phase": db.session.get(__import__("deliberation.raati.models", fromlist=["Raati"]).Raati, rid).phases[1].id}


def _state(rid):
    from deliberation.raati.models import (Event, Member, Message, Poll, PollVote, Question, QuestionVote,
                                           Review, Section)
    from kuulas.extensions import db

    db.session.expire_all()
    count = lambda model, *where: db.session.scalar(select(func.count()).select_from(model).where(*where))  # noqa: E731
    return (count(Event, Event.raati_id == rid), count(PollVote), count(QuestionVote), count(Review),
            [(m.pinned, m.hidden_at) for m in db.session.scalars(select(Message).where(Message.raati_id == rid))],
            [(q.answered_at,) for q in db.session.scalars(select(Question).where(Question.raati_id == rid))],
            [(p.closed_at,) for p in db.session.scalars(select(Poll).where(Poll.raati_id == rid))],
            [(s.version, s.title) for s in db.session.scalars(select(Section).where(Section.raati_id == rid))],
            [(m.muted, m.removed_at) for m in db.session.scalars(select(Member).where(Member.raati_id == rid))])


CASES = [
    ("a", "upvote", lambda o: {"id": o["question"]}),
    ("mod", "answered", lambda o: {"id": o["question"]}),
    ("a", "vote", lambda o: {"id": o["poll"], "option": 0}),
    ("mod", "poll_close", lambda o: {"id": o["poll"]}),
    ("mod", "pin", lambda o: {"seq": o["message"], "pinned": True}),
    ("mod", "hide", lambda o: {"seq": o["message"], "reason": "syy"}),
    ("mod", "moderate", lambda o: {"member": o["member"], "action": "mute"}),
    ("mod", "moderate", lambda o: {"member": o["member"], "action": "remove"}),
    ("mod", "phase", lambda o: {"id": o["phase"]}),
    ("secretary", "section", lambda o: {"id": o["section"], "title": "Kaapattu", "text": "muutos"}),
    ("a", "review", lambda o: {"id": o["section"], "verdict": "approve"}),
]


@pytest.mark.parametrize("who,event,payload", CASES, ids=[f"{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_items_of_another_raati_are_not_found_over_the_socket(room, other, who, event, payload):
    before = _state(other["raati"])
    ack = emit(room.socket(who), event, payload(other))
    assert ack["ok"] is False and ack["code"] == "not_found", ack
    assert _state(other["raati"]) == before


def test_room_page_starts_with_disallowed_controls_disabled(room):
    from deliberation.raati.models import Raati
    from kuulas.extensions import db

    orientation = db.session.get(Raati, room.id).phases[0].id
    assert emit(room.socket("mod"), "phase", {"id": orientation})["ok"]
    html = room.person("a").client.get(f"/raati/{room.id}").get_data(as_text=True)
    assert '<p id="why-question-question-form" class="why-disabled">Nykyinen vaihe ei salli tätä.</p>' in html
    assert 'id="question-body" rows="2" maxlength="500" disabled aria-describedby="why-question-question-form"' in html
    assert 'id="message-body" rows="3" maxlength="2000" aria-describedby="message-hint">' in html  # chat is allowed
