"""Client panels per service: the service catalogue (client groups) and members' service use.

Service use is health or social-welfare data (GDPR art. 9).  It is stored apart from the
volunteer's other answers, asked only after its own explicit consent, used only for
targeting and weighting, and shown to staff only as suppressed aggregates: never to
moderators, never per person, never on public pages.
"""
