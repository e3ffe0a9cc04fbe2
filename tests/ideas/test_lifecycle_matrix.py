"""Every round state × role × action against the services, with a frozen clock: each
combination is allowed or refused exactly as ``lifecycle.ALLOWED`` says."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from deliberation.ideas import common, lifecycle, moderation, participating, rounds
from deliberation.ideas.common import Participant
from deliberation.ideas.models import Idea, IdeaComment, IdeaRound
from kuulas.errors import KuulasError
from kuulas.extensions import db

from .conftest import round_data

NOW = datetime(2030, 3, 4, 12, 0)   # the frozen clock every call gets


def _data():
    return round_data(opens_at=NOW - timedelta(hours=1), closes_at=NOW + timedelta(days=7))


CALLS = {
    lifecycle.VIEW: lambda w: common.visible_round(w.rid, actor=w.actor, now=NOW),
    lifecycle.NOTIFY: lambda w: participating.request_notification(w.rid, "matriisi@example.fi", "fi", now=NOW),
    lifecycle.POST_IDEA: lambda w: participating.post_idea(w.rid, w.participant, "Uusi idea matriisista", now=NOW),
    lifecycle.EDIT_IDEA: lambda w: participating.edit_idea(w.idea, w.participant, "Muokattu idea", now=NOW),
    lifecycle.WITHDRAW_IDEA: lambda w: participating.withdraw_idea(w.idea, w.participant, now=NOW),
    lifecycle.VOTE: lambda w: participating.vote(w.idea, w.participant, 1, now=NOW),
    lifecycle.POST_COMMENT: lambda w: participating.post_comment(w.idea, w.participant, "Uusi kommentti", now=NOW),
    lifecycle.EDIT_COMMENT: lambda w: participating.edit_comment(w.comment, w.participant, "Muokattu", now=NOW),
    lifecycle.WITHDRAW_COMMENT: lambda w: participating.withdraw_comment(w.comment, w.participant, now=NOW),
    lifecycle.FLAG: lambda w: participating.flag(w.idea, w.participant, "spam", None, now=NOW),
    lifecycle.EDIT_ROUND: lambda w: rounds.update_round(w.rid, _data(), actor=w.actor, now=NOW),
    lifecycle.CLOSE: lambda w: rounds.close_now(w.rid, actor=w.actor, now=NOW),
    lifecycle.MODERATE: lambda w: moderation.moderate(w.rid, "idea", w.idea, "hide", actor=w.actor, now=NOW,
                                                      reason="Asiaton"),
    lifecycle.TAG: lambda w: moderation.set_tags(w.rid, w.idea, ["teema"], actor=w.actor, now=NOW),
    lifecycle.QUEUE: lambda w: moderation.queue(w.rid, actor=w.actor, now=NOW),
}


class Who:
    def __init__(self, rid, actor, participant, idea, comment):
        self.rid, self.actor, self.participant, self.idea, self.comment = rid, actor, participant, idea, comment


@pytest.fixture
def world(app, make_staff):
    """An open round with an idea and a comment by one participant, made through the services
    at the frozen time; each test then puts the round in the state it walks."""
    preparer = make_staff("preparer")
    round_ = rounds.create_round(_data(), actor=preparer, now=NOW, publish=True)
    db.session.commit()
    author = Participant(round_.id, "a" * 64)
    idea = participating.post_idea(round_.id, author, "Idea, jota matriisi koettelee", now=NOW)
    comment = participating.post_comment(idea.public_id, author, "Kommentti ideaan", now=NOW)
    db.session.commit()
    staff = {lifecycle.MODERATOR: make_staff("moderator"), lifecycle.PREPARER: preparer,
             lifecycle.ADMINISTRATOR: make_staff("administrator")}
    return round_.id, author, idea.public_id, comment.public_id, staff


def _who(role, world) -> Who:
    rid, author, idea, comment, staff = world
    actor = staff.get(role, AnonymousUserMixin())
    participant = author if role == lifecycle.PARTICIPANT else None
    return Who(rid, actor, participant, idea, comment)


def test_the_table_covers_every_action_and_state():
    assert set(CALLS) == set(lifecycle.ACTIONS)
    for action in lifecycle.ACTIONS:
        for state in lifecycle.STATES:
            assert lifecycle.roles_for(state, action) <= set(lifecycle.ROLES)


@pytest.mark.parametrize("state", lifecycle.STATES)
def test_every_role_and_action_in_each_state_is_allowed_or_refused_as_declared(app, world, state):
    rid = world[0]
    walked, wrong = 0, []
    for role in lifecycle.ROLES:
        for action in lifecycle.ACTIONS:
            db.session.get(IdeaRound, rid).state = state
            db.session.commit()
            expected = lifecycle.allows(state, action, role)
            try:
                CALLS[action](_who(role, world))
                got = True
            except KuulasError as exc:
                got = False
                refusal = type(exc).__name__
            db.session.rollback()   # nothing of the walk stays for the next combination
            walked += 1
            if got != expected:
                wrong.append((state, role, action, "allowed" if got else f"refused ({refusal})"))
    assert walked == len(lifecycle.ROLES) * len(lifecycle.ACTIONS)
    assert wrong == []
    # The walk wrote nothing: every combination was rolled back.
    assert db.session.scalar(select(func.count()).select_from(Idea)) == 1
    assert db.session.scalar(select(func.count()).select_from(IdeaComment)) == 1


def test_some_combinations_are_allowed_and_some_refused():
    """The table is not trivially all-yes or all-no for anyone."""
    for role in lifecycle.ROLES:
        verdicts = {lifecycle.allows(s, a, role) for s in lifecycle.STATES for a in lifecycle.ACTIONS}
        assert verdicts == {True, False}, role


@pytest.mark.parametrize("state, action, role, reason", [
    (lifecycle.CLOSED, lifecycle.POST_IDEA, lifecycle.PARTICIPANT, lifecycle.ROUND_CLOSED),
    (lifecycle.SCHEDULED, lifecycle.VOTE, lifecycle.PARTICIPANT, lifecycle.NOT_OPEN_YET),
    (lifecycle.CLOSED, lifecycle.EDIT_ROUND, lifecycle.PREPARER, lifecycle.CLOSED_UNCHANGEABLE),
    (lifecycle.DRAFT, lifecycle.CLOSE, lifecycle.PREPARER, lifecycle.PUBLISH_FIRST),
    (lifecycle.OPEN, lifecycle.CLOSE, lifecycle.MODERATOR, lifecycle.NOT_YOUR_ROLE),
    (lifecycle.OPEN, lifecycle.VOTE, lifecycle.PREPARER, lifecycle.NOT_YOUR_ROLE),
])
def test_why_a_control_is_disabled(state, action, role, reason):
    assert lifecycle.why_not(state, action, role) == reason


def test_why_not_is_none_when_allowed_and_reasons_are_translated(app):
    from flask_babel import force_locale

    from deliberation.ideas.view_helpers import disabled_reason

    assert lifecycle.why_not(lifecycle.OPEN, lifecycle.VOTE, lifecycle.PARTICIPANT) is None
    assert set(common.REASONS) == set(lifecycle.REASONS)   # every reason code has its text
    with app.test_request_context("/"), force_locale("fi"):
        assert disabled_reason(lifecycle.CLOSED, lifecycle.EDIT_ROUND, lifecycle.PREPARER) == \
            "Suljettua kierrosta ei voi enää muuttaa."
        assert disabled_reason(lifecycle.DRAFT, lifecycle.CLOSE, lifecycle.PREPARER) == \
            "Julkaise kierros ensin: luonnosta ei voi sulkea."
        assert disabled_reason(lifecycle.OPEN, lifecycle.EDIT_ROUND, lifecycle.PREPARER) is None
    with app.test_request_context("/"), force_locale("sv"):
        assert disabled_reason(lifecycle.SCHEDULED, lifecycle.VOTE, lifecycle.PARTICIPANT) == \
            "Omgången är inte öppen ännu."


def test_transitions_are_data():
    assert lifecycle.after(lifecycle.DRAFT, lifecycle.PUBLISH) == lifecycle.SCHEDULED
    assert lifecycle.after(lifecycle.SCHEDULED, lifecycle.UNPUBLISH) == lifecycle.DRAFT
    assert lifecycle.after(lifecycle.OPEN, lifecycle.CLOSE_EVENT) == lifecycle.CLOSED
    assert lifecycle.after(lifecycle.CLOSED, lifecycle.CLOSE_EVENT) is None
    assert lifecycle.after(lifecycle.OPEN, lifecycle.UNPUBLISH) is None


def test_the_lifecycle_module_is_pure():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(lifecycle))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported == {"__future__"}
