"""Export and erase one person's data across the areas, in one transaction."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kuulas.clock import utcnow
from kuulas.extensions import db
from kuulas.personal import registry, services
from kuulas.personal.models import DataRequest
from kuulas.personal.requests import subject_hash

from .conftest import EMAIL, NAME, RAATI_NAME


def _parts(document):
    return {p["key"]: p["rows"] for p in document["parts"]}


def test_export_holds_every_area(world):
    parts = _parts(services.export_document(services.subject_of(world.account), now=utcnow()))
    assert parts["accounts.Account"][0]["email"] == EMAIL
    assert parts["panel.Volunteer"][0]["answers"] == {"gender": "female", "age": "old"}
    assert parts["panel.Invitation"][0]["state"] == "pending"
    assert parts["raati.Member"][0]["display_name"] == RAATI_NAME
    assert {r["text"] for r in parts["raati.Message"]} == {
        "Omalääkäri auttaisi pitkäaikaissairaita", "Jatkuvuus on tärkeintä"}
    assert "Tervetuloa" in {r["subject"] for r in parts["mail.OutboxMail"]}


def test_export_of_notify_feedback_and_accessibility_addresses(app):
    from deliberation.feedback.models import Feedback, FeedbackContact, Unit
    from deliberation.ideas.models import IdeaNotifyRequest, IdeaRound
    from kuulas.pages.models import AccessibilityFeedback

    now = utcnow()
    round_ = IdeaRound(title={"fi": "Riihi"}, question={"fi": "?"}, opens_at=now, closes_at=now,
                       created_at=now)
    unit = Unit(slug="kotihoito", name={"fi": "Kotihoito"}, created_at=now)
    db.session.add(unit)
    db.session.add(round_)
    db.session.flush()
    db.session.add(IdeaNotifyRequest(id="k" * 32, round_id=round_.id, email=EMAIL, locale="fi"))
    fb = Feedback(unit_id=unit.id, public_id="ABC123", rating=3, kind="idea", text="Hyvä", received_at=now, due_on=now.date())
    db.session.add(fb)
    db.session.flush()
    db.session.add(FeedbackContact(feedback_id=fb.id, email=EMAIL))
    db.session.add(AccessibilityFeedback(created_at=now, due_at=now, locale="fi", name=NAME,
                                         contact_email=EMAIL, page="/", description="Kontrasti"))
    db.session.commit()
    subject = services.subject_for(EMAIL)
    assert subject.account_id is None
    parts = _parts(services.export_document(subject, now=now))
    assert parts["ideas.IdeaNotifyRequest"] and parts["feedback.FeedbackContact"][0]["text"] == "Hyvä"
    assert parts["pages.AccessibilityFeedback"][0]["name"] == NAME
    assert services.erase(subject, now=now) == 3
    db.session.commit()
    assert services.holdings(subject) == []
    assert db.session.scalar(select(func.count()).select_from(Feedback)) == 1   # feedback stays


def test_own_erase_removes_the_person_and_keeps_the_statement(world, dump_tables, statement_state):
    from deliberation.raati.models import Member, Message

    before = statement_state(world.raati_id)
    services.own_erase(actor=world.account, now=utcnow(), secret="key")
    db.session.commit()
    tables = dump_tables()
    for needle in (EMAIL, NAME, RAATI_NAME):
        assert needle not in tables, needle
    assert "Jatkuvuus on tärkeintä" in tables           # what they said stays
    assert statement_state(world.raati_id) == before
    member = db.session.get(Member, world.member_id)
    assert member.account_id is None and member.display_name == "" and member.removed_at is not None
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.member_id == member.id)) == 2
    row = db.session.scalar(select(DataRequest))
    assert (row.kind, row.channel, row.subject_hash) == ("erase", "self", subject_hash(EMAIL, "key"))
    assert EMAIL not in row.subject_hash


@pytest.mark.parametrize("role", ["chair", "secretary"])
def test_chair_or_only_secretary_of_a_raati_in_progress_cannot_be_erased(world, dump_tables, role):
    from deliberation.raati.models import Member

    person = world.chair if role == "chair" else world.secretary
    before = dump_tables()
    with pytest.raises(services.ErasureRefused) as exc:
        services.erase(services.subject_of(person), now=utcnow())
    db.session.rollback()
    assert "Omalääkärimalli" in str(exc.value)
    assert dump_tables() == before
    # A second secretary makes the first one replaceable; a finished raati blocks nobody.
    if role == "secretary":
        db.session.get(Member, world.member_id).role = "secretary"     # a second secretary
        db.session.flush()
        assert services.blockers(services.subject_of(person), utcnow()) == []
    else:
        from deliberation.raati.models import Raati

        db.session.get(Raati, world.raati_id).state = "finished"
        assert services.blockers(services.subject_of(person), utcnow()) == []
    db.session.rollback()


def test_staff_accounts_are_not_erased_here(world):
    with pytest.raises(services.ErasureRefused):
        services.erase(services.subject_of(world.staff), now=utcnow())
    db.session.rollback()


def test_failure_midway_changes_nothing(world, dump_tables, monkeypatch):
    """One transaction per person: an error after some areas erased rolls all of it back."""
    from kuulas.web import attempt

    before = dump_tables()
    entries = registry.erasers()
    assert len(entries) >= 4
    # Fail in the last eraser (the account), after the raati, panel and mail parts have run.
    last = entries[-1]

    def boom(subject, now):
        raise services.Conflict("forced failure")

    monkeypatch.setitem(registry._ENTRIES, last.key,
                        registry.PersonalData(**{**{f: getattr(last, f) for f in last.__dataclass_fields__},
                                                 "erase": boom}))
    with app_request():
        ok, exc = attempt(lambda: services.own_erase(actor=world.account, now=utcnow(), secret="k"))
    assert not ok and "forced failure" in str(exc)
    assert dump_tables() == before


def app_request():
    from flask import current_app
    return current_app.test_request_context("/")


def test_staff_find_unknown_address_is_a_clear_not_found(world):
    with pytest.raises(services.NotFound):
        services.staff_find("nobody@example.fi", actor=world.staff, now=utcnow())
    with pytest.raises(services.ValidationFailed):
        services.staff_find("not an address", actor=world.staff, now=utcnow())


def test_staff_export_and_erase_are_recorded_and_the_person_is_told(world, dump_tables):
    from kuulas.mail.models import OutboxMail

    document = services.staff_export(EMAIL, "Kirje 2.12., dnro 1/2026", actor=world.staff, now=utcnow(),
                                     secret="k", locale="fi")
    assert _parts(document)["raati.Member"]
    with pytest.raises(services.ValidationFailed):
        services.staff_erase(EMAIL, "  ", actor=world.staff, now=utcnow(), secret="k", locale="fi")
    services.staff_erase(EMAIL, "Kirje 2.12., dnro 1/2026", actor=world.staff, now=utcnow(),
                         secret="k", locale="fi")
    db.session.commit()
    rows = db.session.scalars(select(DataRequest).order_by(DataRequest.id)).all()
    assert [(r.kind, r.channel, r.handled_by_id) for r in rows] == [
        ("export", "staff", world.staff.id), ("erase", "staff", world.staff.id)]
    assert all(r.basis == "Kirje 2.12., dnro 1/2026" for r in rows)
    mails = db.session.scalars(select(OutboxMail).where(OutboxMail.category == "personal")).all()
    # The export's notice went with the erasure (it was mail to the address); the erasure's
    # own notice is queued after it.
    assert len(mails) == 1 and mails[0].recipient == EMAIL and "poistettu" in mails[0].subject
    # The notification is the only row left with the address.
    leftover = [line for line in dump_tables().splitlines() if EMAIL in line]
    assert leftover and all(line.startswith("outbox_mail:") for line in leftover)
    # Each request is a line in the access log: who handled it, which request, how many rows.
    from kuulas.audit import AuditEvent

    lines = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("privacy.request.%"))
                               .order_by(AuditEvent.id)).all()
    assert [(a.action, a.actor_id, a.target_type, a.target_id) for a in lines] == [
        ("privacy.request.export", world.staff.id, "data_request", str(rows[0].id)),
        ("privacy.request.erase", world.staff.id, "data_request", str(rows[1].id))]
    assert all(line.detail["channel"] == "staff" and line.detail["rows"] > 0 for line in lines)


def test_only_administrators_handle_requests(world, make_staff):
    preparer = make_staff("preparer")
    with pytest.raises(services.AccessDenied):
        services.staff_find(EMAIL, actor=preparer, now=utcnow())


def test_standing_panel_member_with_service_use_is_erased(app, make_staff, dump_tables):
    """A standing panel's member (art. 9 service use) goes as if they left the pool."""
    from panel.clients.models import ServiceUse
    from tests.panel.test_standing import catalogue, join, standing_panel

    staff = make_staff("administrator")
    panel = standing_panel(staff)
    catalogue(staff)
    volunteer = join(panel, 7, services_used=["home_care"])
    address = volunteer.email
    subject = services.subject_for(address)
    assert subject.account_id is not None
    parts = _parts(services.export_document(subject, now=utcnow()))
    assert parts["panel.Volunteer"][0]["service_use"] == ["home_care"]
    services.erase(subject, now=utcnow())
    db.session.commit()
    assert address not in dump_tables() and "Jäsen 7" not in dump_tables()
    assert db.session.scalar(select(func.count()).select_from(ServiceUse)) == 0
