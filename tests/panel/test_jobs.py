"""The panel jobs own no transaction: ``run_job`` commits a run, and a replacement draw that
fails undoes only its own writes (a savepoint), never the expiry done before it."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from kuulas import scheduler
from kuulas.extensions import db
from panel import lifecycle
from panel.invitations.models import Invitation
from panel.recruitment import schedule
from panel.recruitment.models import Panel
from panel.selection import services as selection

from .helpers import add_volunteers, make_panel

NOW = datetime(2026, 3, 2, 10, 0)


def _drawn_panel(staff):
    panel = make_panel(staff, now=NOW)
    add_volunteers(panel, [{"gender": "female" if i % 2 else "male", "age": "young" if i % 3 else "old"}
                           for i in range(12)], now=NOW)
    schedule.close_recruitment_now(panel.id, actor=staff, now=NOW)
    selection.prepare_draw(panel.id, seed_source="Lotto", actor=staff, now=NOW)
    selection.run_draw(panel.id, seed_value="42", actor=staff, now=NOW)
    db.session.commit()
    return panel


def test_a_failing_replacement_draw_keeps_the_expiry_and_undoes_only_itself(app, make_staff,
                                                                             monkeypatch):
    panel = _drawn_panel(make_staff("preparer"))

    def failing_draw(panel_id, *, now, **_kwargs):
        db.session.get(Panel, panel_id).name_fi = "Kesken jäänyt muutos"
        db.session.flush()
        raise RuntimeError("the pool can no longer meet the quotas")

    monkeypatch.setattr(selection, "replacement_draw", failing_draw)
    later = NOW + timedelta(days=panel.invitation_days, hours=1)

    result = scheduler.run_job(app, "panel.invitations", later)

    assert result == {"expired": 4, "replacement_draws": 0, "blocked": 0, "failed": 1}
    db.session.expire_all()
    assert db.session.get(Panel, panel.id).name_fi == "Testipaneeli"
    states = db.session.scalars(select(Invitation.state).where(Invitation.panel_id == panel.id)).all()
    assert states == [lifecycle.I_EXPIRED] * 4


def test_the_recruitment_job_opens_and_closes_by_the_clock(app, make_staff):
    staff = make_staff("preparer")
    panel = make_panel(staff, now=NOW, recruitment_opens_at=NOW + timedelta(hours=1))
    assert panel.state == lifecycle.SCHEDULED

    assert scheduler.run_job(app, "panel.recruitment", NOW + timedelta(hours=2))["opened"] == 1
    db.session.expire_all()
    assert db.session.get(Panel, panel.id).state == lifecycle.RECRUITING
    assert scheduler.run_job(app, "panel.recruitment", NOW + timedelta(days=11))["closed"] == 1
    db.session.expire_all()
    assert db.session.get(Panel, panel.id).state == lifecycle.RECRUITMENT_CLOSED
