from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from kuulas.forms import KuulasForm

EMAIL_MESSAGE = _l("Enter an e-mail address such as name@example.fi.")


class FollowForm(KuulasForm):
    """Rendered with ``prefix="follow"`` so its field never clashes with a page's own form.

    No CSRF token: the form sits on cached public pages (no session data in them), and a
    forged request could only do what anyone can do anyway, ask for a confirmation mail
    (rate-limited per network address)."""

    class Meta:
        csrf = False

    email = EmailField(_l("Your e-mail address"), validators=[
        DataRequired(EMAIL_MESSAGE), Email(EMAIL_MESSAGE), Length(max=254, message=EMAIL_MESSAGE)])
