"""Texts of the feedback area's mails, kept in this area's catalogue.  The mail templates
(templates/mail/feedback/*.txt) only lay them out; they are rendered in the recipient's
language by ``kuulas.mail.services.queue_template``."""
from flask_babel import lazy_gettext as _l

REPLY = {
    "subject": _l("Answer to your feedback to %(unit)s"),
    "hello": _l("Hello,"),
    "intro": _l("Thank you for your feedback to %(unit)s. Here is our answer:"),
    "forgotten": _l("Your e-mail address was used only for this answer and has now been deleted from our system."),
    "experience": _l("How was it to give feedback? Four anonymous questions:"),
}
REMINDER = {
    "subject_near": _l("Feedback to %(unit)s is nearly due"),
    "subject_overdue": _l("Feedback to %(unit)s is overdue"),
    "near": _l("Feedback to %(unit)s to be answered or closed within two days: %(count)s."),
    "overdue": _l("Feedback to %(unit)s past its target time: %(count)s."),
    "open": _l("Open the feedback queue:"),
}
MONTHLY = {
    "subject": _l("Feedback summary of %(unit)s for %(month)s"),
    "intro": _l("The feedback of %(unit)s in %(month)s:"),
    "volume": _l("Feedback received"),
    "mean": _l("Mean rating (1-5)"),
    "on_time": _l("Handled on time"),
    "themes": _l("Themes"),
    "none": _l("none"),
    "open": _l("The full summary and its exports:"),
}
