"""Personal data of the digiraati (see ``kuulas.personal``).

Erasing a member keeps what they said (the transcript and the statement need it) but cuts
every tie to the person: the membership row loses its account and display name and is
shown as "former member"; the names saved in the room's event payloads are blanked.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from kuulas.extensions import db
from kuulas.personal import registry

from .models import (CHAIR, FINISHED, SECRETARY, Comment, Connection, Event, ExpertInvite, Hand,
                     Member, Message, PollVote, Question, QuestionVote, Raati, Review, SectionVersion)


def _members(subject) -> list[Member]:
    if subject.account_id is None:
        return []
    return list(db.session.scalars(select(Member).where(Member.account_id == subject.account_id)
                                   .order_by(Member.id)))


def _title(raati_id: int) -> str:
    raati = db.session.get(Raati, raati_id)
    return raati.title_fi if raati else ""


def export_members(subject):
    return [{"digiraati": _title(m.raati_id), "role": m.role, "display_name": m.display_name,
             "added_at": m.added_at, "removed_at": m.removed_at} for m in _members(subject)]


def export_messages(subject):
    out = []
    for m in _members(subject):
        for msg in db.session.scalars(select(Message).where(Message.member_id == m.id).order_by(Message.seq)):
            out.append({"digiraati": _title(m.raati_id), "kind": "message", "at": msg.created_at,
                        "text": msg.body, "hidden": msg.hidden_reason is not None})
        for q in db.session.scalars(select(Question).where(Question.member_id == m.id).order_by(Question.id)):
            out.append({"digiraati": _title(m.raati_id), "kind": "question", "at": q.created_at, "text": q.body})
        for c in db.session.scalars(select(Comment).where(Comment.member_id == m.id).order_by(Comment.id)):
            out.append({"digiraati": _title(m.raati_id), "kind": "statement_comment", "at": c.created_at,
                        "text": c.body})
    return out


def blockers(subject, now):
    reasons = []
    for m in _members(subject):
        raati = db.session.get(Raati, m.raati_id)
        if raati is None or raati.state == FINISHED or m.removed_at is not None:
            continue
        title = raati.title_fi
        if m.role == CHAIR:
            reasons.append(_l("They chair the digiraati “%(title)s”, which is still in progress: appoint "
                              "another chair first.", title=title))
        elif m.role == SECRETARY and not db.session.scalar(
                select(func.count()).select_from(Member).where(
                    Member.raati_id == raati.id, Member.role == SECRETARY, Member.id != m.id,
                    Member.removed_at.is_(None), Member.account_id.is_not(None))):
            reasons.append(_l("They are the only secretary of the digiraati “%(title)s”, which is still "
                              "in progress: appoint another secretary first.", title=title))
    return reasons


def _scrub_events(member: Member) -> None:
    for event in db.session.scalars(select(Event).where(Event.raati_id == member.raati_id)):
        payload = dict(event.payload or {})
        changed = False
        if event.member_id == member.id and payload.get("name"):
            payload["name"], changed = "", True
        if payload.get("target") == member.id and payload.get("target_name"):
            payload["target_name"], changed = "", True
        if changed:
            event.payload = payload


def erase(subject, now) -> int:
    members = _members(subject)
    for m in members:
        db.session.execute(delete(Connection).where(Connection.member_id == m.id))
        db.session.execute(delete(ExpertInvite).where(ExpertInvite.member_id == m.id))
        _scrub_events(m)
        m.account_id = None
        m.display_name = ""
        m.removed_at = m.removed_at or now
    return len(members)


def register_all() -> None:
    basis = _l("GDPR art. 6(1)(e): resident participation (Wellbeing Services Counties Act 611/2021, "
               "§ 29); taking part is voluntary.")
    registry.register(registry.PersonalData(
        area="raati", model=Member, linked=(Connection, ExpertInvite, Hand, PollVote, QuestionVote, Review),
        columns=("account_id", "display_name", "role"),
        title=_l("Digiraati membership"),
        about=_l("Members, chairs, secretaries, experts and moderators of a digiraati"),
        purpose=_l("Running the online citizens' jury: who may enter the room, in which role and under "
                   "which name."),
        basis=basis, retention="raati_members", export=export_members, erase=erase, stage=40))
    registry.register(registry.PersonalData(
        area="raati", model=Message, linked=(Question, Comment, SectionVersion, Event),
        columns=("member_id", "body"),
        title=_l("Digiraati messages"),
        about=_l("Members of a digiraati"),
        purpose=_l("The discussion, questions and statement drafting of the digiraati, kept so the "
                   "statement can be traced; after an erasure they are shown as a former member's."),
        basis=basis, retention="raati_messages", export=export_messages))
    from kuulas.personal import services

    services.register_blocker(blockers)
