"""Queue and send mail.  ``queue`` only adds rows to the caller's transaction: if the
change that caused the mail is rolled back, so is the mail."""
from __future__ import annotations

import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select, update

from ..extensions import db
from .models import FAILED, HELD, QUEUED, SENDING, SENT, OutboxAttachment, OutboxMail


_FORGET_RECIPIENT: set[str] = set()
SENT_RETENTION = timedelta(days=30)
FORGOTTEN = "-"
# Headers a caller may add to a mail (RFC 2369 / RFC 8058 one-click unsubscribe).
EXTRA_HEADERS = ("List-Unsubscribe", "List-Unsubscribe-Post", "List-Id")


def forget_recipient_after_sending(category: str) -> None:
    """Mail of this category drops its recipient address as soon as it is delivered: for
    addresses that people gave only to be told once (idea-round participants)."""
    _FORGET_RECIPIENT.add(category)


def queue(recipient: str, subject: str, body_text: str, *, body_html: str | None = None,
          category: str = "general", attachments=(), headers: dict | None = None,
          now: datetime) -> OutboxMail:
    extra = {k: str(v) for k, v in (headers or {}).items() if k in EXTRA_HEADERS} or None
    mail = OutboxMail(recipient=recipient, subject=subject[:255], body_text=body_text,
                      body_html=body_html, category=category, headers=extra, status=QUEUED,
                      next_attempt_at=now, created_at=now)
    for filename, content_type, data in attachments:
        mail.attachments.append(OutboxAttachment(filename=filename, content_type=content_type, data=data))
    db.session.add(mail)
    return mail


def queue_template(recipient: str, template: str, *, locale: str | None, category: str,
                   now: datetime, attachments=(), headers: dict | None = None,
                   folder: str = "mail", **context) -> OutboxMail:
    """Render ``<folder>/<template>.txt`` (first line: subject, then the body) in the
    recipient's language and queue it in the caller's transaction: the one way every area
    sends mail from a template.  An area keeps its mail templates in its own folder (for
    example ``panel/mail``) so their strings stay in its catalogue."""
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = render_template(f"{folder}/{template}.txt", **context)
    subject, _, body = text.partition("\n")
    return queue(recipient, subject.strip(), body.lstrip("\n"), category=category,
                 attachments=attachments, headers=headers, now=now)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(60 * 2 ** (attempts - 1), 6 * 3600))


def _to_message(mail: OutboxMail, sender: str, domain: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.recipient
    msg["Subject"] = mail.subject
    msg["Message-ID"] = make_msgid(idstring=f"kuulas{mail.id}", domain=domain)
    for name, value in (mail.headers or {}).items():
        if name in EXTRA_HEADERS:
            msg[name] = value
    msg.set_content(mail.body_text)
    if mail.body_html:
        msg.add_alternative(mail.body_html, subtype="html")
    for att in mail.attachments:
        maintype, _, subtype = att.content_type.partition("/")
        msg.add_attachment(att.data, maintype=maintype, subtype=subtype.split(";")[0],
                           filename=att.filename)
    return msg


def _smtp(config):
    host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    if config["MAIL_USE_SSL"]:
        client = smtplib.SMTP_SSL(host, port, timeout=20, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port, timeout=20)
        if config["MAIL_USE_TLS"]:
            client.starttls(context=ssl.create_default_context())
    if config["MAIL_USERNAME"]:
        client.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return client


def send_due(*, now: datetime, limit: int = 100) -> dict:
    """Send queued mail whose time has come.  Idempotent: each row is claimed with a
    conditional UPDATE, so two runners never send the same mail.

    The outbox sender is the one job that commits for itself, once per message: the claim
    must be saved before the SMTP call and the result right after it, so that a crash or a
    second runner never sends a message twice (``run_job`` commits what is left)."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        # Embedded default: nothing leaves the machine; the admin reads the outbox.
        held = db.session.execute(update(OutboxMail).where(OutboxMail.status == QUEUED)
                                  .values(status=HELD)).rowcount
        db.session.commit()
        return {"sent": 0, "failed": 0, "held": held or 0}
    ids = db.session.scalars(
        select(OutboxMail.id).where(OutboxMail.status == QUEUED, OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.id).limit(limit)).all()
    sent = failed = 0
    if not ids:
        return {"sent": 0, "failed": 0, "held": 0}
    domain = config["MAIL_DEFAULT_SENDER"].rpartition("@")[2] or "localhost"
    try:
        client = _smtp(config)
    except (OSError, smtplib.SMTPException) as exc:
        _defer(ids, str(exc), now)
        return {"sent": 0, "failed": len(ids), "held": 0}
    try:
        for mail_id in ids:
            claimed = db.session.execute(
                update(OutboxMail).where(OutboxMail.id == mail_id, OutboxMail.status == QUEUED)
                .values(status=SENDING, attempts=OutboxMail.attempts + 1, next_attempt_at=now)).rowcount
            db.session.commit()
            if claimed != 1:
                continue
            mail = db.session.get(OutboxMail, mail_id)
            try:
                client.send_message(_to_message(mail, config["MAIL_DEFAULT_SENDER"], domain))
            except (OSError, smtplib.SMTPException) as exc:
                _fail_one(mail, str(exc), now)
                failed += 1
            else:
                mail.status = SENT
                mail.sent_at = now
                mail.last_error = None
                # Bodies hold one-time links; once delivered, nobody needs to read them here.
                mail.body_text = ""
                mail.body_html = None
                mail.attachments = []
                mail.headers = None   # the unsubscribe link is a standing token
                if mail.category in _FORGET_RECIPIENT:
                    mail.recipient = FORGOTTEN
                sent += 1
            db.session.commit()
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return {"sent": sent, "failed": failed, "held": 0}


def _fail_one(mail: OutboxMail, error: str, now: datetime) -> None:
    mail.last_error = error[:500]
    if mail.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        mail.status = FAILED
    else:
        mail.status = QUEUED
        mail.next_attempt_at = now + _backoff(mail.attempts)


def _defer(ids, error: str, now: datetime) -> None:
    for mail in db.session.scalars(select(OutboxMail).where(OutboxMail.id.in_(ids))):
        mail.attempts += 1
        _fail_one(mail, error, now)
    db.session.commit()


def purge_old(now: datetime, cutoff: datetime | None = None) -> int:
    """Delivered or abandoned mail is kept for a month for support questions, then deleted.
    The retention job (``kuulas.retention``, key ``mail_outbox``) passes the cutoff."""
    from sqlalchemy import delete

    cutoff = cutoff or now - SENT_RETENTION
    return db.session.execute(
        delete(OutboxMail).where(OutboxMail.status.in_((SENT, FAILED)), OutboxMail.created_at < cutoff)
    ).rowcount or 0


def recover_stuck(now: datetime) -> int:
    """A process that died mid-send leaves rows in 'sending': retry them later."""
    stale = now - timedelta(minutes=10)
    return db.session.execute(
        update(OutboxMail).where(OutboxMail.status == SENDING, OutboxMail.next_attempt_at < stale)
        .values(status=QUEUED, next_attempt_at=now)).rowcount or 0


def list_outbox(*, actor, now: datetime, page: int = 1, per_page: int = 50):
    from .. import access

    access.require(actor, "mail:outbox:read", now=now)
    query = select(OutboxMail).order_by(OutboxMail.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def get_mail(mail_id: int, *, actor, now: datetime) -> OutboxMail:
    from .. import access
    from ..errors import NotFound

    access.require(actor, "mail:outbox:read", now=now)
    mail = db.session.get(OutboxMail, mail_id)
    if mail is None:
        raise NotFound()
    return mail
