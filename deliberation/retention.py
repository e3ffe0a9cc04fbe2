"""How the deliberation areas delete their data when its period in the retention table
(``kuulas.retention``) has passed.  Registered on import; run by the ``retention.purge`` job.
Each function changes rows only with guarded statements (a repeated run changes nothing)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update

from kuulas import retention
from kuulas.extensions import db


def _raatis_done_before(cutoff: datetime):
    """Ids of finished raatis whose outcome was published before ``cutoff``, or that
    finished before it and have no outcome (an unpublished outcome keeps everything)."""
    from .outcomes.models import Outcome
    from .raati.models import FINISHED, Raati

    outcome = select(Outcome.published_at).where(Outcome.source_kind == "raati",
                                                 Outcome.source_id == Raati.id).scalar_subquery()
    has_outcome = select(Outcome.id).where(Outcome.source_kind == "raati",
                                           Outcome.source_id == Raati.id).exists()
    return select(Raati.id).where(
        Raati.state == FINISHED, Raati.finished_at.is_not(None),
        ((~has_outcome) & (Raati.finished_at < cutoff)) | (has_outcome & (outcome < cutoff)))


def _delete(model, condition) -> int:
    return db.session.execute(delete(model).where(condition)
                              .execution_options(synchronize_session=False)).rowcount or 0


@retention.purger("raati_messages")
def purge_raati_messages(now: datetime, cutoff: datetime) -> int:
    """Chat messages, questions, raised hands and the live event log (which repeats the
    messages) of raatis done before ``cutoff``.  The statement and its versions stay."""
    from .raati.models import Event, Hand, Message, Question, QuestionVote

    done = _raatis_done_before(cutoff)
    questions = select(Question.id).where(Question.raati_id.in_(done))
    _delete(QuestionVote, QuestionVote.question_id.in_(questions))
    n = _delete(Message, Message.raati_id.in_(done))
    n += _delete(Question, Question.raati_id.in_(done))
    _delete(Hand, Hand.raati_id.in_(done))
    _delete(Event, Event.raati_id.in_(done))
    return n


@retention.purger("raati_members")
def purge_raati_members(now: datetime, cutoff: datetime) -> int:
    """Members of raatis done before ``cutoff``: a member who left nothing in the record
    (no statement version, review or comment) is deleted; the others stay as a nameless
    "former member" so the statement's history holds together."""
    from .raati.models import (Comment, Connection, ExpertInvite, Hand, Member, Message, PollVote,
                               Question, QuestionVote, Review, SectionVersion)

    done = _raatis_done_before(cutoff)
    members = select(Member.id).where(Member.raati_id.in_(done))
    authored = (select(SectionVersion.member_id).where(SectionVersion.member_id.is_not(None))
                .union(select(Review.member_id), select(Comment.member_id),
                       select(Message.member_id), select(Question.member_id)))
    free = list(db.session.scalars(select(Member.id).where(Member.id.in_(members),
                                                           Member.id.not_in(authored))))
    n = 0
    if free:
        for model in (PollVote, QuestionVote, Hand, Connection, ExpertInvite):
            _delete(model, model.member_id.in_(free))
        n += _delete(Member, Member.id.in_(free))
    n += db.session.execute(
        update(Member).where(Member.id.in_(members), Member.display_name != "")
        .values(display_name="").execution_options(synchronize_session=False)).rowcount or 0
    db.session.expire_all()
    return n


@retention.purger("feedback_contact")
def purge_feedback_contacts(now: datetime, cutoff: datetime) -> int:
    """An address left with feedback is deleted when the feedback is answered; one still
    here after the period (feedback never answered) is deleted now."""
    from .feedback.models import Feedback, FeedbackContact

    old = select(Feedback.id).where(Feedback.received_at < cutoff)
    return _delete(FeedbackContact, FeedbackContact.feedback_id.in_(old))


@retention.purger("follow_subscriptions")
def purge_notify_requests(now: datetime, cutoff: datetime) -> int:
    """"Tell me when the outcome is published" requests of idea rounds that ended before
    ``cutoff`` (normally deleted when the notice goes; these never got one)."""
    from .ideas.models import IdeaNotifyRequest, IdeaRound

    ended = select(IdeaRound.id).where(func.coalesce(IdeaRound.closed_at, IdeaRound.closes_at) < cutoff)
    return _delete(IdeaNotifyRequest, IdeaNotifyRequest.round_id.in_(ended))


@retention.purger("idea_content")
def purge_idea_texts(now: datetime, cutoff: datetime) -> int:
    """Texts of ideas and comments of rounds closed before ``cutoff``: comments and flags
    are deleted, idea texts emptied (the counts, and outcomes' own snapshots, stay)."""
    from .ideas.models import CLOSED, Idea, IdeaComment, IdeaFlag, IdeaRound

    closed = select(IdeaRound.id).where(IdeaRound.state == CLOSED, IdeaRound.closed_at.is_not(None),
                                        IdeaRound.closed_at < cutoff)
    _delete(IdeaFlag, IdeaFlag.round_id.in_(closed))
    n = _delete(IdeaComment, IdeaComment.round_id.in_(closed))
    n += db.session.execute(
        update(Idea).where(Idea.round_id.in_(closed), Idea.text != "")
        .values(text="", hidden_reason=None).execution_options(synchronize_session=False)).rowcount or 0
    db.session.expire_all()
    return n
