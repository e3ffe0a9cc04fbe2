from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from ..clock import utcnow
from ..web import staff_required
from . import services

bp = Blueprint("mail", __name__)


@bp.get("/hallinta/postilaatikko")
@staff_required("mail:outbox:read")
def outbox():
    page = services.list_outbox(actor=current_user, now=utcnow(),
                                page=request.args.get("page", 1, type=int))
    return render_template("mail/outbox.html", page=page,
                           embedded=not current_app.config.get("MAIL_SERVER"))


@bp.get("/hallinta/postilaatikko/<int:mail_id>")
@staff_required("mail:outbox:read")
def message(mail_id: int):
    mail = services.get_mail(mail_id, actor=current_user, now=utcnow())
    return render_template("mail/message.html", mail=mail)


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from .. import staff_menu

    app.register_blueprint(bp)
    staff_menu.register(_l("Outgoing mail"), "mail.outbox", "mail:outbox:read", order=90)
