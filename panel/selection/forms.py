"""Staff forms of the draw: preparing it (the seed's source) and running it (the seed)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from kuulas.forms import KuulasForm


class PrepareDrawForm(KuulasForm):
    seed_source = StringField(_l("Where the seed will come from"),
                              validators=[DataRequired(), Length(max=300)])


class RunDrawForm(KuulasForm):
    seed_value = StringField(_l("Announced seed value"), validators=[DataRequired(), Length(max=200)])
