"""Server time of a survey results page: 30 questions, 5,000 responses.

    .venv/bin/python benchmarks/surveys_render.py [--postgres] [--renders 15]

``--postgres`` runs on a scratch schema of KUULAS_TEST_POSTGRES_URL (dropped afterwards).

Prints, for the same survey in the same run (the Flask test client, so server time without
the network; goal: under 200 ms):
- baseline: the survey's staff page (same survey, no figures), the cost of any staff page;
- template only: the results page rendered from figures computed beforehand;
- closing: loading 5,000 responses, raking and ~150 weighted estimates, done once when the
  survey closes (its answers can no longer change) and kept with the survey;
- results page: what staff open afterwards (stored figures, labels, SVG charts, tables);
- results page, recomputed: the first view after the population shares changed after
  closing (later views in the same process reuse it).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

QUESTIONS, RESPONSES = 30, 5000


def _timed(fn, n):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))], times[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true",
                        help="run on a scratch schema of KUULAS_TEST_POSTGRES_URL (dropped afterwards)")
    parser.add_argument("--renders", type=int, default=15)
    args = parser.parse_args()
    os.environ.setdefault("KUULAS_INSTANCE", tempfile.mkdtemp())
    from app import create_app

    if args.postgres:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from ideas_common import scratch_schema

        with scratch_schema() as url:
            run(args, url, create_app)
    else:
        run(args, f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3", create_app)


def run(args, url, create_app) -> None:
    from flask import render_template
    from kuulas.accounts import services as accounts
    from kuulas.clock import utcnow
    from kuulas.extensions import db
    from panel.recruitment import services as recruitment
    from panel.surveys import present, report, services
    from panel.surveys.models import Survey, SurveyResponse

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "SCHEDULER_MODE": "off", "SECRET_KEY": "benchmark-secret", "TESTING": False,
                      "SESSION_COOKIE_SECURE": False})
    rng = random.Random(1)
    with app.app_context():
        db.create_all()
        now = utcnow()
        staff = accounts.create_staff("bench@example.fi", ["preparer"], password="benchmark-password-123",
                                      actor=None, now=now)
        panel = recruitment.create_panel(dict(
            name_fi="Pysyvä paneeli", name_sv="Panel", name_en="Panel", description_fi="K", description_sv="B",
            description_en="", kind="resident", target_size=100, recruitment_opens_at=now, recruitment_closes_at=None,
            controller="Hyvinvointialue", retention_days=30, asks_address=False, one_per_household=False,
            invitation_days=7, standing=True, consent_months=24), actor=staff, now=now)
        for key, text in (("gender", "female | 51 | Nainen | Kvinna | Woman\nmale | 49 | Mies | Man | Man"),
                          ("age", "young | 30 | Nuori | Ung | Young\nmiddle | 40 | Keski-ikä | Medel | Middle\n"
                                  "old | 30 | Vanha | Gammal | Old"),
                          ("area", "north | 25 | Pohjoinen | Norr | North\nsouth | 45 | Etelä | Söder | South\n"
                                   "east | 30 | Itä | Öst | East")):
            recruitment.save_feature(panel.id, key=key, label_fi=key, label_sv=key,
                                     categories=recruitment.parse_categories(text), actor=staff, now=now)
        s = services.create_survey(panel.id, titles={"fi": "Suorituskykykysely"}, intros={},
                                   weighting=["gender", "age", "area"], actor=staff, now=now)
        kinds = ["single", "multiple", "scale", "number", "single", "text"]
        for n in range(QUESTIONS):
            kind = kinds[n % len(kinds)]
            services.add_question(s.id, kind=kind, texts={"fi": f"Kysymys {n + 1}"},
                                  options=services.parse_options("A\nB\nC\nD\nE") if kind in ("single", "multiple") else None,
                                  min_value=0 if kind == "number" else None, max_value=100 if kind == "number" else None,
                                  actor=staff, now=now)
        db.session.commit()
        questions = list(s.questions)
        rows = []
        for i in range(RESPONSES):
            cells = {"gender": rng.choice(["female", "male", "male"]), "age": rng.choice(["young", "middle", "old", "old"]),
                     "area": rng.choice(["north", "south", "east", "undisclosed"] if i % 9 else ["north"])}
            answers = {}
            for q in questions:
                if rng.random() < 0.1:
                    continue
                if q.kind == "single":
                    answers[str(q.id)] = rng.choice("12345")
                elif q.kind == "multiple":
                    answers[str(q.id)] = sorted(rng.sample("12345", rng.randint(1, 3)))
                elif q.kind == "scale":
                    answers[str(q.id)] = rng.randint(1, 5)
                elif q.kind == "number":
                    answers[str(q.id)] = rng.randint(0, 100)
                else:
                    answers[str(q.id)] = "Vapaa vastaus"
            rows.append({"key": f"{i:064x}", "survey_id": s.id, "cells": cells, "answers": answers, "submitted": True,
                         "started_on": now.date(), "updated_on": now.date()})
        db.session.execute(SurveyResponse.__table__.insert(), rows)
        db.session.execute(db.update(Survey).where(Survey.id == s.id).values(
            state="open", recipient_count=8000, sent_at=now, closes_at=now))
        db.session.commit()
        sid, panel_id = s.id, panel.id
        from panel.surveys import sending

        def close_once():
            db.session.execute(db.update(Survey).where(Survey.id == sid).values(state="open"))
            survey = db.session.get(Survey, sid)
            sending.close_survey(survey, now=now)
            db.session.commit()

        closing = _timed(close_once, max(3, args.renders // 3))

    client = app.test_client()
    client.post("/kirjaudu/henkilosto", data={"email": "bench@example.fi", "password": "benchmark-password-123"})
    assert client.get(f"/hallinta/kyselyt/{sid}").status_code == 200

    def staff_page():
        assert client.get(f"/hallinta/kyselyt/{sid}").status_code == 200

    def results_page():
        r = client.get(f"/hallinta/kyselyt/{sid}/tulokset")
        assert r.status_code == 200, r.status_code

    with app.test_request_context():
        from flask_login import login_user
        from kuulas.accounts.models import Account

        login_user(db.session.scalar(db.select(Account)))
        survey = db.session.get(Survey, sid)
        from panel.recruitment.models import Panel

        data = present.labelled(survey, report.compute(survey), db.session.get(Panel, panel_id), "fi")
        from panel.surveys import charts, lifecycle, messages
        from panel.surveys.forms import ActionForm

        def template_only():
            render_template("panel/surveys/results.html", survey=survey, data=data, charts=charts,
                            action_form=ActionForm(), lifecycle=lifecycle, states=messages.STATE_LABELS)

        tmpl = _timed(template_only, args.renders)

    def recomputed():
        with app.app_context():
            db.session.execute(db.update(Survey).where(Survey.id == sid).values(figures_key="stale"))
            db.session.commit()
        report._RECOMPUTED.clear()
        results_page()

    base = _timed(staff_page, args.renders)
    page = _timed(results_page, args.renders)
    again = _timed(recomputed, max(3, args.renders // 3))
    print(f"survey results page, {QUESTIONS} questions x {RESPONSES} responses, "
          f"{'PostgreSQL' if args.postgres else 'SQLite'} ({args.renders} renders each)")
    for label, (median, p90, low) in (("baseline: the survey's staff page (no figures)", base),
                                      ("template only (figures computed beforehand)", tmpl),
                                      ("closing: load 5,000 responses, rake, estimate", closing),
                                      ("results page (figures kept from closing)", page),
                                      ("results page, recomputed (shares changed; once per process)", again)):
        print(f"  {label:55s} median {median:7.1f} ms  p90 {p90:7.1f} ms  min {low:7.1f} ms")
    print(f"  goal: results page under 200 ms -> {'met' if page[0] < 200 else 'NOT met'}")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
