"""Panel e-mails.  Their templates live in ``templates/panel/mail/`` so their strings go
to the panel catalogue; rendering mirrors ``kuulas.mail.services.queue_template`` (first
line is the subject) and the mail joins the caller's transaction."""
from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale

from kuulas.mail import services as mail


def queue(recipient: str, template: str, *, locale: str | None, category: str, now, **context):
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = render_template(f"panel/mail/{template}.txt", **context)
    subject, _, body = text.partition("\n")
    return mail.queue(recipient, subject.strip(), body.lstrip("\n"), category=category, now=now)
