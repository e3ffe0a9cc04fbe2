"""Service tests: giving feedback, handling it, development items and the outcome they
become.  Built through the services with a fixed clock; no HTTP."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from deliberation.feedback import lifecycle as lc
from deliberation.feedback import reading, services
from deliberation.feedback.models import Feedback, FeedbackContact
from kuulas.errors import AccessDenied, Conflict, ValidationFailed
from kuulas.extensions import db
from kuulas.mail.models import OutboxMail

NOW = datetime(2026, 11, 10, 9, 37)


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("kwargs,code", [
    ({"rating": None, "text": "   "}, "empty"),
    ({"rating": 6, "text": ""}, "rating"),
    ({"rating": 0, "text": "x"}, "rating"),
    ({"rating": 3, "text": "x" * (lc.TEXT_LIMIT + 1)}, "text"),
    ({"rating": 3, "text": "", "kind": "rant"}, "kind"),
    ({"rating": 3, "text": "", "contact": "not-an-address"}, "email"),
])
def test_bad_feedback_is_refused_and_nothing_is_saved(unit, kwargs, code):
    args = {"rating": None, "text": "", "kind": None, "contact": None, **kwargs}
    with pytest.raises(ValidationFailed) as exc:
        services.give(unit, locale="fi", channel="web", now=NOW, **args)
    assert exc.value.code == code
    db.session.rollback()
    assert _count(Feedback) == 0 and _count(FeedbackContact) == 0


def test_feedback_is_masked_rounded_and_the_contact_kept_apart(unit, give):
    feedback = give(rating=2, text="Soita 040 123 4567, hetu 131052-308T", contact="Asiakas@Example.fi", now=NOW)
    assert feedback.text == "Soita [***], hetu [***]"
    assert feedback.received_at == datetime(2026, 11, 10, 9, 0)
    assert feedback.due_on == (NOW + timedelta(days=14)).date()
    assert feedback.wants_answer
    contact = db.session.get(FeedbackContact, feedback.id)
    assert contact.email == "asiakas@example.fi"
    assert not hasattr(feedback, "email") and not hasattr(feedback, "ip")


def test_a_closed_unit_takes_no_feedback(unit, preparer):
    services.set_unit_active(unit.id, False, actor=preparer, now=NOW)
    db.session.commit()
    with pytest.raises(services.UnitClosed) as exc:
        services.unit_by_slug(unit.slug)
    assert exc.value.status == 410


def test_answer_mails_the_writer_and_forgets_the_address(unit, give, handler):
    feedback = give(rating=1, text="Takaisinsoittoa ei tullut", contact="vastaa@example.fi", now=NOW)
    with pytest.raises(Conflict):                          # asked for an answer: cannot close first
        services.close(feedback.id, actor=handler, now=NOW)
    db.session.rollback()
    services.take(feedback.id, actor=handler, now=NOW)
    services.answer(feedback.id, "Pahoittelemme, korjaamme takaisinsoitot.", public=False, actor=handler,
                    now=NOW + timedelta(days=2))
    db.session.commit()
    assert db.session.get(FeedbackContact, feedback.id) is None
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.recipient == "vastaa@example.fi"))
    assert "korjaamme takaisinsoitot" in mail.body_text
    assert db.session.get(Feedback, feedback.id).state == lc.ANSWERED
    with pytest.raises(Conflict):
        services.answer(feedback.id, "Toinen vastaus", public=False, actor=handler, now=NOW)


def test_handlers_see_only_their_units(make_unit, make_staff, handler, give):
    mine = make_unit("Oma yksikkö")
    other_handler = make_staff("moderator")
    theirs = make_unit("Toinen yksikkö", handlers=[other_handler])
    give(target=theirs, text="toisen yksikön palaute")
    give(target=mine, text="oman yksikön palaute")
    rows = services.queue(actor=handler, now=NOW)
    assert [f.text for f in rows] == ["oman yksikön palaute"]
    hidden = db.session.scalar(select(Feedback).where(Feedback.unit_id == theirs.id))
    with pytest.raises(AccessDenied):
        services.get_feedback(hidden.id, actor=handler, now=NOW)
    with pytest.raises(AccessDenied):
        services.take(hidden.id, actor=handler, now=NOW)


def test_development_item_becomes_an_outcome_and_shows_on_the_unit_page(app, unit, give, handler, preparer):
    from deliberation.outcomes import services as outcomes

    ids = [give(rating=2, text=f"Puhelinjono {n}", now=NOW - timedelta(days=n)).id for n in range(3)]
    item = services.create_item(title={"fi": "Puhelinjonot"}, description={"fi": "Pitkät jonot"},
                                theme="puhelin", unit_id=unit.id, feedback_ids=ids, actor=handler, now=NOW)
    with pytest.raises(ValidationFailed):
        services.decide(item.id, decision={"fi": "x"}, decided_on=(NOW + timedelta(days=1)).date(), change={},
                        changed_on=None, actor=handler, now=NOW)
    services.decide(item.id, decision={"fi": "Takaisinsoitot laajennetaan."}, decided_on=NOW.date(),
                    change={"fi": "Takaisinsoitot toimivat iltapäivisin."}, changed_on=NOW.date(),
                    actor=handler, now=NOW)
    db.session.commit()
    assert all("puhelin" in db.session.get(Feedback, i).tags for i in ids)
    outcome = outcomes.create_draft("feedback", item.id, actor=preparer, now=NOW)
    assert outcome.figures == {"feedback": 3}
    assert "Takaisinsoitot laajennetaan." in outcome.summary
    assert outcome.points[0]["text"] == "Takaisinsoitot toimivat iltapäivisin."
    outcomes.publish(outcome.id, actor=preparer, now=NOW)
    db.session.commit()
    page = reading.public_unit(unit, now=NOW, locale="fi")
    assert [i.id for i in page["changes"]] == [item.id]
    assert page["outcomes"] == {item.id: outcome.id}


def test_public_page_shows_only_answered_feedback_chosen_for_it(unit, give, handler):
    shown = give(rating=4, text="Hyvä palvelu, puh 040 765 4321", now=NOW)
    private = give(rating=1, text="Hoitaja X oli tyly", now=NOW)
    services.answer(shown.id, "Kiitos!", public=True, actor=handler, now=NOW)
    services.answer(private.id, "Selvitämme asian.", public=False, actor=handler, now=NOW)
    db.session.commit()
    page = reading.public_unit(unit, now=NOW, locale="fi")
    assert [f.public_text for f in page["answered"]] == ["Hyvä palvelu, puh [***]"]
    services.moderate(shown.id, "Hyvä palvelu", actor=handler, now=NOW)
    db.session.commit()
    assert [f.public_text for f in reading.public_unit(unit, now=NOW, locale="fi")["answered"]] == ["Hyvä palvelu"]
