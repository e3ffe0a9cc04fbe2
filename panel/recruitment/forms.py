"""The public sign-up form, built per panel from its features."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from kuulas.forms import KuulasForm
from wtforms import BooleanField, EmailField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from .models import UNDISCLOSED


class _Base(KuulasForm):
    display_name = StringField(_l("Name or nickname shown to other panel members"),
                               validators=[DataRequired(), Length(max=80)])


def feature_field_name(key: str) -> str:
    return f"f_{key}"


def signup_form(panel, locale: str, *, with_email: bool = True, with_consent: bool = True,
                formdata=None, obj_values: dict | None = None):
    attrs = {}
    if with_email:
        attrs["email"] = EmailField(_l("E-mail address"),
                                    validators=[DataRequired(), Email(), Length(max=254)])
    if panel.asks_address:
        attrs["postal_code"] = StringField(_l("Postal code"), validators=[DataRequired(), Length(max=10)])
        attrs["address"] = StringField(_l("Street address"), validators=[DataRequired(), Length(max=200)])
    services = _standing_services(panel)
    has_sensitive = any(f.sensitive for f in panel.features) or bool(services)
    for feature in panel.features:
        choices = [SelectChoice(c.value, c.label(locale)) for c in feature.categories]
        if feature.allow_undisclosed or feature.sensitive:
            choices.append(SelectChoice(UNDISCLOSED, _l("Prefer not to say")))
        required = not (feature.sensitive or feature.allow_undisclosed)
        attrs[feature_field_name(feature.key)] = RadioField(
            feature.label(locale), choices=choices,
            validators=[DataRequired()] if required else [Optional()],
            default=(obj_values or {}).get(feature.key))
    if has_sensitive:
        attrs["sensitive_consent"] = BooleanField(
            _l("I consent separately to the processing of my answer to the optional "
               "service-use question, which is health-related data. I can withdraw this "
               "consent at any time."))
    if services:
        from ..standing.forms import MultiCheckboxField

        from ..standing.forms import services_need_consent

        attrs["services"] = MultiCheckboxField(
            _l("Services I use"), choices=[SelectChoice(s.key, s.name(locale)) for s in services])
        attrs["validate_services"] = lambda form, field: services_need_consent(
            field, form.sensitive_consent.data)
    if with_consent:
        attrs["consent"] = BooleanField(_l("I have read the notice above and consent to the "
                                           "processing of my data for the panel."),
                                        validators=[DataRequired(_l("Registration needs your consent."))])
    form_class = type("SignupForm", (_Base,), attrs)
    return form_class(formdata=formdata) if formdata is not None else form_class()


def _standing_services(panel) -> list:
    """A standing panel asks about the active service catalogue (client groups)."""
    if not panel.standing:
        return []
    from ..clients.services import catalogue

    return catalogue()


def answers_from(form, panel) -> dict:
    return {f.key: getattr(form, feature_field_name(f.key)).data for f in panel.features}
