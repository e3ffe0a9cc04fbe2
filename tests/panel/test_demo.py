"""The panel demo seeder: a recruiting panel and a finished panel drawn by the engine."""
from __future__ import annotations

import csv
import io
import random

from sqlalchemy import select

from kuulas.clock import utcnow
from kuulas.demo import seed_staff
from kuulas.extensions import db


def test_demo_panels(app, client):
    from panel import api
    from panel.demo import seed_panels
    from panel.recruitment.models import Panel
    from panel.selection import engine
    from panel.selection.models import Draw

    now, out = utcnow(), []
    seed_staff(now, random.Random(1), out)
    seed_panels(now, random.Random(1), out)
    db.session.commit()
    panels = db.session.scalars(select(Panel).order_by(Panel.id)).all()
    assert [p.state for p in panels] == ["recruiting", "drawn"]
    done = panels[1]
    members = api.accepted_members(done.id)
    assert len(members) == done.target_size == 12
    assert all(m["account_id"] for m in members)
    assert {"id": done.id, "name": done.name_fi} in api.panels_with_members()
    draws = db.session.scalars(select(Draw).where(Draw.panel_id == done.id)
                               .order_by(Draw.number)).all()
    assert [d.kind for d in draws] == ["initial", "replacement"]
    last = draws[-1]
    # The stored result is exactly what the engine gives for the published files.
    again = engine.run(last.people_csv, last.quotas_csv, last.size, last.seed_value,
                       forced_csv=last.forced_csv, excluded_csv=last.excluded_csv)
    assert again.selected == last.selected
    people = {r["id"]: r for r in csv.DictReader(io.StringIO(last.people_csv))}
    for q in csv.DictReader(io.StringIO(last.quotas_csv)):
        n = sum(1 for pid in last.selected if people[pid][q["feature"]] == q["value"])
        assert int(q["min"]) <= n <= int(q["max"]), q
    assert client.get(f"/paneelit/{done.id}/arvonta").status_code == 200
