"""Panel e-mails.  Their templates live in ``templates/panel/mail/`` so their strings go
to the panel catalogue; ``kuulas.mail.services.queue_template`` renders them (first line is
the subject) and the mail joins the caller's transaction."""
from __future__ import annotations

from kuulas.mail import services as mail


def queue(recipient: str, template: str, *, locale: str | None, category: str, now, **context):
    return mail.queue_template(recipient, template, folder="panel/mail", locale=locale,
                               category=category, now=now, **context)
