"""Staff and member forms of the digiraati."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from kuulas.forms import KuulasForm
from wtforms import (BooleanField, DateTimeLocalField, EmailField, IntegerField, SelectField,
                     StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from . import phases, statement
from .models import ROLES

ROLE_LABELS = {"member": _l("Member"), "moderator": _l("Moderator"), "chair": _l("Chair"),
               "secretary": _l("Secretary"), "expert": _l("Expert"), "observer": _l("Observer")}
PHASE_LABELS = {phases.ORIENTATION: _l("Orientation"), phases.HEARING: _l("Expert hearing"),
                phases.DISCUSSION: _l("Discussion"), phases.DRAFTING: _l("Statement drafting"),
                phases.CLOSING: _l("Closing")}
RULE_LABELS = {statement.MAJORITY: _l("A majority of the members approves every section"),
               statement.ALL: _l("Every member approves every section")}


class RaatiForm(KuulasForm):
    title_fi = StringField(_l("Title (Finnish)"), validators=[DataRequired(), Length(max=200)])
    title_sv = StringField(_l("Title (Swedish)"), validators=[Optional(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    question_fi = TextAreaField(_l("Question (Finnish)"), validators=[DataRequired(), Length(max=2000)])
    question_sv = TextAreaField(_l("Question (Swedish)"), validators=[Optional(), Length(max=2000)])
    question_en = TextAreaField(_l("Question (English)"), validators=[Optional(), Length(max=2000)])
    background_fi = TextAreaField(_l("Background (Finnish)"), validators=[Optional(), Length(max=20000)])
    background_sv = TextAreaField(_l("Background (Swedish)"), validators=[Optional(), Length(max=20000)])
    background_en = TextAreaField(_l("Background (English)"), validators=[Optional(), Length(max=20000)])
    plain_summary = TextAreaField(_l("Summary in easy-to-read Finnish (selkokieli)"),
                                  validators=[Optional(), Length(max=10000)])
    approval_rule = SelectField(_l("Approval needed to lock the statement"), default=statement.MAJORITY, choices=[
        SelectChoice(k, v) for k, v in RULE_LABELS.items()])
    allow_override = BooleanField(_l("The chair may lock without that approval by recording a reason "
                                     "(the reason is published with the statement)"))


class MemberForm(KuulasForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES if r != "expert"])


class PanelForm(KuulasForm):
    panel_id = SelectField(_l("Panel"), coerce=int, validators=[DataRequired()])


class RoleForm(KuulasForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])


class ExpertForm(KuulasForm):
    email = EmailField(_l("Expert's e-mail address"), validators=[DataRequired(), Email(), Length(max=254)])


class SessionForm(KuulasForm):
    title = StringField(_l("Session title"), validators=[DataRequired(), Length(max=200)])
    starts_at = DateTimeLocalField(_l("Starts (Finnish time)"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends (Finnish time)"), format="%Y-%m-%dT%H:%M",
                                 validators=[DataRequired()])


class PhaseForm(KuulasForm):
    kind = SelectField(_l("Phase"), choices=[SelectChoice(k, PHASE_LABELS[k]) for k in phases.KINDS])
    planned_start = DateTimeLocalField(_l("Planned start (Finnish time)"), format="%Y-%m-%dT%H:%M",
                                       validators=[Optional()])
    minutes = IntegerField(_l("Planned length in minutes"), default=30,
                           validators=[DataRequired(), NumberRange(min=1, max=600)])


class StateForm(KuulasForm):
    state = SelectField(_l("State"), choices=[SelectChoice("draft", _l("Being prepared")),
                                              SelectChoice("live", _l("Running")),
                                              SelectChoice("finished", _l("Finished"))])


class NameForm(KuulasForm):
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(min=2, max=40)])


class LockForm(KuulasForm):
    """The chair's confirmation step before the statement is locked (it cannot be undone)."""
    override = TextAreaField(_l("Reason for locking without the members' approval"),
                             validators=[Optional(), Length(max=300)])
    confirm = BooleanField(_l("I understand that after locking nobody can change the statement."),
                           validators=[DataRequired(_l("Tick the box to confirm."))])
