"""Forms of participation measurement."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from kuulas.forms import KuulasForm

from . import labels

CHANNEL_LABELS = {"web": _l("Web"), "mail": _l("E-mail"), "sms": _l("Text message"), "paper": _l("Paper"),
                  "event": _l("Event"), "social": _l("Social media"), "kiosk": _l("Kiosk")}


def _scale(question):
    return RadioField(labels.QUESTIONS[question], coerce=int, validators=[Optional()],
                      choices=[SelectChoice(str(v), labels.AGREEMENT[v]) for v in (5, 4, 3, 2, 1)])


class ExperienceForm(KuulasForm):
    say = _scale("say")
    heard = _scale("heard")
    use = _scale("use")
    again = _scale("again")
    better = TextAreaField(_l("What should be better? (optional)"), validators=[Optional(), Length(max=1000)])


class TargetForm(KuulasForm):
    indicator = SelectField(_l("Indicator"), choices=[])
    value = StringField(_l("Target (shares in percent)"), validators=[InputRequired(), Length(max=20)])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _number(places):
    def check(form, field):
        from kuulas.errors import ValidationFailed

        from .services import parse_number
        if (field.data or "").strip():
            try:
                parse_number(field.data, field.name, places=places)
            except ValidationFailed as exc:
                raise ValidationError(str(exc)) from None
    return check


class InputForm(KuulasForm):
    staff_hours = StringField(_l("Staff hours"), validators=[Optional(), Length(max=20), _number(1)])
    costs_eur = StringField(_l("Costs in euros"), validators=[Optional(), Length(max=20), _number(2)])
    invited = IntegerField(_l("Invitations sent"), validators=[Optional(), NumberRange(min=0)])
    reached = IntegerField(_l("People reached"), validators=[Optional(), NumberRange(min=0)])
    channels = MultiCheckboxField(_l("Channels used"), choices=[SelectChoice(k, v) for k, v in CHANNEL_LABELS.items()])
    area = StringField(_l("Service area"), validators=[Optional(), Length(max=40)])
