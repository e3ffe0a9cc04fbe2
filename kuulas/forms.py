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


JSON_FIELD_DEPTH = 2   # {"field": "value"} or {"field": ["a", "b"]}; nothing deeper


def _json_formdata(payload):
    """A JSON body as form data: an object whose values are scalars (sent as their text,
    so every validator sees what a form post would give) or lists of scalars.  Anything
    else is a 400, never a validator crashing on a number or a nested object."""
    from flask import abort
    from werkzeug.datastructures import ImmutableMultiDict

    def text(value):
        if isinstance(value, (dict, list)):
            abort(400, description=str(JSON_SHAPE))
        if value is None:
            return ""
        if isinstance(value, bool):
            return "y" if value else ""
        return str(value)

    if not isinstance(payload, dict):
        abort(400, description=str(JSON_SHAPE))
    pairs = []
    for key, value in payload.items():
        for item in (value if isinstance(value, list) else [value]):
            pairs.append((str(key), text(item)))
    return ImmutableMultiDict(pairs)


JSON_SHAPE = _l("The request body must be an object of field names and values.")


class KuulasForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            from flask import request
            from flask_wtf.form import _Auto   # Flask-WTF's "read the request" sentinel

            if (formdata is _Auto and request and request.method in ("POST", "PUT", "PATCH", "DELETE")
                    and request.is_json and not request.form and not request.files):
                # Flask-WTF would hand the raw JSON values (numbers, lists, objects) to the
                # fields, whose validators expect text.
                return _json_formdata(request.get_json())
            return super().wrap_formdata(form, formdata)

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
