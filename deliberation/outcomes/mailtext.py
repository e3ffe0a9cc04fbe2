"""Texts of the notification mails.  They live here (not in the mail templates, which
belong to the kernel's catalogue) as lazy strings, so each mail renders in its
recipient's language inside ``queue_template``'s ``force_locale``."""
from flask_babel import lazy_gettext as _l

TEXT = {
    "published_subject": _l("What came of it: %(title)s"),
    "hello": _l("Hello,"),
    "published_intro": _l("Thank you for taking part. The outcome of “%(title)s” has been published:"),
    "already_decided": _l("The decision-makers have already dealt with it:"),
    "why_you": _l("You get this message because you took part or asked to be told. "
                  "Your e-mail address is not used for anything else."),
    "impact_subject": _l("Decision made: %(title)s"),
    "impact_intro": _l("The decision-makers have dealt with the outcome of “%(title)s”."),
    "impact_how": _l("How participation affected the decision:"),
    "read_more": _l("Read more:"),
}
