"""The indicators as pure functions over plain data, against figures worked out by hand,
including the edge cases: nobody took part, a process spanning two years, one person in
three processes."""
from __future__ import annotations

from datetime import date

import pytest

from deliberation.participation import indicators as ind


def P(kind="ideas", id=1, opened=date(2026, 2, 1), closed=date(2026, 3, 1), **kw):
    return ind.ProcessRecord(kind=kind, id=id, title=f"{kind} {id}", opened=opened, closed=closed, **kw)


def test_a_year_computed_by_hand():
    processes = [
        P("ideas", 1, participants=120, invited=None, ideas=40, votes=900, tvd=0.20, published=True,
          published_on=date(2026, 3, 21), points=4, points_assessed=3, adopted=1, partly=1, not_adopted=1,
          follow_ups=2, staff_hours=40.0, costs_eur=1200.0, channels=("web", "social"), reached=3000),
        P("raati", 2, participants=20, invited=400, tvd=0.10, published=True, published_on=date(2026, 3, 11),
          points=2, points_assessed=2, adopted=2, staff_hours=60.5, channels=("mail", "web")),
        P("survey", 3, participants=90, invited=300),                     # no outcome yet
        P("ideas", 4, opened=date(2025, 3, 1), closed=date(2025, 4, 1), participants=999),   # last year
    ]
    data = ind.YearData(year=2026, processes=processes,
                        experience=[("ideas", {"say": 5, "heard": 4, "use": None, "again": 5})] * 5,
                        feedback_received=30, feedback_due=20, feedback_on_time=15, service_changes=2,
                        unique_participants=210)
    v = ind.compute(data)
    assert v["processes_run"] == 3
    assert v["participants_total"] == 230
    assert v["unique_participants"] == 210
    assert v["invitations_sent"] == 700
    assert v["response_rate"] == pytest.approx((20 + 90) / 700)
    assert v["representativeness_tvd"] == pytest.approx(0.15)           # median of 0.20 and 0.10
    assert v["staff_hours"] == pytest.approx(100.5) and v["costs_eur"] == 1200.0
    assert v["channels_used"] == 3
    assert v["share_with_outcome"] == pytest.approx(2 / 3)
    assert v["days_to_publication"] == 15                              # median of 20 and 10 days
    assert v["feedback_on_time"] == 0.75
    assert v["share_points_with_impact"] == pytest.approx(5 / 6)
    assert v["share_adopted"] == pytest.approx(4 / 5)                  # 3 adopted + 1 partly of 5 assessed
    assert (v["points_adopted"], v["points_partly"], v["points_not_adopted"]) == (3, 1, 1)
    assert v["follow_ups"] == 2 and v["service_changes"] == 2
    assert v["experience_score"] == 4.67                               # mean of 5, 4, 5 over five answers
    assert v["ideas_total"] == 40 and v["votes_total"] == 900


def test_a_year_with_nobody_gives_no_divisions_by_zero():
    v = ind.compute(ind.YearData(year=2030))
    assert v["processes_run"] == 0
    for key in ("response_rate", "share_with_outcome", "days_to_publication", "feedback_on_time",
                "share_points_with_impact", "share_adopted", "experience_score", "representativeness_tvd",
                "participants_total", "staff_hours"):
        assert v[key] is None, key


def test_a_process_spanning_two_years_counts_once_in_the_year_it_closed():
    spanning = P("ideas", 9, opened=date(2025, 12, 10), closed=date(2026, 1, 20), participants=50)
    running = P("raati", 10, opened=date(2026, 12, 1), closed=None, participants=12)
    assert ind.compute(ind.YearData(year=2025, processes=[spanning, running]))["participants_total"] is None
    v = ind.compute(ind.YearData(year=2026, processes=[spanning, running]))
    assert v["processes_run"] == 2 and v["participants_total"] == 62


def test_experience_below_five_answers_is_not_shown():
    few = [("raati", {"say": 2, "heard": 2, "use": 2, "again": 2})] * 4
    assert ind.compute(ind.YearData(year=2026, experience=few))["experience_score"] is None
    rows = ind.experience_results(few)
    assert rows and all(r["suppressed"] and r["mean"] is None and r["n"] is None for r in rows)
    many = few + [("ideas", {"say": 5, "heard": None, "use": 4, "again": 3})]
    rows = {r["question"]: r for r in ind.experience_results(many)}
    assert rows["say"]["n"] == 5 and rows["say"]["mean"] == pytest.approx(2.6)
    assert rows["heard"]["suppressed"]                                   # only four answered it
    # Cells of 4 and 1 are hidden together (they hold 5 people between them).
    assert rows["say"]["distribution"] == {1: 0, 2: None, 3: 0, 4: 0, 5: None}


@pytest.mark.parametrize("key,value,ok", [
    ("share_with_outcome", 0.8, True), ("share_with_outcome", 1.2, False), ("share_with_outcome", -0.1, False),
    ("experience_score", 4.5, True), ("experience_score", 0.5, False), ("experience_score", 6, False),
    ("participants_total", 500, True), ("participants_total", -1, False),
])
def test_targets_must_lie_in_the_indicators_range(key, value, ok):
    if ok:
        assert ind.check_target(key, value) == value
    else:
        with pytest.raises(ind.OutOfRange):
            ind.check_target(key, value)


def test_met_respects_the_direction_of_the_indicator():
    assert ind.met("participants_total", 600, 500) is True
    assert ind.met("days_to_publication", 40, 30) is False        # lower is better
    assert ind.met("days_to_publication", 20, 30) is True
    assert ind.met("participants_total", None, 500) is None
