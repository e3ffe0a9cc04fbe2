"""Standing panels on PostgreSQL (real foreign keys and cascades): leaving with service use,
a drawn group and idea-round invitations deletes cleanly, and two renewal-job runs at once
send one renewal mail."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from kuulas import scheduler
from kuulas.extensions import db
from kuulas.mail.models import OutboxMail

from .helpers import make_panel
from .test_standing import NOW, catalogue, join

pytestmark = pytest.mark.postgres


@pytest.fixture
def app_config(app_config, postgres_url):
    return dict(app_config, SQLALCHEMY_DATABASE_URI=postgres_url,
                SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 6, "max_overflow": 4})


def test_leave_with_group_and_services_on_postgres(app, make_staff):
    from panel import pool
    from panel.clients.models import ServiceUse
    from panel.recruitment.models import Volunteer
    from panel.selection import services as selection
    from panel.standing import services as standing

    staff = make_staff("preparer")
    panel = make_panel(staff, now=NOW, standing=True, consent_months=12, recruitment_closes_at=None)
    catalogue(staff)
    members = [join(panel, n, services_used=["home_care"]) for n in range(8)]
    group = standing.create_draw_group(panel.id, name_fi="R", name_sv="J", target_size=4,
                                       client_group="home_care", actor=staff, now=NOW)
    db.session.commit()
    selection.prepare_draw(group.id, seed_source="t", actor=staff, now=NOW)
    selection.run_draw(group.id, seed_value="1", actor=staff, now=NOW)
    db.session.commit()
    for m in members:
        pool.leave(m.id, actor=staff, now=NOW)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 0
    assert db.session.scalar(select(func.count()).select_from(ServiceUse)) == 0


def test_parallel_renewal_jobs_send_one_mail(app, make_staff):
    staff = make_staff("preparer")
    panel = make_panel(staff, now=NOW, standing=True, consent_months=12, recruitment_closes_at=None)
    member = join(panel, 1)
    when = member.consent_expires_at - timedelta(days=3)
    db.session.remove()
    barrier = threading.Barrier(2)

    def run():
        barrier.wait()
        with app.app_context():
            from panel.standing import services

            services.send_renewals(when)
            db.session.commit()
    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)
                             .where(OutboxMail.category == "panel_renewal")) == 1
