"""Mail goes through the outbox: sent over real SMTP (aiosmtpd) by the job, retried
after an outage, readable by an administrator in the embedded default."""
from datetime import timedelta

from sqlalchemy import select

from kuulas.clock import utcnow
from kuulas.extensions import db
from kuulas.mail import services
from kuulas.mail.models import HELD, QUEUED, SENT, OutboxMail
from kuulas.scheduler import run_job
from tests.conftest import free_port


def test_queued_mail_is_delivered_over_smtp(app, smtp_server):
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    now = utcnow()
    services.queue("asukas@example.fi", "Tervetuloa – välkommen", "Hei Äijä!\nlinkki", now=now,
                   attachments=[("kutsu.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")])
    db.session.commit()
    result = run_job(app, "mail.send_due", now)
    assert result == {"sent": 1, "failed": 0, "held": 0}
    [received] = smtp_server.wait_for(1)
    assert received["to"] == ["asukas@example.fi"]
    msg = received["message"]
    assert msg["Subject"] == "Tervetuloa – välkommen"
    assert "Hei Äijä!" in msg.get_body(("plain",)).get_content()
    assert [p.get_filename() for p in msg.iter_attachments()] == ["kutsu.ics"]
    mail = db.session.scalar(select(OutboxMail))
    assert mail.status == SENT and mail.body_text == "" and not mail.attachments
    # Running again sends nothing twice.
    assert run_job(app, "mail.send_due", now)["sent"] == 0
    assert len(smtp_server.messages) == 1


def test_outage_loses_nothing(app, smtp_server):
    dead_port = free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=dead_port)
    now = utcnow()
    for i in range(3):
        services.queue(f"a{i}@example.fi", "Aihe", "Teksti", now=now)
    db.session.commit()
    result = run_job(app, "mail.send_due", now)
    assert result["sent"] == 0 and result["failed"] == 3
    mails = db.session.scalars(select(OutboxMail)).all()
    assert len(mails) == 3
    assert all(m.status == QUEUED and m.attempts == 1 and m.next_attempt_at > now for m in mails)
    # Not yet due: nothing is tried.
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    assert run_job(app, "mail.send_due", now)["sent"] == 0
    # After the back-off the server is back and everything goes out.
    assert run_job(app, "mail.send_due", now + timedelta(minutes=5))["sent"] == 3
    assert sorted(m["to"][0] for m in smtp_server.wait_for(3)) == ["a0@example.fi", "a1@example.fi", "a2@example.fi"]


def test_gives_up_after_max_attempts(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_MAX_ATTEMPTS=2)
    now = utcnow()
    services.queue("x@example.fi", "Aihe", "Teksti", now=now)
    db.session.commit()
    run_job(app, "mail.send_due", now)
    run_job(app, "mail.send_due", now + timedelta(hours=1))
    assert db.session.scalar(select(OutboxMail)).status == "failed"


def test_embedded_default_keeps_mail_for_the_administrator(app, client, make_staff, login):
    services.queue("asukas@example.fi", "Kirjautumislinkki", "https://kuulas.example/kirjaudu/linkki/abc", now=utcnow())
    db.session.commit()
    assert run_job(app, "mail.send_due")["held"] == 1
    mail = db.session.scalar(select(OutboxMail))
    assert mail.status == HELD
    login(make_staff("administrator"))
    listing = client.get("/hallinta/postilaatikko").get_data(as_text=True)
    assert "Kirjautumislinkki" in listing and "Lähtevissä (ei lähetetty)" in listing
    body = client.get(f"/hallinta/postilaatikko/{mail.id}").get_data(as_text=True)
    assert "https://kuulas.example/kirjaudu/linkki/abc" in body


def test_only_administrators_read_the_outbox(app, make_staff, login):
    client = app.test_client()
    login(make_staff("moderator"), client)
    assert client.get("/hallinta/postilaatikko").status_code == 403


def test_forgettable_categories_drop_the_address_once_delivered(app, smtp_server):
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    services.forget_recipient_after_sending("test-once")
    now = utcnow()
    services.queue("kerran@example.fi", "Tulos", "Teksti", category="test-once", now=now)
    services.queue("pysyy@example.fi", "Muu", "Teksti", category="general", now=now)
    db.session.commit()
    run_job(app, "mail.send_due", now)
    assert sorted(m["to"][0] for m in smtp_server.wait_for(2)) == ["kerran@example.fi", "pysyy@example.fi"]
    recipients = sorted(m.recipient for m in db.session.scalars(select(OutboxMail)))
    assert recipients == [services.FORGOTTEN, "pysyy@example.fi"]


def test_old_delivered_mail_is_purged(app):
    now = utcnow()
    old = services.queue("a@example.fi", "Vanha", "x", now=now - timedelta(days=40))
    old.status = SENT
    services.queue("b@example.fi", "Uusi", "x", now=now)
    db.session.commit()
    run_job(app, "mail.send_due", now)      # sending no longer purges: one job does, for every kind
    assert len(db.session.scalars(select(OutboxMail)).all()) == 2
    run_job(app, "retention.purge", now)    # the mail_outbox period (30 days by default)
    assert [m.subject for m in db.session.scalars(select(OutboxMail))] == ["Uusi"]
