"""Staff forms of panel set-up and recruitment: the panel, its features, CSV imports."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateTimeLocalField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields import Field
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import TextArea

from kuulas.forms import KuulasForm

from .models import CLIENT, RESIDENT


class PanelForm(KuulasForm):
    name_fi = StringField(_l("Name in Finnish"), validators=[DataRequired(), Length(max=200)])
    name_sv = StringField(_l("Name in Swedish"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    description_fi = TextAreaField(_l("Description in Finnish"), validators=[DataRequired(), Length(max=5000)])
    description_sv = TextAreaField(_l("Description in Swedish"), validators=[DataRequired(), Length(max=5000)])
    description_en = TextAreaField(_l("Description in English"), validators=[Optional(), Length(max=5000)])
    kind = RadioField(_l("Kind of panel"), choices=[SelectChoice(RESIDENT, _l("Resident panel")),
                                                    SelectChoice(CLIENT, _l("Client panel"))],
                      default=RESIDENT, validators=[InputRequired()])
    target_size = IntegerField(_l("Panel size (members)"), default=40,
                               validators=[InputRequired(), NumberRange(min=2, max=1000)])
    recruitment_opens_at = DateTimeLocalField(_l("Recruitment opens"), format="%Y-%m-%dT%H:%M",
                                              validators=[InputRequired()])
    recruitment_closes_at = DateTimeLocalField(_l("Recruitment closes"), format="%Y-%m-%dT%H:%M",
                                               validators=[Optional()])
    controller = StringField(_l("Controller of the personal data"),
                             validators=[DataRequired(), Length(max=300)])
    retention_days = IntegerField(_l("Retention period after the panel closes (days)"), default=180,
                                  validators=[InputRequired(), NumberRange(min=0, max=3650)])
    invitation_days = IntegerField(_l("Days to answer an invitation"), default=7,
                                   validators=[InputRequired(), NumberRange(min=1, max=60)])
    asks_address = BooleanField(_l("Ask for postal code and street address"))
    one_per_household = BooleanField(_l("Only one person per household"))
    standing = BooleanField(_l("Standing panel: recruitment stays open and members are asked "
                               "again and again (surveys, idea rounds, groups drawn from the pool)"))
    consent_months = IntegerField(_l("Membership period of a standing panel (months)"), default=24,
                                  validators=[Optional(), NumberRange(min=1, max=60)])


class FeatureForm(KuulasForm):
    key = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    label_fi = StringField(_l("Question in Finnish"), validators=[DataRequired(), Length(max=200)])
    label_sv = StringField(_l("Question in Swedish"), validators=[DataRequired(), Length(max=200)])
    label_en = StringField(_l("Question in English"), validators=[Optional(), Length(max=200)])
    categories = TextAreaField(_l("Categories"), validators=[DataRequired(), Length(max=10000)])
    sensitive = BooleanField(_l("Sensitive (special-category data such as service use): optional, "
                                "needs separate consent"))
    allow_undisclosed = BooleanField(_l("Offer “prefer not to say”"), default=True)


class CsvTextField(Field):
    """Pasted CSV text.  Not a TextAreaField on purpose: the import reads it cell by cell
    and names the row and column of a NUL or other control character (the same check and
    normalisation every form field gets), which a field-wide error could not."""
    widget = TextArea()

    def process_formdata(self, valuelist):
        self.data = valuelist[0] if valuelist else ""

    def _value(self):
        return self.data or ""


class CsvForm(KuulasForm):
    file = FileField(_l("CSV file"))
    text = CsvTextField(_l("…or paste the CSV here"), validators=[Optional(), Length(max=2_000_000)])
