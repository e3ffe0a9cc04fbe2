"""Panel trust (audit issue, items 19 and 20): an infeasible replacement draw waits for
staff with the engine's relaxation, the pool view names a shortfall, the demo always builds."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kuulas.clock import utcnow
from kuulas.extensions import db
from panel.recruitment import services
from panel.recruitment.models import Volunteer

from .helpers import add_volunteers, make_panel, text


# --- item 20: an infeasible replacement draw waits for staff instead of failing ---------

def test_infeasible_replacement_draw_offers_the_engines_relaxation(app, client, login, make_staff):
    from kuulas import scheduler
    from panel.invitations.models import Invitation
    from panel.selection import services as selection
    from panel.selection.models import Draw

    staff = make_staff("preparer")
    panel = make_panel(staff, size=2)
    add_volunteers(panel, [{"gender": "female", "age": "young"}] + [{"gender": "male", "age": "old"}] * 3)
    now = utcnow()
    services.close_recruitment_now(panel.id, actor=staff, now=now)
    selection.save_quotas(panel.id, {("gender", "female"): (1, 1), ("gender", "male"): (1, 1),
                                     ("age", "young"): (0, 2), ("age", "old"): (0, 2)},
                          actor=staff, now=now)
    selection.prepare_draw(panel.id, seed_source="x", actor=staff, now=now)
    selection.run_draw(panel.id, seed_value="7", actor=staff, now=now)
    db.session.commit()
    people = {v.pseudonym: v.values() for v in db.session.scalars(select(Volunteer))}
    declined = next(i for i in db.session.scalars(select(Invitation))
                    if people[i.pseudonym]["gender"] == "female")
    declined.state, declined.answered_at = "declined", now - timedelta(hours=25)
    db.session.commit()
    # The job does not fail: the draw waits for staff, with the quota that cannot be kept.
    result = scheduler.run_job(app, "panel.invitations", now + timedelta(minutes=1))
    assert result["blocked"] == 1 and result["failed"] == 0
    blocked = selection.blocked_draw(panel.id)
    assert blocked is not None and blocked.number == 2
    changes = blocked.report["relaxation"]["changes"]
    assert {(c["code"], c["params"]["value"]) for c in changes} >= {("quota_min_too_high", "female")}
    scheduler.run_job(app, "panel.invitations", now + timedelta(minutes=2))
    assert db.session.scalar(select(func.count()).select_from(Draw)) == 2
    # Nothing of the blocked draw is public yet.
    assert client.get(f"/paneelit/{panel.id}/arvonta/2/kiintiot.csv").status_code == 404
    login(staff)
    client.set_cookie("kuulas_lang", "en")
    page = client.get(f"/hallinta/paneelit/{panel.id}/kutsut").get_data(as_text=True)
    assert "cannot keep every quota" in page and "lower the minimum by 1" in page
    proposal = blocked.report["relaxation"]["quotas_csv"]
    confirm = client.post(f"/hallinta/paneelit/{panel.id}/korvaava-arvonta", data={"quotas": proposal})
    assert confirm.status_code == 200 and "cannot be undone" in confirm.get_data(as_text=True)
    assert selection.blocked_draw(panel.id) is not None
    done = client.post(f"/hallinta/paneelit/{panel.id}/korvaava-arvonta",
                       data={"quotas": proposal, "confirm": "yes"})
    assert done.status_code == 302
    db.session.expire_all()
    draw = db.session.scalar(select(Draw).where(Draw.panel_id == panel.id, Draw.number == 2))
    assert draw.state == "done" and len(draw.selected) == 2 and draw.quotas_csv == proposal
    assert declined.pseudonym not in draw.selected
    assert client.get(f"/paneelit/{panel.id}/arvonta/2/kiintiot.csv").get_data(as_text=True) == proposal


def test_demo_seeder_succeeds_on_several_seeds(app):
    """`flask demo` must not end in a traceback for any seed (the replacement draw of the
    demo used to be infeasible for some pools)."""
    import random

    from kuulas.demo import seed_staff
    from panel.demo import seed_panels
    from panel.selection.models import Draw

    for seed in (1, 40, 2026):   # 40: its replacement draw cannot keep every quota
        db.drop_all()
        db.create_all()
        out = []
        seed_staff(utcnow(), random.Random(seed), out)
        seed_panels(utcnow(), random.Random(seed), out)
        db.session.commit()
        assert [d.state for d in db.session.scalars(select(Draw).order_by(Draw.number))] == ["done", "done"]



# --- item 19: the pool view names a shortfall ------------------------------------------

def test_pool_view_names_a_shortfall_even_when_seats_can_be_filled(app, make_staff):
    staff = make_staff("preparer")
    panel = make_panel(staff, size=4)
    # 31 % young against 40 % of the population: 9 points short, yet 11 young volunteers
    # are more than the 2 seats (+2 margin) need.
    add_volunteers(panel, [{"gender": "male", "age": "young"}] * 11 + [{"gender": "female", "age": "old"}] * 24)
    view = services.pool_view(panel.id, actor=staff, now=utcnow())
    young = next(c for f in view["features"] if f["key"] == "age" for c in f["categories"]
                 if c["value"] == "young")
    assert young["status"] == "under" and young["short"]



def test_make_demo_on_a_fresh_clone_builds_the_venv_before_the_translations(tmp_path):
    """`make demo` on a fresh clone: the translations are compiled with the venv's Python,
    so the venv (and the package's dependencies) must come first."""
    import shutil
    import subprocess
    from pathlib import Path

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    root = Path(__file__).resolve().parents[2]
    venv = tmp_path / "fresh-venv"
    lines = subprocess.run(["make", "-n", "demo", f"VENV={venv}"], cwd=root, check=True,
                           capture_output=True, text=True).stdout.splitlines()
    step = lambda text: next(i for i, line in enumerate(lines) if text in line)
    assert step("-m venv") < step("pip install --quiet -e .") < step("i18n_tools compile") < step("db upgrade")
