from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from kuulas.forms import KuulasForm

EMAIL_MESSAGE = _l("Enter an e-mail address such as name@example.fi.")


class FollowForm(KuulasForm):
    """Rendered with ``prefix="follow"`` so its field never clashes with a page's own form."""

    email = EmailField(_l("Your e-mail address"), validators=[
        DataRequired(EMAIL_MESSAGE), Email(EMAIL_MESSAGE), Length(max=254, message=EMAIL_MESSAGE)])
