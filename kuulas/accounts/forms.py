from flask_babel import lazy_gettext as _l
from kuulas.forms import KuulasForm
from wtforms import BooleanField, EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..access import ROLE_LABELS, Role


class EmailLinkForm(KuulasForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])


class ConfirmForm(KuulasForm):
    pass


class StaffSignInForm(KuulasForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class TotpForm(KuulasForm):
    code = StringField(_l("Six-digit code from your authenticator app"),
                       validators=[DataRequired(), Length(min=6, max=9)])


class SetPasswordForm(KuulasForm):
    password = PasswordField(_l("New password (at least 12 characters)"),
                             validators=[DataRequired(), Length(min=12, max=1024)])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _role_choices():
    return [(r.value, ROLE_LABELS[r]) for r in Role]


class StaffForm(KuulasForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=80)])
    roles = MultiCheckboxField(_l("Roles"), choices=_role_choices, validators=[DataRequired()])


class StaffEditForm(KuulasForm):
    roles = MultiCheckboxField(_l("Roles"), choices=_role_choices, validators=[DataRequired()])
    active = BooleanField(_l("Account is active"))
