"""The standing pool API (panel.pool): members, service filter, cells, leaving."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from kuulas.accounts.models import Account
from kuulas.errors import AccessDenied
from kuulas.extensions import db
from panel import pool
from panel.clients.models import Service, ServiceUse
from panel.recruitment import services
from panel.recruitment.models import UNDISCLOSED, Answer, Volunteer

from .helpers import make_panel

NOW = datetime(2026, 3, 1, 12, 0)


def standing_panel(staff, **extra):
    return make_panel(staff, now=NOW, standing=True, consent_months=12,
                      recruitment_closes_at=None, **extra)


def join(panel, n, *, now=NOW, sensitive=False, email=None):
    volunteer, token = services.register(
        panel.id, email=email or f"m{n}@example.fi", display_name=f"Jäsen {n}",
        answers={"gender": "female" if n % 2 else "male", "age": "young"}, consent=True,
        sensitive_consent=sensitive, now=now)
    services.confirm(token, now=now)
    db.session.commit()
    return volunteer


def add_services(*keys):
    out = {}
    for position, key in enumerate(keys):
        s = Service(key=key, name_fi=key, position=position)
        db.session.add(s)
        out[key] = s
    db.session.flush()
    return out


def test_add_months_clamps_the_day():
    assert pool.add_months(datetime(2026, 1, 31, 8), 1) == datetime(2026, 2, 28, 8)
    assert pool.add_months(datetime(2026, 11, 15), 14) == datetime(2028, 1, 15)


def test_standing_panel_needs_no_closing_date_but_others_do(app, make_staff):
    staff = make_staff("preparer")
    panel = standing_panel(staff)
    assert panel.recruiting(NOW + timedelta(days=3650))
    from kuulas.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        make_panel(staff, now=NOW, recruitment_closes_at=None)


def test_confirmation_sets_the_consent_period_and_members_excludes_expired(app, make_staff):
    staff = make_staff("preparer")
    panel = standing_panel(staff)
    a = join(panel, 1)
    assert a.consent_expires_at == datetime(2027, 3, 1, 12, 0)
    b = join(panel, 2, now=NOW + timedelta(days=40))
    pending, _token = services.register(panel.id, email="p@example.fi", display_name="P",
                                        answers={}, consent=True, now=NOW)
    db.session.commit()
    assert [v.id for v in pool.members(panel.id, now=NOW + timedelta(days=41))] == [a.id, b.id]
    later = datetime(2027, 3, 2)
    assert [v.id for v in pool.members(panel.id, now=later)] == [b.id]
    assert pool.member_for_account(a.account_id, panel.id).id == a.id
    assert pool.member_for_account(a.account_id, panel.id, now=later) is None
    assert pool.member_for_account(pending.account_id, panel.id) is None


def test_service_filter_needs_the_separate_consent(app, make_staff):
    staff = make_staff("preparer")
    panel = standing_panel(staff)
    catalogue = add_services("home_care", "family_doctor")
    with_consent = join(panel, 1, sensitive=True)
    without = join(panel, 2)
    other = join(panel, 3, sensitive=True)
    db.session.add_all([ServiceUse(volunteer_id=with_consent.id, service_id=catalogue["home_care"].id),
                        # a stray row without consent must not count
                        ServiceUse(volunteer_id=without.id, service_id=catalogue["home_care"].id),
                        ServiceUse(volunteer_id=other.id, service_id=catalogue["family_doctor"].id)])
    db.session.commit()
    assert [v.id for v in pool.members(panel.id, now=NOW, service_keys=["home_care"])] == [with_consent.id]
    assert {v.id for v in pool.members(panel.id, now=NOW, service_keys=["home_care", "family_doctor"])} \
        == {with_consent.id, other.id}
    assert pool.members(panel.id, now=NOW, service_keys=[]) == []
    assert pool.member_cells(with_consent, ["gender", "shoe", "service:home_care"]) == {
        "gender": "female", "shoe": UNDISCLOSED, "service:home_care": "yes"}
    assert pool.member_cells(other, ["service:home_care"]) == {"service:home_care": "no"}
    assert pool.member_cells(without, ["service:home_care"]) == {"service:home_care": UNDISCLOSED}


def test_leave_deletes_row_answers_service_use_and_unused_account(app, make_staff):
    staff = make_staff("preparer")
    panel = standing_panel(staff)
    catalogue = add_services("home_care")
    member = join(panel, 1, sensitive=True)
    db.session.add(ServiceUse(volunteer_id=member.id, service_id=catalogue["home_care"].id))
    db.session.commit()
    seen = []
    pool.on_leave(lambda volunteer, now: seen.append((volunteer.pseudonym, now)))
    account = db.session.get(Account, member.account_id)
    pseudonym, member_id, account_id = member.pseudonym, member.id, account.id
    pool.leave(member_id, actor=account, now=NOW)
    db.session.commit()
    assert (pseudonym, NOW) in seen
    assert db.session.get(Volunteer, member_id) is None
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    assert db.session.scalar(select(func.count()).select_from(ServiceUse)) == 0
    assert db.session.get(Account, account_id) is None


def test_leave_keeps_an_account_that_is_used_elsewhere(app, make_staff):
    staff = make_staff("preparer")
    panel = standing_panel(staff)
    other = make_panel(staff, now=NOW)
    member = join(panel, 1)
    join(other, 1)      # the same person in another panel
    pool.leave(member.id, actor=staff, now=NOW)      # a preparer may remove a member
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Volunteer)
                             .where(Volunteer.email == "m1@example.fi")) == 1
    assert db.session.scalar(select(Account).where(Account.email == "m1@example.fi")) is not None


def test_someone_else_cannot_remove_a_member(app, make_staff, make_resident):
    staff = make_staff("preparer")
    panel = standing_panel(staff)
    member = join(panel, 1)
    from flask_babel import force_locale

    with force_locale("en"), pytest.raises(AccessDenied):
        pool.leave(member.id, actor=make_resident(), now=NOW)
    with force_locale("en"), pytest.raises(AccessDenied):
        pool.leave(member.id, actor=make_staff("moderator"), now=NOW)
