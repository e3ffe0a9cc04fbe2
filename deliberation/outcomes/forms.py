from datetime import datetime

from flask_babel import lazy_gettext as _l
from kuulas.forms import KuulasForm
from kuulas.i18n import parse_local as local_to_utc
from flask_wtf.file import FileField, FileRequired
from wtforms.fields.choices import SelectChoice
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from .history import STATUSES
from .present import STATUS_LABELS


# Each language in its own name, as language pickers show them.
LANGUAGE_CHOICES = [SelectChoice("fi", "suomi"), SelectChoice("sv", "svenska"), SelectChoice("en", "English")]


class DraftForm(KuulasForm):
    language = SelectField(_l("Language of these texts"), choices=LANGUAGE_CHOICES)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    question = TextAreaField(_l("What was asked"), validators=[Length(max=5000)])
    background = TextAreaField(_l("Background"), validators=[Length(max=20000)])
    summary = TextAreaField(_l("Summary of what came out"), validators=[Length(max=50000)])
    plain_summary = TextAreaField(_l("Summary in easy-to-read Finnish (selkokieli)"), validators=[Length(max=10000)])


class TranslationForm(KuulasForm):
    """The outcome's texts in another language; leave the title empty to remove it."""
    title = StringField(_l("Title"), validators=[Length(max=200)])
    question = TextAreaField(_l("What was asked"), validators=[Length(max=5000)])
    background = TextAreaField(_l("Background"), validators=[Length(max=20000)])
    summary = TextAreaField(_l("Summary of what came out"), validators=[Length(max=50000)])


LANGUAGE_NAMES = {c.value: c.label for c in LANGUAGE_CHOICES}


def translation_forms(outcome, bound=None) -> dict:
    """One form per language other than the outcome's own, filled with what is saved."""
    forms = {}
    for code in LANGUAGE_NAMES:
        if code == outcome.language:
            continue
        if bound is not None and bound[0] == code:
            forms[code] = bound[1]
        else:
            forms[code] = TranslationForm(prefix=code, formdata=None, data=(outcome.translations or {}).get(code) or {})
    return forms


class PublishForm(KuulasForm):
    when = RadioField(_l("When to publish"), choices=[SelectChoice("now", _l("Now")), SelectChoice("later", _l("At a set time"))],
                      default="now", validators=[DataRequired()])
    publish_at = StringField(_l("Publication time (Finnish time)"), validators=[Optional(), Length(max=20)])
    # Publication e-mails the participants and cannot be recalled: the preparer confirms it.
    confirm = BooleanField(_l("I have checked the outcome: it becomes public and the participants "
                              "are e-mailed, which cannot be recalled"),
                           validators=[DataRequired(message=_l("Confirm the publication by ticking the box."))])

    def validate_publish_at(self, field):
        if self.when.data == "later" and self.at() is None:
            raise ValidationError(_l("Enter the time as a date and time, e.g. 2026-05-04 09:00."))

    def at(self) -> datetime | None:
        """The chosen publication time in naive UTC; None to publish now (or if malformed)."""
        return local_to_utc(self.publish_at.data or "") if self.when.data == "later" else None


class AttachmentForm(KuulasForm):
    title = StringField(_l("Attachment title"), validators=[Length(max=200)])
    file = FileField(_l("File"), validators=[FileRequired()])


class FollowUpForm(KuulasForm):
    entry_date = DateField(_l("Date"), validators=[DataRequired()])
    text = TextAreaField(_l("What happened"), validators=[DataRequired(), Length(max=5000)])


class CreateForm(KuulasForm):
    source = StringField(validators=[DataRequired(), Length(max=40)])


TRANSLATION_LABELS = {
    "fi": (_l("Decision-making body in Finnish"), _l("What was decided, in Finnish"), _l("Reasoning in Finnish")),
    "sv": (_l("Decision-making body in Swedish"), _l("What was decided, in Swedish"), _l("Reasoning in Swedish")),
    "en": (_l("Decision-making body in English"), _l("What was decided, in English"), _l("Reasoning in English")),
}


def decision_form_class(points: list[dict], other_languages: tuple[str, ...] = ()):
    """A decision form with a status and a reasoning field per statement point or idea, and
    the body, summary and each reasoning in ``other_languages`` (the outcome's translations)."""
    attrs = {
        "body": StringField(_l("Decision-making body"), validators=[DataRequired(), Length(max=200)]),
        "meeting_date": DateField(_l("Meeting date"), validators=[DataRequired()]),
        "item": StringField(_l("Item (§)"), validators=[Length(max=60)]),
        "minutes_url": StringField(_l("Link to the minutes"), validators=[Length(max=500)]),
        "summary": TextAreaField(_l("What was decided"), validators=[Length(max=10000)]),
        "notify": BooleanField(_l("Tell the participants by e-mail"), default=True),
    }
    choices = [SelectChoice("", _l("Not assessed yet"))] + [SelectChoice(s, STATUS_LABELS[s]) for s in STATUSES]
    for n, p in enumerate(points):
        attrs[f"status_{n}"] = SelectField(_l("Impact"), choices=choices, validators=[Optional()])
        attrs[f"reason_{n}"] = TextAreaField(_l("Reasoning in plain language"), validators=[Length(max=5000)])
        for lang in other_languages:
            attrs[f"reason_{n}_{lang}"] = TextAreaField(TRANSLATION_LABELS[lang][2], validators=[Length(max=5000)])
    for lang in other_languages:
        attrs[f"body_{lang}"] = StringField(TRANSLATION_LABELS[lang][0], validators=[Length(max=200)])
        attrs[f"summary_{lang}"] = TextAreaField(TRANSLATION_LABELS[lang][1], validators=[Length(max=10000)])
    return type("DecisionForm", (KuulasForm,), attrs)
