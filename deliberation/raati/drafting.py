"""Statement drafting: the secretary's versions, members' reviews, and the chair's lock.

Locking needs the approval rule of the raati (``statement.RULES``: by default a majority of
the members approves the current version of every section) or, where staff allowed it, the
chair's override with a recorded reason.  What held at the lock is frozen in
``Raati.lock_record`` and published with the statement, so an outcome never calls an
unapproved statement approved.  An edit makes the approvals of the earlier version stop
counting; the event says how many, so editor and members see it.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from kuulas.errors import Conflict, NotFound, ValidationFailed
from kuulas.extensions import db
from kuulas.sanitize import plain_text

from . import lifecycle as lc
from . import statement
from .core import MAX_REASON, allowed, append, get_raati
from .models import Comment, Event, Member, Raati, Review, Section, SectionVersion

# Who counts as a member for approvals: the roles that may review.
JURORS = tuple(sorted(lc.JURORS))


def _approvals(section: Section) -> int:
    """Approvals of the section's current version by members who still belong to the raati."""
    return db.session.scalar(select(func.count()).select_from(Review).join(Member, Member.id == Review.member_id)
                             .where(Review.section_id == section.id, Review.verdict == statement.APPROVE,
                                    Review.version == section.version, Member.removed_at.is_(None),
                                    Member.role.in_(JURORS))) or 0


def juror_count(raati_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Member).where(
        Member.raati_id == raati_id, Member.removed_at.is_(None), Member.role.in_(JURORS))) or 0


def save_section(raati_id: int, section_id, title, text, *, actor, now) -> list[Event]:
    raati, member = allowed(raati_id, actor, lc.DRAFT_EDIT, now)
    if not isinstance(title, str) or not isinstance(text, str):
        raise ValidationFailed(_l("The section needs a title and text."))
    problems = statement.check_edit(False, title, text)
    if problems:
        raise ValidationFailed(_l("The section needs a title (at most 200 characters) and at most 20,000 characters of text."))
    title, text = statement.normalise(plain_text(title)), statement.normalise(plain_text(text))
    reset = 0
    if section_id is None:
        position = db.session.scalar(select(func.count()).select_from(Section)
                                     .where(Section.raati_id == raati.id))
        section = Section(raati_id=raati.id, position=position, title=title, version=1)
        db.session.add(section)
        db.session.flush()
        old = ""
    else:
        section = db.session.scalar(select(Section).where(Section.id == section_id, Section.raati_id == raati.id)) \
            if isinstance(section_id, int) else None
        if section is None:
            raise NotFound(_l("No such section."))
        previous = section.versions[-1]
        if previous.title == title and previous.text == text:
            raise Conflict(_l("Nothing changed."))
        old = previous.text
        reset = _approvals(section)
        section.version += 1
        section.title = title
    db.session.add(SectionVersion(section_id=section.id, number=section.version, title=title, text=text,
                                  member_id=member.id, created_at=now))
    db.session.flush()
    # ``reset``: approvals the previous version had, which no longer count.
    return [append(raati.id, "section", member.id, {
        "id": section.id, "position": section.position, "title": title, "text": text,
        "version": section.version, "diff": statement.diff(old, text), "reset": reset,
        "approve": 0, "members": juror_count(raati.id)}, now)]


def review_section(raati_id: int, section_id, verdict, comment, *, actor, now) -> list[Event]:
    raati, member = allowed(raati_id, actor, lc.REVIEW, now)
    section = db.session.scalar(select(Section).where(Section.id == section_id, Section.raati_id == raati.id)) \
        if isinstance(section_id, int) else None
    if section is None:
        raise NotFound(_l("No such section."))
    if verdict not in statement.VERDICTS:
        raise ValidationFailed(_l("Choose approve or needs change."))
    body = plain_text(comment, 2000) if isinstance(comment, str) else ""
    if verdict == statement.NEEDS_CHANGE and not body:
        raise ValidationFailed(_l("Say what needs to change."))
    review = db.session.scalar(select(Review).where(Review.section_id == section.id,
                                                    Review.member_id == member.id))
    if review is None:
        review = Review(section_id=section.id, member_id=member.id, verdict=verdict,
                        version=section.version, updated_at=now)
        db.session.add(review)
    review.verdict, review.version, review.updated_at = verdict, section.version, now
    if body:
        db.session.add(Comment(section_id=section.id, member_id=member.id, version=section.version,
                               body=body, created_at=now))
    db.session.flush()
    t = section_tally(section)
    return [append(raati.id, "review", member.id, {
        "id": section.id, "version": section.version, "verdict": verdict, "comment": body,
        "name": member.display_name, "approve": t.approve, "needs_change": t.needs_change,
        "members": juror_count(raati.id)}, now)]


def section_tally(section: Section) -> statement.Tally:
    rows = db.session.execute(select(Review.member_id, Review.verdict, Review.version)
                              .where(Review.section_id == section.id)).all()
    return statement.tally({m: v for m, v, _n in rows}, section.version, {m: n for m, _v, n in rows})


def sections(raati_id: int) -> list[Section]:
    return list(db.session.scalars(select(Section).where(Section.raati_id == raati_id)
                                   .order_by(Section.position)))


def approval_status(raati_id: int) -> tuple[Raati, list[statement.SectionApproval]]:
    """Whether each section has the approval the raati's rule needs, now."""
    raati = get_raati(raati_id)
    members = juror_count(raati.id)
    return raati, statement.approval(raati.approval_rule, members, [
        (s.id, s.title, s.version, _approvals(s)) for s in sections(raati.id)])


def close_drafting(raati_id: int, *, actor, now, override=None) -> list[Event]:
    """Lock the statement.  Refused while a section lacks the approval the rule needs, unless
    the raati allows the chair's override and the chair gives a reason."""
    raati, member = allowed(raati_id, actor, lc.LOCK, now)
    raati, checked = approval_status(raati_id)
    if not checked:
        raise Conflict(_l("The statement has no sections yet."))
    reason = plain_text(override, MAX_REASON) if isinstance(override, str) else ""
    missing = [s for s in checked if not s.met]
    if missing:
        if not reason:
            raise Conflict(_l("These sections do not yet have the approval needed: %(sections)s."),
                           code="not_approved",
                           sections="; ".join(f"{s.title} ({s.approvals}/{s.needed})" for s in missing))
        if not raati.allow_override:
            raise Conflict(_l("The rules of this digiraati do not allow locking without the members' approval."),
                           code="not_approved")
    elif reason:
        reason = ""  # the rule holds: nothing is overridden
    parts = [(s.title, s.versions[-1].text) for s in sections(raati.id)]
    raati.drafting_closed_at = now
    raati.statement_sha256 = statement.sha256(parts)
    raati.lock_record = statement.lock_record(
        raati.approval_rule, checked[0].members, checked, override=reason or None,
        locked_at=now.isoformat() + "Z", sha256=raati.statement_sha256)
    from deliberation.follow import changes   # followers hear of it in their weekly digest

    changes.record("raati", raati.id, "statement_locked", now=now)
    return [append(raati.id, "locked", member.id, {"sha256": raati.statement_sha256,
                                                   "record": raati.lock_record}, now)]
