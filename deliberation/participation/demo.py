"""Demo data: targets for this year, staff hours and costs of the finished processes, and
experience answers after the closed idea round and the finished digiraati."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from kuulas.demo import seeder
from kuulas.extensions import db

from . import collect, services
from .models import ExperienceAnswer


@seeder(55, "participation")
def seed_participation(now, rng, out):
    from kuulas.accounts.models import Account

    preparer = db.session.scalar(select(Account).where(Account.email == "valmistelija@example.fi"))
    if preparer is None:
        return
    for key, value in (("participants_total", "500"), ("share_with_outcome", "80"), ("experience_score", "4"),
                       ("share_adopted", "50"), ("feedback_on_time", "90"), ("days_to_publication", "30")):
        services.set_target(now.year, key, value, actor=preparer, now=now)
    for n, p in enumerate(collect.processes()):
        if p.kind in ("ideas", "raati"):
            services.save_inputs(p.kind, p.id, staff_hours=str(40 + 15 * n), costs_eur=f"{1200 + 350 * n},00",
                                 channels=["web", "mail", "social"], invited=300 if p.kind == "raati" else None,
                                 reached=2500, area="elderly", actor=preparer, now=now)
            for _ in range(rng.randint(8, 14)):
                db.session.add(ExperienceAnswer(
                    process_kind=p.kind, process_id=p.id, year=now.year,
                    answered_on=(now - timedelta(days=rng.randint(1, 20))).date(),
                    say=rng.choice((3, 4, 4, 5, 5)), heard=rng.choice((2, 3, 4, 4, 5)), use=rng.choice((2, 3, 3, 4)),
                    again=rng.choice((4, 5, 5)), better="", language="fi"))
    out.append("participation: targets, process inputs and experience answers (/osallisuus)")
