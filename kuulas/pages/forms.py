from flask_babel import lazy_gettext as _l
from kuulas.forms import KuulasForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional


class PageForm(KuulasForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Text (Markdown: paragraphs, **bold**, *italics*, lists, links)"),
                         validators=[DataRequired(), Length(max=50_000)])


class FeedbackForm(KuulasForm):
    name = StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=120)])
    email = EmailField(_l("E-mail address for our reply"),
                       validators=[DataRequired(), Email(), Length(max=254)])
    page = StringField(_l("Page or function where you met the problem (optional)"),
                       validators=[Optional(), Length(max=500)])
    description = TextAreaField(_l("Describe the problem"),
                                validators=[DataRequired(), Length(max=5000)])


class FeedbackReplyForm(KuulasForm):
    reply = TextAreaField(_l("Reply"), validators=[DataRequired(), Length(max=10_000)])
