"""Forms of service feedback.  Limits are checked again by the services."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, EmailField, IntegerField, RadioField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from kuulas.forms import KuulasForm

from . import lifecycle as lc

RATING_LABELS = {
    5: _l("Very good"),
    4: _l("Good"),
    3: _l("Neither good nor bad"),
    2: _l("Poor"),
    1: _l("Very poor"),
}
FACES = {5: "😄", 4: "🙂", 3: "😐", 2: "🙁", 1: "😞"}
KIND_LABELS = {
    lc.PRAISE: _l("Praise"),
    lc.IDEA: _l("An idea for developing the service"),
    lc.COMPLAINT: _l("Something went wrong in the service"),
}
AREA_LABELS = {
    "health": _l("Health services"),
    "social": _l("Social services"),
    "elderly": _l("Services for older people"),
    "family": _l("Family services"),
    "disability": _l("Disability services"),
    "mental": _l("Mental health and substance abuse services"),
    "oral": _l("Oral health care"),
    "emergency": _l("Emergency and rescue services"),
    "other": _l("Other services"),
}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class GiveForm(KuulasForm):
    rating = RadioField(_l("How was the service?"), coerce=int, validators=[Optional()],
                        choices=[SelectChoice(str(r), RATING_LABELS[r]) for r in (5, 4, 3, 2, 1)])
    text = TextAreaField(_l("Tell us more (optional)"), validators=[Optional(), Length(max=lc.TEXT_LIMIT)])
    kind = RadioField(_l("What kind of feedback is this? (optional)"), validators=[Optional()],
                      choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()])
    wants_answer = BooleanField(_l("I would like an answer"))
    contact = EmailField(_l("Your e-mail address for the answer"),
                         validators=[Optional(), Email(message=_l("That is not an e-mail address. Check it, or leave it empty.")),
                                     Length(max=254)])
    # Honeypot: hidden from people (CSS and aria-hidden), filled in by some bots.
    website = StringField(_l("Leave this field empty"))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and self.rating.data is None and not (self.text.data or "").strip():
            self.rating.errors.append(_l("Give a rating or write something: empty feedback cannot be sent."))
            ok = False
        if ok and self.wants_answer.data and not (self.contact.data or "").strip():
            self.contact.errors.append(_l("Give an e-mail address for the answer, or untick the box."))
            ok = False
        return ok


class UnitForm(KuulasForm):
    name_fi = StringField(_l("Name in Finnish"), validators=[DataRequired(), Length(max=200)])
    name_sv = StringField(_l("Name in Swedish"), validators=[Optional(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    area = SelectField(_l("Service area"), choices=[SelectChoice(k, v) for k, v in AREA_LABELS.items()])
    target_days = IntegerField(_l("Target time for handling (days)"), default=14,
                               validators=[InputRequired(), NumberRange(min=1, max=90)])
    manager_email = EmailField(_l("Unit manager's e-mail (monthly summary)"),
                               validators=[Optional(), Email(), Length(max=254)])
    manager_locale = SelectField(_l("Language of the monthly summary"),
                                 choices=[SelectChoice("fi", "suomi"), SelectChoice("sv", "svenska"),
                                          SelectChoice("en", "English")])
    handlers = MultiCheckboxField(_l("Handlers of this unit's feedback"), coerce=int, choices=[],
                                  validate_choice=True)


class KioskForm(KuulasForm):
    label = StringField(_l("Where is the kiosk? (e.g. lobby tablet)"), validators=[DataRequired(), Length(max=80)])
    pin = StringField(_l("Unlock code for staff (4-8 digits)"),
                      validators=[DataRequired(), Length(min=4, max=8)])


class UnlockForm(KuulasForm):
    pin = StringField(_l("Unlock code"), validators=[DataRequired(), Length(max=8)])


class AnswerForm(KuulasForm):
    reply = TextAreaField(_l("Answer to the writer"), validators=[DataRequired(), Length(max=4000)])
    public = BooleanField(_l("The feedback is about the service, not about a person: show it and the answer "
                             "on the unit's public page"))


class ModerateForm(KuulasForm):
    public_text = TextAreaField(_l("Text shown to the public (remove anything that identifies a person)"),
                                validators=[Optional(), Length(max=lc.TEXT_LIMIT)])


class TagForm(KuulasForm):
    tags = StringField(_l("Themes, separated by commas"), validators=[Optional(), Length(max=400)])


class ItemForm(KuulasForm):
    title_fi = StringField(_l("Title in Finnish"), validators=[DataRequired(), Length(max=200)])
    title_sv = StringField(_l("Title in Swedish"), validators=[Optional(), Length(max=200)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=200)])
    description_fi = TextAreaField(_l("Description in Finnish"), validators=[Optional(), Length(max=4000)])
    description_sv = TextAreaField(_l("Description in Swedish"), validators=[Optional(), Length(max=4000)])
    description_en = TextAreaField(_l("Description in English"), validators=[Optional(), Length(max=4000)])
    theme = StringField(_l("Theme"), validators=[Optional(), Length(max=60)])
    unit_id = SelectField(_l("Service unit"), coerce=int, choices=[])
    feedback = MultiCheckboxField(_l("Feedback gathered into this item"), coerce=int, choices=[],
                                  validate_choice=True)


class DecisionForm(KuulasForm):
    decision_fi = TextAreaField(_l("What was decided, in Finnish"), validators=[DataRequired(), Length(max=4000)])
    decision_sv = TextAreaField(_l("What was decided, in Swedish"), validators=[Optional(), Length(max=4000)])
    decision_en = TextAreaField(_l("What was decided, in English"), validators=[Optional(), Length(max=4000)])
    decided_on = DateField(_l("Date of the decision"), validators=[InputRequired()])
    change_fi = TextAreaField(_l("What changed in the service, in Finnish"), validators=[Optional(), Length(max=4000)])
    change_sv = TextAreaField(_l("What changed in the service, in Swedish"), validators=[Optional(), Length(max=4000)])
    change_en = TextAreaField(_l("What changed in the service, in English"), validators=[Optional(), Length(max=4000)])
    changed_on = DateField(_l("Date of the change"), validators=[Optional()])
