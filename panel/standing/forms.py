"""Forms of standing panels: draw groups, idea-round invitations, the service catalogue
and the member's own service list."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, IntegerField, SelectField, SelectMultipleField, StringField,
                     TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, ValidationError, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from kuulas.forms import KuulasForm

from ..clients.models import AREAS


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):   # unknown keys are refused by the service, with a reason
        pass


SERVICES_NEED_CONSENT = _l("To tell which services you use, give the separate consent for "
                           "service-use data first.")


def services_need_consent(field, consent: bool) -> None:
    """Field-level check (the service checks again): services only with the consent."""
    if field.data and not consent:
        raise ValidationError(str(SERVICES_NEED_CONSENT))


def area_labels() -> dict:
    return {"health": _l("Health services"), "social": _l("Social services"),
            "elderly": _l("Services for older people"), "family": _l("Family services"),
            "disability": _l("Disability services"), "other": _l("Other services")}


def client_group_choices(services, locale) -> list[tuple[str, str]]:
    return [SelectChoice("", _l("The whole pool"))] + [SelectChoice(s.key, s.name(locale))
                                                       for s in services]


class DrawGroupForm(KuulasForm):
    name_fi = StringField(_l("Name in Finnish"), validators=[DataRequired(), Length(max=200)])
    name_sv = StringField(_l("Name in Swedish"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    target_size = IntegerField(_l("Group size (members)"), default=12,
                               validators=[InputRequired(), NumberRange(min=2, max=1000)])
    client_group = SelectField(_l("Drawn from"), choices=[], validate_choice=False)
    invitation_days = IntegerField(_l("Days to answer an invitation"), default=7,
                                   validators=[InputRequired(), NumberRange(min=1, max=60)])


class IdeaInviteForm(KuulasForm):
    round_id = SelectField(_l("Idea round"), choices=[], coerce=int, validate_choice=False,
                           validators=[InputRequired(_l("Choose an idea round."))])
    client_group = SelectField(_l("Who is invited"), choices=[], validate_choice=False)
    sample_size = IntegerField(_l("Random sample size (empty: everyone)"),
                               validators=[Optional(), NumberRange(min=1, max=100000)])


class ServiceForm(KuulasForm):
    key = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    name_fi = StringField(_l("Name in Finnish"), validators=[DataRequired(), Length(max=200)])
    name_sv = StringField(_l("Name in Swedish"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    description_fi = TextAreaField(_l("Description in Finnish"), validators=[Optional(), Length(max=2000)])
    description_sv = TextAreaField(_l("Description in Swedish"), validators=[Optional(), Length(max=2000)])
    description_en = TextAreaField(_l("Description in English"), validators=[Optional(), Length(max=2000)])
    area = SelectField(_l("Service area"), choices=[], validate_choice=False)
    position = IntegerField(_l("Position in lists"), default=0,
                            validators=[Optional(), NumberRange(min=0, max=10000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = area_labels()
        self.area.choices = [SelectChoice("", _l("(no area)"))] + [SelectChoice(a, labels[a])
                                                                  for a in AREAS]


class OwnServicesForm(KuulasForm):
    consent = BooleanField(_l("I consent separately to the processing of data on which health "
                              "and social services I use. I can withdraw this consent at any "
                              "time."))
    services = MultiCheckboxField(_l("Services I use"), choices=[])

    def validate_services(self, field):
        services_need_consent(field, self.consent.data)
