"""The live room: every action a member or the moderator takes in it (messages, hands,
questions, polls, moderation, the agenda's phase and the countdown) and what the room's
controls allow now.

Each action asks ``core.allowed`` first (the access rule, then the lifecycle's table for the
raati's state and phase), writes, and returns the ``Event`` rows it appended; their broadcast
is declared by ``core.append`` and happens when the caller commits.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from kuulas import access
from kuulas.errors import Conflict, NotFound, ValidationFailed
from kuulas.extensions import db
from kuulas.sanitize import plain_text

from . import lifecycle as lc
from . import phases, rules
from .core import (MAX_MESSAGE, REASONS, MAX_QUESTION, MAX_REASON, _text, allowed, append, get_raati, membership,
                   refusal, remove_member)
from .models import Event, Hand, Member, Message, Phase, Poll, PollVote, Question, QuestionVote, Raati
from .setup import go_live


def set_display_name(raati_id: int, name: str, *, actor, now) -> tuple[Member, list[Event]]:
    _raati, member = allowed(raati_id, actor, lc.NAME, now)
    name = plain_text(name, 200).replace("\n", " ")
    if not 2 <= len(name) <= 40:
        raise ValidationFailed(_l("The display name must be 2-40 characters long."))
    taken = db.session.scalar(select(func.count()).select_from(Member).where(
        Member.raati_id == raati_id, Member.id != member.id,
        func.lower(Member.display_name) == name.lower()))
    if taken:
        raise Conflict(_l("Someone in this digiraati already uses that name. Choose another."))
    member.display_name = name
    return member, [append(raati_id, "name", member.id, {"name": name, "role": member.role}, now)]


# --- the room ---------------------------------------------------------------------------

def abilities(raati_id: int, *, actor, now) -> dict[str, str | None]:
    """For each room control (``lifecycle.CONTROLS``), ``None`` if the actor may use it now,
    else the translated reason (the very check the action itself runs), so the room can
    disable the control and say why."""
    out: dict[str, str | None] = {}
    raati = None
    member = membership(raati_id, actor)
    for control, action in lc.CONTROLS.items():
        decision = access.can(actor, rules.RULE_FOR[action], member, now=now)
        if not decision:
            out[control] = str(decision.reason)
            continue
        raati = raati or get_raati(raati_id)
        reason = refusal(raati, member, action)
        out[control] = None if reason is None else str(REASONS[reason])
    return out


def role_actions(member: Member | None) -> list[str]:
    """What the member's role may ever do in the room (the page shows controls by it)."""
    return lc.role_actions(member.role) if member is not None else []


def client_rules() -> dict:
    """What the room's script needs of the server's rules besides ``abilities``: when the
    countdown is read out to screen readers."""
    return {"every": phases.ANNOUNCE_EVERY, "at": list(phases.ANNOUNCE_AT)}


def post_message(raati_id: int, body, *, actor, now) -> list[Event]:
    raati, member = allowed(raati_id, actor, lc.MESSAGE, now)
    text = _text(body, MAX_MESSAGE, _l("Write a message first."))
    event = append(raati.id, "message", member.id, {"body": text, "name": member.display_name,
                                                    "role": member.role}, now)
    db.session.add(Message(raati_id=raati.id, seq=event.seq, member_id=member.id, body=text,
                           created_at=now))
    return [event]


def _message(raati_id: int, seq) -> Message:
    msg = db.session.scalar(select(Message).where(Message.raati_id == raati_id, Message.seq == seq)) \
        if isinstance(seq, int) else None
    if msg is None:
        raise NotFound(_l("No such message."))
    return msg


def pin_message(raati_id: int, seq, pinned: bool, *, actor, now) -> list[Event]:
    raati, mod = allowed(raati_id, actor, lc.PIN, now)
    msg = _message(raati.id, seq)
    msg.pinned = bool(pinned)
    return [append(raati.id, "pin", mod.id, {"target": msg.seq, "pinned": msg.pinned}, now)]


def hide_message(raati_id: int, seq, reason, *, actor, now) -> list[Event]:
    raati, mod = allowed(raati_id, actor, lc.HIDE, now)
    reason = _text(reason, MAX_REASON, _l("Give a reason for hiding the message."))
    msg = _message(raati.id, seq)
    if msg.hidden_at is not None:
        raise Conflict(_l("The message is already hidden."))
    msg.hidden_at, msg.hidden_reason = now, reason
    return [append(raati.id, "hide", mod.id, {"target": msg.seq, "reason": reason}, now)]


def raise_hand(raati_id: int, *, actor, now) -> list[Event]:
    raati, member = allowed(raati_id, actor, lc.HAND, now)
    up = db.session.scalar(select(Hand).where(Hand.raati_id == raati.id, Hand.member_id == member.id,
                                              Hand.called_at.is_(None), Hand.lowered_at.is_(None)))
    if up is not None:
        raise Conflict(_l("Your hand is already up."))
    event = append(raati.id, "hand", member.id, {"name": member.display_name}, now)
    db.session.add(Hand(raati_id=raati.id, member_id=member.id, raised_seq=event.seq, raised_at=now))
    return [event]


def lower_hand(raati_id: int, *, actor, now) -> list[Event]:
    _raati, member = allowed(raati_id, actor, lc.LOWER_HAND, now)
    hand = db.session.scalar(select(Hand).where(Hand.raati_id == raati_id, Hand.member_id == member.id,
                                                Hand.called_at.is_(None), Hand.lowered_at.is_(None)))
    if hand is None:
        raise Conflict(_l("Your hand is not up."))
    hand.lowered_at = now
    return [append(raati_id, "hand_down", member.id, {"target": member.id}, now)]


def call_next(raati_id: int, *, actor, now) -> list[Event]:
    """Call the hand raised first (the queue is ordered by sequence number)."""
    raati, mod = allowed(raati_id, actor, lc.CALL_NEXT, now)
    hand = db.session.scalar(select(Hand).where(Hand.raati_id == raati.id, Hand.called_at.is_(None),
                                                Hand.lowered_at.is_(None)).order_by(Hand.raised_seq))
    if hand is None:
        raise Conflict(_l("No hands are up."))
    hand.called_at = now
    member = db.session.get(Member, hand.member_id)
    return [append(raati.id, "called", mod.id, {"target": member.id, "target_name": member.display_name}, now)]


def ask_question(raati_id: int, body, *, actor, now) -> list[Event]:
    raati, member = allowed(raati_id, actor, lc.QUESTION, now)
    text = _text(body, MAX_QUESTION, _l("Write a question first."))
    question = Question(raati_id=raati.id, member_id=member.id, body=text, created_at=now)
    db.session.add(question)
    db.session.flush()
    return [append(raati.id, "question", member.id, {"id": question.id, "body": text,
                                                     "name": member.display_name}, now)]


def upvote_question(raati_id: int, question_id, *, actor, now) -> list[Event]:
    raati, member = allowed(raati_id, actor, lc.UPVOTE, now)
    question = db.session.get(Question, question_id) if isinstance(question_id, int) else None
    if question is None or question.raati_id != raati.id:
        raise NotFound(_l("No such question."))
    exists = db.session.scalar(select(QuestionVote.id).where(QuestionVote.question_id == question.id,
                                                             QuestionVote.member_id == member.id))
    if exists:
        raise Conflict(_l("You have already supported this question."))
    db.session.add(QuestionVote(question_id=question.id, member_id=member.id))
    db.session.flush()
    votes = db.session.scalar(select(func.count()).select_from(QuestionVote)
                              .where(QuestionVote.question_id == question.id))
    return [append(raati.id, "upvote", member.id, {"id": question.id, "votes": votes}, now)]


def answer_question(raati_id: int, question_id, *, actor, now) -> list[Event]:
    raati, mod = allowed(raati_id, actor, lc.ANSWER, now)
    question = db.session.get(Question, question_id) if isinstance(question_id, int) else None
    if question is None or question.raati_id != raati.id:
        raise NotFound(_l("No such question."))
    question.answered_at = now
    return [append(raati.id, "answered", mod.id, {"id": question.id}, now)]


def create_poll(raati_id: int, question, options, *, actor, now) -> list[Event]:
    raati, mod = allowed(raati_id, actor, lc.POLL, now)
    text = _text(question, 300, _l("Write the poll question."))
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise ValidationFailed(_l("Give the options as text."))
    opts = [plain_text(o, 100) for o in options if plain_text(o)]
    if not 2 <= len(opts) <= 8:
        raise ValidationFailed(_l("A poll needs 2-8 options."))
    poll = Poll(raati_id=raati.id, question=text, options=opts, created_at=now)
    db.session.add(poll)
    db.session.flush()
    return [append(raati.id, "poll", mod.id, {"id": poll.id, "question": text, "options": opts}, now)]


def poll_counts(poll: Poll) -> list[int]:
    rows = dict(db.session.execute(select(PollVote.option, func.count()).where(PollVote.poll_id == poll.id)
                                   .group_by(PollVote.option)).all())
    return [rows.get(i, 0) for i in range(len(poll.options))]


def vote_poll(raati_id: int, poll_id, option, *, actor, now) -> list[Event]:
    raati, member = allowed(raati_id, actor, lc.VOTE, now)
    poll = db.session.get(Poll, poll_id) if isinstance(poll_id, int) else None
    if poll is None or poll.raati_id != raati.id:
        raise NotFound(_l("No such poll."))
    if poll.closed_at is not None:
        raise Conflict(_l("The poll has closed."))
    if not isinstance(option, int) or isinstance(option, bool) or not 0 <= option < len(poll.options):
        raise ValidationFailed(_l("Choose one of the options."))
    if db.session.scalar(select(PollVote.id).where(PollVote.poll_id == poll.id,
                                                   PollVote.member_id == member.id)):
        raise Conflict(_l("You have already answered this poll."))
    db.session.add(PollVote(poll_id=poll.id, member_id=member.id, option=option))
    db.session.flush()
    # Results carry counts only: who chose what is not broadcast.
    return [append(raati.id, "poll_result", None, {"id": poll.id, "counts": poll_counts(poll)}, now)]


def close_poll(raati_id: int, poll_id, *, actor, now) -> list[Event]:
    raati, mod = allowed(raati_id, actor, lc.CLOSE_POLL, now)
    poll = db.session.get(Poll, poll_id) if isinstance(poll_id, int) else None
    if poll is None or poll.raati_id != raati.id:
        raise NotFound(_l("No such poll."))
    poll.closed_at = poll.closed_at or now
    return [append(raati.id, "poll_closed", mod.id, {"id": poll.id, "counts": poll_counts(poll)}, now)]


def moderate_member(raati_id: int, target_id, action: str, *, actor, now, reason: str = "") -> list[Event]:
    raati, mod = allowed(raati_id, actor, lc.MODERATE, now)
    target = db.session.get(Member, target_id) if isinstance(target_id, int) else None
    if target is None or target.raati_id != raati.id or target.removed_at is not None:
        raise NotFound(_l("No such participant."))
    if target.id == mod.id:
        raise ValidationFailed(_l("You cannot do this to yourself."))
    if action in ("mute", "unmute"):
        target.muted = action == "mute"
        return [append(raati.id, action, mod.id, {"target": target.id, "target_name": target.display_name}, now)]
    if action == "remove":
        return remove_member(target, mod, plain_text(reason, MAX_REASON), now)
    if action == "floor":
        return _give_floor(raati, mod, target, now)
    raise ValidationFailed(_l("Unknown action."))


def _give_floor(raati: Raati, mod: Member, target: Member, now) -> list[Event]:
    """The moderator gives the floor to anyone present, out of the queue: an invited expert
    in the hearing, say.  A hand the speaker had up counts as called."""
    if target.muted:
        raise Conflict(_l("Unmute the participant first."))
    for hand in db.session.scalars(select(Hand).where(Hand.raati_id == raati.id, Hand.member_id == target.id,
                                                      Hand.called_at.is_(None), Hand.lowered_at.is_(None))):
        hand.called_at = now
    return [append(raati.id, "called", mod.id, {"target": target.id, "target_name": target.display_name}, now)]


def set_phase(raati_id: int, phase_id, *, actor, now) -> list[Event]:
    raati, mod = allowed(raati_id, actor, lc.SET_PHASE, now)
    ids = [p.id for p in raati.phases]
    if phase_id not in ids:
        raise NotFound(_l("No such phase."))
    current = ids.index(raati.current_phase_id) if raati.current_phase_id in ids else None
    if not phases.can_move(current, ids.index(phase_id), len(ids)):
        raise Conflict(_l("That phase is already current."))
    phase = db.session.get(Phase, phase_id)
    phase.started_at = now
    raati.current_phase_id = phase.id
    go_live(raati, now)
    timer = phases.Timer().start(now, phase.planned_minutes * 60)
    raati.timer_ends_at, raati.timer_remaining = timer.ends_at, timer.remaining
    return [append(raati.id, "phase", mod.id, {"id": phase.id, "kind": phase.kind,
                                               "minutes": phase.planned_minutes,
                                               **_timer_wire(timer, now)}, now)]


def _timer_wire(timer: phases.Timer, now) -> dict:
    return {"ends_at": timer.ends_at.isoformat() + "Z" if timer.ends_at else None,
            "remaining": timer.seconds_left(now), "running": timer.running,
            "server_now": now.isoformat() + "Z"}


def timer_action(raati_id: int, action: str, seconds=None, *, actor, now) -> list[Event]:
    raati, mod = allowed(raati_id, actor, lc.TIMER, now)
    timer = phases.Timer(raati.timer_ends_at, raati.timer_remaining or 0)
    if seconds is not None and (not isinstance(seconds, int) or isinstance(seconds, bool)):
        raise ValidationFailed(_l("Give the time in whole seconds."))
    try:
        if action == "start":
            timer = timer.start(now, seconds)
        elif action == "pause":
            timer = timer.pause(now)
        elif action == "extend":
            timer = timer.extend(now, seconds or 0)
        elif action == "stop":
            timer = timer.stop()
        else:
            raise ValidationFailed(_l("Unknown action."))
    except phases.TimerError:
        raise Conflict(_l("The timer cannot do that now.")) from None
    raati.timer_ends_at, raati.timer_remaining = timer.ends_at, timer.remaining
    return [append(raati.id, "timer", mod.id, {"action": action, **_timer_wire(timer, now)}, now)]

