"""Following through its services, with a frozen clock: subscribe, confirm, the weekly
digest (content, language, idempotence, nothing on no change), unsubscribe and expiry."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kuulas.extensions import db
from kuulas.scheduler import run_job

from deliberation.follow import personal, services
from deliberation.follow.models import Follow, FollowAddress, PublicChange

from .conftest import BEFORE, MONDAY, follow_mails, link, path_of

EMAIL = "Seuraaja@Example.fi"


def _subscribe_and_confirm(outcome, email=EMAIL, locale="fi", now=BEFORE):
    assert services.subscribe("outcome", outcome.id, email, locale, now=now) is True
    db.session.commit()
    mail = follow_mails(email.lower())[-1]
    token = path_of(link(mail, "/seuraa/vahvista/")).rsplit("/", 1)[1]
    follow = services.confirm(token, now=now)
    db.session.commit()
    return follow, mail


def _impact(outcome, preparer, now, reasoning="Iltakäynnit lisätään ensi vuonna kaikille asiakkaille."):
    from deliberation.outcomes import services as outcomes

    outcomes.record_decision(outcome.id, body="Aluehallitus", meeting_date="2026-12-03", item="§ 12",
                             impacts={"section-1": ("adopted", reasoning)}, notify=False,
                             actor=preparer, now=now)
    db.session.commit()


def test_double_opt_in_and_mail_headers(app, published_outcome):
    assert services.subscribe("outcome", published_outcome.id, EMAIL, "fi", now=BEFORE)
    db.session.commit()
    [mail] = follow_mails()
    assert mail.recipient == "seuraaja@example.fi"
    assert mail.subject.startswith("Vahvista")
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.headers["List-Unsubscribe"].startswith("<http://localhost/seuraa/peru/")
    follow = db.session.scalar(select(Follow))
    assert follow.confirmed_on is None and follow.confirm_hash
    # Nothing confirmed yet: no digest even with a change.
    token = path_of(link(mail, "/seuraa/vahvista/")).rsplit("/", 1)[1]
    assert token not in follow.confirm_hash   # only the digest is stored
    confirmed = services.confirm(token, now=BEFORE)
    db.session.commit()
    assert confirmed.confirmed_on is not None and confirmed.confirm_hash is None
    # The link works once.
    with pytest.raises(services.NotFound):
        services.confirm(token, now=BEFORE)
    # Asking again for a confirmed follow sends nothing (and says nothing different).
    assert services.subscribe("outcome", published_outcome.id, EMAIL, "fi", now=BEFORE) is False
    assert len(follow_mails()) == 1


def test_only_public_things_can_be_followed(app, published_outcome, preparer):
    from kuulas.errors import NotFound, ValidationFailed
    from deliberation.outcomes import services as outcomes

    with pytest.raises(ValidationFailed):
        services.subscribe("outcome", published_outcome.id, "not-an-address", "fi", now=BEFORE)
    with pytest.raises(NotFound):
        services.subscribe("outcome", published_outcome.id + 1, EMAIL, "fi", now=BEFORE)
    with pytest.raises(NotFound):
        services.subscribe("account", 1, EMAIL, "fi", now=BEFORE)
    outcomes.withdraw(published_outcome.id, actor=preparer, now=BEFORE)
    db.session.commit()
    with pytest.raises(NotFound):
        services.subscribe("outcome", published_outcome.id, EMAIL, "fi", now=BEFORE)
    assert db.session.scalar(select(func.count()).select_from(FollowAddress)) == 0


def test_digest_lists_the_impact_once_a_week(app, published_outcome, preparer):
    _subscribe_and_confirm(published_outcome)
    # Nothing changed since confirming: nothing is sent.
    assert run_job(app, "follow.digest", MONDAY) == 0
    assert len(follow_mails()) == 1
    _impact(published_outcome, preparer, MONDAY - timedelta(days=1))
    assert run_job(app, "follow.digest", MONDAY) == 1
    digest = follow_mails()[-1]
    assert digest.subject == "Tällä viikolla seuraamissasi"
    body = digest.body_text
    assert "Kotihoidon tulevaisuus" in body
    assert "6.12.2026: Päätös kirjattiin" in body
    assert "6.12.2026: Osallistumisen vaikutus kirjattiin" in body
    assert body.index("Päätös kirjattiin") < body.index("Osallistumisen vaikutus kirjattiin")
    assert "Päätös: Aluehallitus, 3.12.2026 § 12" in body
    assert "Iltakäynnit kaikille: Toteutetaan. Iltakäynnit lisätään ensi vuonna" in body
    assert "/seuraa/peru/" in body and "/seuraa/omat/" in body
    assert digest.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Running the job again, the same hour or later that week, sends nothing more.
    assert run_job(app, "follow.digest", MONDAY) == 0
    assert run_job(app, "follow.digest", MONDAY + timedelta(days=3)) == 0
    # A new change during the week waits for next week's slot, then goes once.
    from deliberation.outcomes import services as outcomes

    outcomes.add_follow_up(published_outcome.id, entry_date="2026-12-09", text="Iltakäynnit alkoivat.",
                           actor=preparer, now=MONDAY + timedelta(days=2))
    db.session.commit()
    assert run_job(app, "follow.digest", MONDAY + timedelta(days=6)) == 0
    assert run_job(app, "follow.digest", MONDAY + timedelta(days=7)) == 1
    assert run_job(app, "follow.digest", MONDAY + timedelta(days=7, hours=1)) == 0
    mails = follow_mails()
    assert len(mails) == 3
    assert "Seurantatieto lisättiin" in mails[-1].body_text
    assert "Päätös kirjattiin" not in mails[-1].body_text     # told last week already
    # Another week without changes: nothing.
    assert run_job(app, "follow.digest", MONDAY + timedelta(days=14)) == 0


def test_changes_before_the_follow_began_are_not_told(app, published_outcome, preparer):
    _impact(published_outcome, preparer, BEFORE - timedelta(days=1))
    _subscribe_and_confirm(published_outcome)
    assert run_job(app, "follow.digest", MONDAY) == 0


def test_digest_in_swedish_and_english_with_their_date_formats(app, published_outcome, preparer):
    _subscribe_and_confirm(published_outcome, email="svensk@example.fi", locale="sv")
    _subscribe_and_confirm(published_outcome, email="english@example.fi", locale="en")
    _impact(published_outcome, preparer, MONDAY - timedelta(days=1))
    assert run_job(app, "follow.digest", MONDAY) == 2
    sv = follow_mails("svensk@example.fi")[-1]
    assert sv.subject == "Den här veckan i det du följer"
    assert "Hemvårdens framtid" in sv.body_text
    assert "6.12.2026: Ett beslut registrerades" in sv.body_text
    assert "Beslut: Aluehallitus, 3.12.2026 § 12" in sv.body_text
    en = follow_mails("english@example.fi")[-1]
    assert en.subject == "This week in what you follow"
    assert "The future of home care" in en.body_text
    assert "6 December 2026: A decision was recorded" in en.body_text
    assert "Decision: Aluehallitus, 3 December 2026 § 12" in en.body_text


def test_following_a_process_covers_its_outcome(app, preparer):
    """A follower of an idea round hears of the round closing and of its outcome's impacts."""
    from deliberation.ideas import services as ideas
    from deliberation.outcomes import services as outcomes

    opens = MONDAY - timedelta(days=10)
    round_ = ideas.create_round({
        "title": {"fi": "Kirjaston aukioloajat", "sv": "Bibliotekets öppettider"},
        "question": {"fi": "Milloin kirjaston pitäisi olla auki?", "sv": "När borde biblioteket vara öppet?"},
        "opens_at": opens, "closes_at": MONDAY - timedelta(days=5), "moderation": "post",
        "comments_enabled": False, "max_length": 300}, actor=preparer, now=opens - timedelta(days=1), publish=True)
    db.session.commit()
    ideas.advance_rounds(opens + timedelta(hours=1))
    db.session.commit()
    assert services.subscribe("ideas", round_.id, EMAIL, "fi", now=opens + timedelta(hours=2))
    db.session.commit()
    token = path_of(link(follow_mails()[-1], "/seuraa/vahvista/")).rsplit("/", 1)[1]
    services.confirm(token, now=opens + timedelta(hours=2))
    db.session.commit()
    ideas.advance_rounds(MONDAY - timedelta(days=5))      # closes
    db.session.commit()
    outcome = outcomes.create_draft("ideas", round_.id, actor=preparer, now=MONDAY - timedelta(days=4))
    outcome.summary = "Yhteenveto."
    outcome.points = [{"key": "idea-1", "text": "Sunnuntaisin auki"}]
    db.session.commit()
    outcomes.publish(outcome.id, actor=preparer, now=MONDAY - timedelta(days=3))
    db.session.commit()
    outcomes.record_decision(outcome.id, body="Lautakunta", meeting_date="2026-12-04",
                             impacts={"idea-1": ("partly", "Kokeillaan kahtena sunnuntaina kuussa.")},
                             notify=False, actor=preparer, now=MONDAY - timedelta(days=2))
    db.session.commit()
    assert run_job(app, "follow.digest", MONDAY) == 1
    body = follow_mails()[-1].body_text
    assert "Kierros sulkeutui" in body
    assert "Tulos julkaistiin" in body
    assert "Sunnuntaisin auki: Toteutetaan osittain. Kokeillaan kahtena sunnuntaina kuussa." in body
    assert f"/seuraa/vaikutukset/{outcome.id}" in body


def test_unsubscribe_deletes_the_address_and_its_mails(app, published_outcome):
    _follow, mail = _subscribe_and_confirm(published_outcome)
    token = path_of(link(mail, "/seuraa/peru/")).rsplit("/", 1)[1]
    assert services.unsubscribe(token, now=BEFORE) == 1
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(FollowAddress)) == 0
    assert db.session.scalar(select(func.count()).select_from(Follow)) == 0
    assert follow_mails() == []
    with pytest.raises(services.NotFound):
        services.unsubscribe(token, now=BEFORE)
    # A forged token names nothing.
    with pytest.raises(services.NotFound):
        services.address_for(token.split(".")[0] + ".AAAA")


def test_unfollowing_the_last_follow_deletes_the_address(app, published_outcome):
    follow, mail = _subscribe_and_confirm(published_outcome)
    token = path_of(link(mail, "/seuraa/peru/")).rsplit("/", 1)[1]
    assert services.unfollow(token, follow.id, now=BEFORE) is True
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(FollowAddress)) == 0


def test_unconfirmed_requests_expire(app, published_outcome):
    services.subscribe("outcome", published_outcome.id, EMAIL, "fi", now=BEFORE)
    db.session.commit()
    token = path_of(link(follow_mails()[-1], "/seuraa/vahvista/")).rsplit("/", 1)[1]
    assert run_job(app, "follow.expire", BEFORE + timedelta(days=7)) == 0     # still within the week
    assert db.session.scalar(select(func.count()).select_from(Follow)) == 1
    with pytest.raises(services.LinkExpired):
        services.confirm(token, now=BEFORE + timedelta(days=8))
    db.session.rollback()
    assert run_job(app, "follow.expire", BEFORE + timedelta(days=8)) == 1
    assert db.session.scalar(select(func.count()).select_from(Follow)) == 0
    assert db.session.scalar(select(func.count()).select_from(FollowAddress)) == 0
    assert follow_mails() == []


def test_a_confirmed_address_survives_expiry_of_another_request(app, published_outcome, preparer):
    _subscribe_and_confirm(published_outcome)
    from deliberation.outcomes.models import Outcome

    other = Outcome(source_kind="raati", source_id=4343, title="Toinen", summary="S.", points=[],
                    figures={}, timeline=[], composition=[], results={}, created_by_id=preparer.id)
    db.session.add(other)
    db.session.commit()
    from deliberation.outcomes import services as outcomes

    outcomes.publish(other.id, actor=preparer, now=BEFORE)
    db.session.commit()
    services.subscribe("outcome", other.id, EMAIL, "fi", now=BEFORE)
    db.session.commit()
    assert run_job(app, "follow.expire", BEFORE + timedelta(days=9)) == 1
    assert db.session.scalar(select(func.count()).select_from(Follow)) == 1
    assert db.session.scalar(select(func.count()).select_from(FollowAddress)) == 1


def test_public_changes_are_recorded_only_for_public_things(app, published_outcome, preparer):
    from deliberation.outcomes import services as outcomes

    before = db.session.scalar(select(func.count()).select_from(PublicChange))
    outcomes.withdraw(published_outcome.id, actor=preparer, now=BEFORE)
    db.session.commit()
    _impact(published_outcome, preparer, BEFORE)
    assert db.session.scalar(select(func.count()).select_from(PublicChange)) == before
    outcomes.publish(published_outcome.id, actor=preparer, now=BEFORE)
    db.session.commit()
    events = db.session.scalars(select(PublicChange.event).order_by(PublicChange.id)).all()
    assert events[-1] == "published"


def test_export_and_erase_for_the_personal_data_map(app, published_outcome):
    _subscribe_and_confirm(published_outcome)
    rows = personal.export_for("SEURAAJA@example.fi")
    assert rows[0]["table"] == "follow_address" and rows[0]["email"] == "seuraaja@example.fi"
    assert rows[1] == {"table": "follow", "kind": "outcome", "target_id": published_outcome.id,
                       "confirmed": True, "created_on": "2026-12-04"}
    assert personal.export_for("nobody@example.fi") == []
    assert personal.erase_for("seuraaja@example.fi") == 2
    db.session.commit()
    assert personal.export_for("seuraaja@example.fi") == []
    assert follow_mails() == []
    assert personal.erase_for("seuraaja@example.fi") == 0


def test_headers_reach_the_smtp_message(app, smtp_server, published_outcome):
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    services.subscribe("outcome", published_outcome.id, EMAIL, "fi", now=BEFORE)
    db.session.commit()
    run_job(app, "mail.send_due", BEFORE + timedelta(minutes=1))
    [received] = smtp_server.wait_for(1)
    msg = received["message"]
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["List-Unsubscribe"].startswith("<http://localhost/seuraa/peru/")
    [row] = follow_mails()
    assert row.recipient == "-" and row.headers is None   # delivered: forgotten


def test_a_locked_statement_and_a_finished_raati_are_public_changes(app, make_staff):
    from kuulas.clock import utcnow
    from tests.outcomes.sources_helpers import finished_raati

    admin = make_staff("administrator")
    with app.test_request_context():
        raati_id = finished_raati(admin, utcnow())
    rows = db.session.execute(select(PublicChange.kind, PublicChange.target_id, PublicChange.event)
                              .order_by(PublicChange.id)).all()
    assert [tuple(r) for r in rows] == [("raati", raati_id, "statement_locked"), ("raati", raati_id, "finished")]
