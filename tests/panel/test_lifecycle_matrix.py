"""Every panel state × role × action, and every invitation state × answer, against the
services, with a frozen clock: what ``panel.lifecycle`` (and ``panel.rules`` for the
roles) declares is exactly what the services do, and a refusal carries the lifecycle's
translated reason."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from flask_babel import force_locale
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from kuulas import tokens
from kuulas.errors import AccessDenied, Conflict
from kuulas.extensions import db
from kuulas.mail.models import OutboxMail
from panel import lifecycle, pool, retention
from panel.invitations import services as invitations
from panel.invitations.models import Invitation
from panel.lifecycle_reasons import reason
from panel.recruitment import schedule, signup
from panel.recruitment.models import Panel
from panel.selection import services as selection

from .helpers import add_volunteers, make_panel

NOW = datetime(2026, 3, 2, 10, 0)          # the frozen clock of every call below
ROLES = ("anonymous", "resident", "moderator", "preparer", "administrator")
# Who holds the staff permission of each action (``panel.rules``: MANAGE and DRAW_RUN).
MAY = {"preparer", "administrator"}


def _publish(panel, actor):
    schedule.publish(panel.id, actor=actor, now=NOW)


def _close_recruitment(panel, actor):
    schedule.close_recruitment_now(panel.id, actor=actor, now=NOW)


def _prepare_draw(panel, actor):
    selection.prepare_draw(panel.id, seed_source="Lotto", actor=actor, now=NOW)


def _replacement_draw(panel, actor):
    selection.replacement_draw(panel.id, actor=actor, now=NOW)


def _close(panel, actor):
    retention.close_panel(panel.id, actor=actor, now=NOW)


STAFF_ACTIONS = {
    lifecycle.PUBLISH: _publish,
    lifecycle.CLOSE_RECRUITMENT: _close_recruitment,
    lifecycle.PREPARE_DRAW: _prepare_draw,
    lifecycle.REPLACE: _replacement_draw,
    lifecycle.CLOSE: _close,
}


def _panel_in(state, staff):
    """A panel brought into ``state`` through the services, as staff would."""
    opens = NOW + timedelta(days=1) if state == lifecycle.SCHEDULED else NOW - timedelta(hours=1)
    panel = make_panel(staff, now=NOW, open_now=state != lifecycle.DRAFT,
                       recruitment_opens_at=opens)
    if state in (lifecycle.DRAFT, lifecycle.SCHEDULED, lifecycle.RECRUITING):
        return panel
    rows = [{"gender": "female" if i % 2 else "male", "age": "young" if i % 3 else "old"}
            for i in range(12)]
    add_volunteers(panel, rows, now=NOW)
    schedule.close_recruitment_now(panel.id, actor=staff, now=NOW)
    if state != lifecycle.RECRUITMENT_CLOSED:
        selection.prepare_draw(panel.id, seed_source="Lotto", actor=staff, now=NOW)
        selection.run_draw(panel.id, seed_value="42", actor=staff, now=NOW)
    if state == lifecycle.CLOSED:
        retention.close_panel(panel.id, actor=staff, now=NOW)
    db.session.commit()
    return panel


def _actor(role, make_staff, make_resident):
    if role == "anonymous":
        return AnonymousUserMixin()     # what a view passes for a visitor (None is the job)
    if role == "resident":
        return make_resident()
    return make_staff(role)


def _outcome(call):
    try:
        call()
    except (AccessDenied, Conflict) as exc:
        return exc
    return None


def test_the_matrix_covers_every_state_and_action():
    assert set(lifecycle.PANEL_ALLOWS) == set(lifecycle.PANEL_STATES)
    assert set(STAFF_ACTIONS) | {lifecycle.REGISTER, lifecycle.SHOW_PUBLIC} == set(lifecycle.PANEL_ACTIONS)
    assert set(lifecycle.INVITATION_ALLOWS) == set(lifecycle.INVITATION_STATES)
    assert set(lifecycle.DRAW_ALLOWS) == set(lifecycle.DRAW_STATES)


@pytest.mark.parametrize("state", lifecycle.PANEL_STATES)
def test_panel_state_role_action(app, make_staff, make_resident, state):
    """For one state: every role × every staff action, each in its own transaction."""
    panel = _panel_in(state, make_staff("preparer"))
    assert db.session.get(Panel, panel.id).phase(NOW) == state
    actors = {role: _actor(role, make_staff, make_resident) for role in ROLES}
    cases = [(role, action) for role in ROLES for action in sorted(STAFF_ACTIONS)]
    assert len(cases) == len(ROLES) * len(STAFF_ACTIONS) == 25

    for role, action in cases:
        outcome = _outcome(lambda: STAFF_ACTIONS[action](panel, actors[role]))
        where = (state, role, action)
        if role not in MAY:                              # access is checked first, always
            assert isinstance(outcome, AccessDenied), where
        elif not lifecycle.panel_allows(state, action):
            assert type(outcome) is Conflict, where
            with force_locale("en"):
                assert str(outcome) == str(reason(lifecycle.panel_why_not(state, action))), where
        else:
            assert outcome is None, where
            row = db.session.get(Panel, panel.id)
            moved = lifecycle.panel_target(state, action) or state
            assert row.state == lifecycle.phase(moved, NOW, row.recruitment_opens_at,
                                                row.recruitment_closes_at), where
        db.session.rollback()


@pytest.mark.parametrize("state", lifecycle.PANEL_STATES)
def test_registration_only_while_recruiting(app, make_staff, state):
    panel = _panel_in(state, make_staff("preparer"))
    outcome = _outcome(lambda: signup.register(
        panel.id, email="uusi@example.fi", display_name="Uusi",
        answers={"gender": "female", "age": "old"}, consent=True, now=NOW))
    if lifecycle.panel_allows(state, lifecycle.REGISTER):
        assert outcome is None
    else:
        assert type(outcome) is Conflict
    db.session.rollback()


def _invitation_links():
    mails = db.session.scalars(select(OutboxMail).where(OutboxMail.category == "panel_invitation")
                               .order_by(OutboxMail.id)).all()
    return [re.search(r"/paneelit/kutsu/(\S+)", m.body_text).group(1) for m in mails]


def _invitation_in(state, make_staff):
    """A drawn panel's invitation brought into ``state`` through the services; its token."""
    staff = make_staff("preparer")
    panel = _panel_in(lifecycle.DRAWN, staff)
    token = _invitation_links()[0]
    if state == lifecycle.I_ACCEPTED:
        invitations.answer(token, accept=True, now=NOW)
    elif state == lifecycle.I_DECLINED:
        invitations.answer(token, accept=False, now=NOW)
    elif state == lifecycle.I_EXPIRED:
        invitations.expire_due(NOW + timedelta(days=panel.invitation_days))
    db.session.commit()
    return token


@pytest.mark.parametrize("state", [s for s in lifecycle.INVITATION_STATES if s != lifecycle.I_WITHDRAWN])
@pytest.mark.parametrize("action", (lifecycle.ANSWER, lifecycle.UNDO_DECLINE))
def test_invitation_state_action(app, make_staff, state, action):
    token = _invitation_in(state, make_staff)
    row = db.session.scalar(select(Invitation).where(Invitation.token_hash == tokens.digest(token)))
    assert row.state == state
    if action == lifecycle.ANSWER:
        call = lambda: invitations.answer(token, accept=True, now=NOW)  # noqa: E731
    else:
        call = lambda: invitations.undo_decline(token, now=NOW)  # noqa: E731
    try:
        call()
        outcome = None
    except invitations.LinkExpired as exc:
        outcome = exc
    except Conflict as exc:
        outcome = exc
    if state == lifecycle.I_EXPIRED:
        # An expired link is refused before anything else, whatever is asked.
        assert isinstance(outcome, invitations.LinkExpired)
    elif lifecycle.invitation_allows(state, action):
        assert outcome is None
        assert db.session.get(Invitation, row.id).state == lifecycle.INVITATION_MOVES[
            "accept" if action == lifecycle.ANSWER else action][1]
    else:
        assert type(outcome) is Conflict
        with force_locale("en"):
            assert str(outcome) == str(reason(lifecycle.invitation_why_not(state, action)))
    db.session.rollback()


def test_a_withdrawn_volunteer_leaves_the_seat_open(app, make_staff):
    """Withdrawn is reached only by withdrawing (the link then no longer finds anyone)."""
    from kuulas.accounts.models import Account
    from panel.recruitment.models import Volunteer

    panel = _panel_in(lifecycle.DRAWN, make_staff("preparer"))
    row = db.session.scalar(select(Invitation).where(Invitation.panel_id == panel.id)
                            .order_by(Invitation.id))
    account = db.session.get(Account, db.session.get(Volunteer, row.volunteer_id).account_id)
    pool.withdraw(panel.id, actor=account, now=NOW)
    db.session.commit()
    assert db.session.get(Invitation, row.id).state == lifecycle.I_WITHDRAWN
    assert lifecycle.is_gap(lifecycle.I_WITHDRAWN)
    assert not lifecycle.invitation_allows(lifecycle.I_WITHDRAWN, lifecycle.ANSWER)


@pytest.mark.parametrize("state", lifecycle.DRAW_STATES)
def test_draw_states(state):
    """The draw's rules, and what the public report lists (never a blocked draw)."""
    class D:
        def __init__(self, s):
            self.state = s
    assert (lifecycle.public_draws([D(state)]) != []) == (state != lifecycle.D_BLOCKED)
    assert lifecycle.draw_allows(state, lifecycle.RUN) == (state != lifecycle.D_DONE)


def test_run_draw_twice_is_refused_with_the_lifecycle_reason(app, make_staff):
    staff = make_staff("preparer")
    panel = _panel_in(lifecycle.DRAWN, staff)
    with pytest.raises(Conflict) as err:
        selection.run_draw(panel.id, seed_value="42", actor=staff, now=NOW)
    with force_locale("en"):
        assert str(err.value) == str(reason(lifecycle.draw_why_not(lifecycle.D_DONE, lifecycle.RUN)))


# --- surveys (``panel.lifecycle.survey``) ---------------------------------------------------
SURVEY = lifecycle.survey


def _survey_in(state, staff):
    """A standing panel's survey brought into ``state`` through the services."""
    from panel.surveys import services as surveys

    from .surveys import helpers

    panel = helpers.standing_panel(staff, now=NOW)
    helpers.join(panel, 1, now=NOW)
    s = helpers.survey(staff, panel, now=NOW)
    if state == SURVEY.SCHEDULED:
        surveys.schedule(s.id, opens_at=NOW + timedelta(days=1), closes_at=NOW + timedelta(days=8),
                         actor=staff, now=NOW)
    elif state in (SURVEY.OPEN, SURVEY.CLOSED):
        helpers.send(staff, s, now=NOW)
        if state == SURVEY.CLOSED:
            surveys.close(s.id, actor=staff, now=NOW)
    db.session.commit()
    return s


def _survey_actions():
    from panel.surveys import services as surveys

    return {
        SURVEY.SCHEDULE: lambda s, a: surveys.schedule(s.id, opens_at=None,
                                                       closes_at=NOW + timedelta(days=7),
                                                       actor=a, now=NOW),
        SURVEY.UNSCHEDULE: lambda s, a: surveys.unschedule(s.id, actor=a, now=NOW),
        SURVEY.CLOSE: lambda s, a: surveys.close(s.id, actor=a, now=NOW),
        SURVEY.DELETE: lambda s, a: surveys.delete_survey(s.id, actor=a, now=NOW),
    }


# Publishing needs five answers; ``tests/panel/surveys`` covers the published state.
@pytest.mark.parametrize("state", [s for s in SURVEY.STATES if s != SURVEY.PUBLISHED])
def test_survey_state_role_action(app, make_staff, make_resident, state):
    from panel.surveys import messages
    from panel.surveys.models import Survey

    s = _survey_in(state, make_staff("preparer"))
    assert db.session.get(Survey, s.id).state == state
    actors = {role: _actor(role, make_staff, make_resident) for role in ROLES}
    actions = _survey_actions()
    cases = [(role, action) for role in ROLES for action in sorted(actions)]
    assert len(cases) == len(ROLES) * 4 == 20

    for role, action in cases:
        outcome = _outcome(lambda: actions[action](s, actors[role]))
        where = (state, role, action)
        if role not in MAY:
            assert isinstance(outcome, AccessDenied), where
        elif not SURVEY.allows(state, action):
            assert type(outcome) is Conflict, where
            with force_locale("en"):
                assert str(outcome) == str(messages.REASONS[SURVEY.why_not(state, action)]), where
        else:
            assert outcome is None, where
            row = db.session.get(Survey, s.id)
            if action == SURVEY.DELETE:
                assert row is None, where
            else:
                expected = SURVEY.target(state, action)
                if action == SURVEY.SCHEDULE:           # "send now": scheduled, then opened at once
                    expected = SURVEY.OPEN
                assert row.state == expected, where
        db.session.rollback()
