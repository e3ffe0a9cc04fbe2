from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from ..forms import KuulasForm


class FindForm(KuulasForm):
    email = EmailField(_l("The person's e-mail address"), validators=[DataRequired(), Email(), Length(max=254)])


class RequestForm(KuulasForm):
    email = HiddenField(validators=[DataRequired(), Length(max=254)])
    basis = TextAreaField(_l("Basis and reference of the request"),
                          description=_l("For example: written request received 2 December, record number 123/2026."),
                          validators=[DataRequired(), Length(max=500)])
    format = RadioField(_l("Format"), choices=[SelectChoice("html", _l("Readable page (print or save as PDF)")),
                                               SelectChoice("pdf", _l("PDF file")),
                                               SelectChoice("json", _l("JSON file"))], default="html")


class ConfirmForm(KuulasForm):
    pass
