"""Translated names of the indicators, levels and experience questions (kept out of the pure
``indicators`` module)."""
from flask_babel import lazy_gettext as _l

LEVELS = {"input": _l("IOOI input"), "output": _l("IOOI output"), "outcome": _l("IOOI outcome"),
          "impact": _l("IOOI impact")}
INDICATORS = {
    "invitations_sent": _l("Invitations sent"),
    "people_reached": _l("People reached"),
    "staff_hours": _l("Staff hours"),
    "costs_eur": _l("Costs (euros)"),
    "channels_used": _l("Channels used"),
    "processes_run": _l("Processes run"),
    "participants_total": _l("Participants"),
    "unique_participants": _l("Unique participants"),
    "response_rate": _l("Response rate of invitations"),
    "representativeness_tvd": _l("Distance of participants from the population (median, 0 = same)"),
    "ideas_total": _l("Ideas"),
    "votes_total": _l("Votes"),
    "feedback_received": _l("Service feedback received"),
    "experience_score": _l("Participants' experience (mean 1-5)"),
    "experience_answers": _l("Experience answers"),
    "share_with_outcome": _l("Processes with a published outcome"),
    "days_to_publication": _l("Days from close to publication (median)"),
    "feedback_on_time": _l("Feedback handled on time"),
    "share_points_with_impact": _l("Points with a recorded impact"),
    "share_adopted": _l("Points adopted or partly adopted"),
    "points_adopted": _l("Points adopted"),
    "points_partly": _l("Points partly adopted"),
    "points_not_adopted": _l("Points not adopted"),
    "follow_ups": _l("Follow-ups recorded"),
    "service_changes": _l("Changes in services from feedback"),
}
QUESTIONS = {
    "say": _l("I could say what I wanted."),
    "heard": _l("I was listened to."),
    "use": _l("I know how the results will be used."),
    "again": _l("I would take part again."),
}
AGREEMENT = {5: _l("Strongly agree"), 4: _l("Agree"), 3: _l("Neither agree nor disagree"), 2: _l("Disagree"),
             1: _l("Strongly disagree")}
KINDS = {"ideas": _l("Idea round"), "raati": _l("Digiraati"), "feedback": _l("Service feedback"),
         "surveys": _l("Survey"), "panel": _l("Panel membership")}
