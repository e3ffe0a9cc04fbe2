"""Forms of the idea rounds.  Limits are checked again by the services."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from kuulas.forms import KuulasForm
from wtforms import (BooleanField, DateTimeLocalField, EmailField, HiddenField, IntegerField, RadioField,
                     SelectField, StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from . import common, participating


class RoundForm(KuulasForm):
    title_fi = StringField(_l("Title in Finnish"), validators=[DataRequired(), Length(max=200)])
    title_sv = StringField(_l("Title in Swedish"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=200)])
    question_fi = TextAreaField(_l("Question in Finnish"), validators=[DataRequired(), Length(max=1000)])
    question_sv = TextAreaField(_l("Question in Swedish"), validators=[DataRequired(), Length(max=1000)])
    question_en = TextAreaField(_l("Question in English"), validators=[Optional(), Length(max=1000)])
    background_fi = TextAreaField(_l("Background in Finnish"), validators=[Optional(), Length(max=10000)])
    background_sv = TextAreaField(_l("Background in Swedish"), validators=[Optional(), Length(max=10000)])
    background_en = TextAreaField(_l("Background in English"), validators=[Optional(), Length(max=10000)])
    plain_summary = TextAreaField(_l("Summary in easy-to-read Finnish (selkokieli)"),
                                  validators=[Optional(), Length(max=10000)])
    subthemes_fi = TextAreaField(_l("Sub-themes in Finnish, one per line"), validators=[Optional(), Length(max=2000)])
    subthemes_sv = TextAreaField(_l("Sub-themes in Swedish, one per line"), validators=[Optional(), Length(max=2000)])
    subthemes_en = TextAreaField(_l("Sub-themes in English, one per line"), validators=[Optional(), Length(max=2000)])
    opens_at = DateTimeLocalField(_l("Opens"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    closes_at = DateTimeLocalField(_l("Closes"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    moderation = RadioField(_l("Moderation"), default="post", choices=[
        SelectChoice("post", _l("Post-moderation: ideas are public at once, moderators remove what breaks the rules")),
        SelectChoice("pre", _l("Pre-moderation: nothing is public before a moderator approves it"))])
    comments_enabled = BooleanField(_l("Participants may comment on ideas"), default=True)
    max_length = IntegerField(_l("Maximum idea length (characters)"), default=500,
                              validators=[InputRequired(), NumberRange(min=50, max=5000)])
    publish = BooleanField(_l("Publish: the round opens and closes by itself at these times"))
    confirm_publish = BooleanField(_l("I understand that once the round has opened it cannot be unpublished: "
                                      "what participants write and vote stays part of the round."))

    #: set by the view: True when saving with "publish" would publish a round not yet published
    needs_publish_confirm = False

    def validate_confirm_publish(self, field):
        if self.needs_publish_confirm and self.publish.data and not field.data:
            raise ValidationError(str(_l("Publishing cannot be undone once the round opens. Tick this box to "
                                         "confirm, or untick \"Publish\" to save a draft.")))


class IdeaForm(KuulasForm):
    text = TextAreaField(_l("Your idea"), validators=[DataRequired(), Length(min=common.MIN_IDEA, max=5000)])
    subtheme = SelectField(_l("Sub-theme (optional)"), choices=[], validate_choice=False)
    # Honeypot: hidden from people (CSS and aria-hidden), filled in by some bots.
    website = StringField(_l("Leave this field empty"))


class EditForm(KuulasForm):
    text = TextAreaField(_l("Text"), validators=[DataRequired(), Length(min=common.MIN_IDEA, max=5000)])


class CommentForm(KuulasForm):
    text = TextAreaField(_l("Your comment"), validators=[DataRequired(),
                                                         Length(min=common.MIN_IDEA, max=common.MAX_COMMENT)])
    website = StringField(_l("Leave this field empty"))


class FlagForm(KuulasForm):
    reason = RadioField(_l("Why should a moderator look at this?"), validators=[InputRequired()],
                        choices=[SelectChoice(k, v) for k, v in participating.FLAG_REASONS.items()])
    detail = TextAreaField(_l("More detail (optional)"), validators=[Optional(), Length(max=common.MAX_REASON)])
    comment_id = HiddenField()


class NotifyForm(KuulasForm):
    email = EmailField(_l("Your e-mail address"), validators=[DataRequired(), Email(), Length(max=254)])


class HideForm(KuulasForm):
    reason = StringField(_l("Public reason for removing"), validators=[DataRequired(), Length(min=3, max=common.MAX_REASON)])


class TagForm(KuulasForm):
    tags = StringField(_l("Themes, separated by commas"), validators=[Optional(), Length(max=600)])
