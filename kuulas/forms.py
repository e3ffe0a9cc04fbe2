"""The base form of every Kuulas form.

``KuulasForm`` normalises every text field the same way (``kuulas.text.normalise``: NFC,
bidi controls removed, emoji joiners kept) and turns a NUL or other control character into
a translated field error, so no form can pass such text on to the database.  Areas derive
their forms from it instead of ``FlaskForm``.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, StringField, TextAreaField

from .text import ControlCharacter, normalise

CONTROL_CHARACTER = _l("The text contains a control character (for example a NUL byte) "
                       "that is not allowed. Remove it and try again.")


def _normalise_field(value):
    if not isinstance(value, str):
        return value
    try:
        return normalise(value)
    except ControlCharacter:
        raise ValueError(str(CONTROL_CHARACTER)) from None


INT_LIMIT = 2**31 - 1
NUMBER_OUT_OF_RANGE = _l("The number is too large.")


def _bounded_int(value):
    if isinstance(value, int) and not -INT_LIMIT <= value <= INT_LIMIT:
        raise ValueError(str(NUMBER_OUT_OF_RANGE))
    return value


class KuulasForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if (issubclass(field_class, (StringField, TextAreaField))
                    and not issubclass(field_class, PasswordField)):
                filters = tuple(unbound_field.kwargs.get("filters", ())) + tuple(options.pop("filters", ()))
                options["filters"] = (_normalise_field, *filters)
            elif issubclass(field_class, IntegerField):
                filters = tuple(unbound_field.kwargs.get("filters", ())) + tuple(options.pop("filters", ()))
                options["filters"] = (_bounded_int, *filters)
            return super().bind_field(form, unbound_field, options)
