"""Survey forms: the staff builder and the member's answer form (built per survey)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from kuulas.forms import KuulasForm
from wtforms import (BooleanField, DateTimeLocalField, IntegerField, RadioField, SelectField,
                     SelectMultipleField, StringField, TextAreaField, widgets)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from .models import CLIENT_GROUP, KINDS, SAMPLE, WHOLE_PANEL
from .messages import KIND_LABELS


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class SurveyForm(KuulasForm):
    panel_id = SelectField(_l("Standing panel"), coerce=int, validators=[InputRequired()])
    title_fi = StringField(_l("Title in Finnish"), validators=[DataRequired(), Length(max=200)])
    title_sv = StringField(_l("Title in Swedish"), validators=[Optional(), Length(max=200)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=200)])
    intro_fi = TextAreaField(_l("Introduction in Finnish"), validators=[Optional(), Length(max=3000)])
    intro_sv = TextAreaField(_l("Introduction in Swedish"), validators=[Optional(), Length(max=3000)])
    intro_en = TextAreaField(_l("Introduction in English"), validators=[Optional(), Length(max=3000)])
    audience = RadioField(_l("Recipients"), choices=[
        SelectChoice(WHOLE_PANEL, _l("The whole panel")),
        SelectChoice(CLIENT_GROUP, _l("A client group: members who use the services chosen below")),
        SelectChoice(SAMPLE, _l("A representative sample: those selected in the draw group chosen below"))],
        default=WHOLE_PANEL, validators=[InputRequired()])
    service_keys = MultiCheckboxField(_l("Services (client group)"), choices=[], validate_choice=False)
    sample_panel_id = SelectField(_l("Draw group (representative sample)"), coerce=int, choices=[],
                                  validate_choice=False, validators=[Optional()])
    weighting = MultiCheckboxField(_l("Weight the results to the population by"), choices=[],
                                   validate_choice=False)
    reminder_days = IntegerField(_l("Reminder after (days, 0 for none)"), default=3,
                                 validators=[InputRequired(), NumberRange(min=0, max=30)])

    def texts(self, prefix: str) -> dict:
        return {lang: getattr(self, f"{prefix}_{lang}").data or "" for lang in ("fi", "sv", "en")}


class QuestionForm(KuulasForm):
    kind = SelectField(_l("Kind of question"), choices=[SelectChoice(k, KIND_LABELS[k]) for k in KINDS],
                       validators=[InputRequired()])
    text_fi = TextAreaField(_l("Question in Finnish"), validators=[DataRequired(), Length(max=500)])
    text_sv = TextAreaField(_l("Question in Swedish"), validators=[Optional(), Length(max=500)])
    text_en = TextAreaField(_l("Question in English"), validators=[Optional(), Length(max=500)])
    options_fi = TextAreaField(_l("Options in Finnish, one per line (choice questions)"),
                               validators=[Optional(), Length(max=4000)])
    options_sv = TextAreaField(_l("Options in Swedish, in the same order"), validators=[Optional(), Length(max=4000)])
    options_en = TextAreaField(_l("Options in English, in the same order"), validators=[Optional(), Length(max=4000)])
    min_value = IntegerField(_l("Smallest accepted number (number questions)"), validators=[Optional()])
    max_value = IntegerField(_l("Largest accepted number (number questions)"), validators=[Optional()])
    required = BooleanField(_l("An answer is required"))

    def texts(self) -> dict:
        return {lang: getattr(self, f"text_{lang}").data or "" for lang in ("fi", "sv", "en")}


class ScheduleForm(KuulasForm):
    opens_at = DateTimeLocalField(_l("Send at (empty: send now)"), format="%Y-%m-%dT%H:%M",
                                  validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes at"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
