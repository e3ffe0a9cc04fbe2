from flask_babel import lazy_gettext as _l
from kuulas.forms import KuulasForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class PageForm(KuulasForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Text (Markdown: paragraphs, **bold**, *italics*, lists, links)"),
                         validators=[DataRequired(), Length(max=50_000)])
