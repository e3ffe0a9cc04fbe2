"""Panel trust (audit issue, item 1): no sensitive data per person, every public count
suppressed."""
from __future__ import annotations

from sqlalchemy import select

from kuulas.clock import utcnow
from kuulas.extensions import db
from panel.recruitment import services

from .helpers import make_panel


# --- item 1: no sensitive data per person, every public count suppressed ---------------

def test_public_report_and_composition_hide_small_cells_and_sensitive_features(app, client, make_staff):
    from panel.invitations.models import Invitation
    from panel.selection import report, services as selection
    from panel.selection.models import Draw

    staff = make_staff("preparer")
    panel = make_panel(staff, open_now=False)
    services.save_feature(panel.id, key="service", label_fi="Palvelujen käyttö", label_sv="Tjänster",
                          sensitive=True, categories=services.parse_categories("yes | 30\nno | 70"),
                          actor=staff, now=utcnow())
    services.publish(panel.id, actor=staff, now=utcnow())
    now = utcnow()
    for i in range(12):
        services.register(panel.id, email=f"s{i}@example.fi", display_name=f"S{i}",
                          answers={"gender": "female" if i % 2 else "male",
                                   "age": "young" if i % 3 else "old",
                                   "service": "yes" if i % 4 == 0 else "no"},
                          consent=True, sensitive_consent=True, now=now, channel="paper",
                          confirmed=True)
    services.close_recruitment_now(panel.id, actor=staff, now=now)
    selection.prepare_draw(panel.id, seed_source="x", actor=staff, now=now)
    selection.run_draw(panel.id, seed_value="3", actor=staff, now=now)
    db.session.commit()
    # The full file carries the sensitive column (auditor only); the public one no value.
    draw = db.session.scalar(select(Draw))
    assert "service" in draw.people_csv.splitlines()[0]
    pool = client.get(f"/paneelit/{panel.id}/arvonta/1/pooli.csv").get_data(as_text=True)
    assert "yes" not in pool and "service" not in pool
    # Draw report: a panel of 4 has every drawn count under 5: all hidden, quota met shown.
    rows = report.public_categories(draw.report)
    assert rows and all(r["achieved"] is None for r in rows) and all(r["met"] for r in rows)
    # One acceptance: the members' composition must not show that person's profile.
    first = db.session.scalars(select(Invitation).order_by(Invitation.id)).first()
    first.state = "accepted"
    db.session.commit()
    composition = report.composition_rows(panel, "en")
    assert {f["feature"] for f in composition} == {"gender", "age"}
    assert all(f["categories"] for f in composition)
    assert all(c["count"] is None and c["share"] is None
               for f in composition for c in f["categories"])
    client.set_cookie("kuulas_lang", "en")
    page = client.get(f"/paneelit/{panel.id}/arvonta").get_data(as_text=True)
    assert "Members compared with the population" in page
    assert "Palvelujen" not in page.split("Members compared with the population")[1]



def test_public_probability_counts_are_suppressed():
    from panel.selection import report

    summary = report.public_probabilities({"probabilities": {
        "count": 40, "zero": 2, "min": 0.0, "median": 0.1, "max": 0.2, "zero_reasons": {},
        "blocking": [{"code": "quota_min_too_high", "params": {}, "people": 1},
                     {"code": "quota_max_too_low", "params": {}, "people": 7}]}})
    assert summary["count"] == 40 and summary["zero"] is None
    assert [b["people"] for b in summary["blocking"]] == [None, 7]
