"""Following on the real PostgreSQL server: opt-in, digest once per week (two runners at
once queue one mail), one-click unsubscribe and the expiry job's NOT EXISTS delete."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

pytestmark = pytest.mark.postgres


@pytest.fixture
def app_config(app_config, postgres_url):
    return {**app_config, "SQLALCHEMY_DATABASE_URI": postgres_url}


def test_follow_digest_and_unsubscribe_on_postgres(app, client, published_outcome, preparer):
    from kuulas.extensions import db
    from kuulas.scheduler import run_job
    from deliberation.follow import digest
    from deliberation.follow.models import Follow, FollowAddress
    from deliberation.outcomes import services as outcomes

    from .conftest import BEFORE, MONDAY, follow_mails, link, path_of

    client.post(f"/seuraa/outcome/{published_outcome.id}", data={"follow-email": "pg@example.fi"})
    client.post(f"/seuraa/outcome/{published_outcome.id}", data={"follow-email": "ei.vahvista@example.fi"})
    mail = follow_mails("pg@example.fi")[-1]
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert client.post(path_of(link(mail, "/seuraa/vahvista/"))).status_code == 200
    outcomes.record_decision(published_outcome.id, body="Aluehallitus", meeting_date="2026-12-03",
                             impacts={"section-1": ("adopted", "Toteutetaan.")}, notify=False,
                             actor=preparer, now=MONDAY - timedelta(days=1))
    db.session.commit()

    # Two runners at the same moment (the lease is bypassed on purpose): one mail.
    results, barrier = [], threading.Barrier(2)

    def runner():
        with app.app_context():
            barrier.wait()
            results.append(digest.send_digests(MONDAY))
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [0, 1]
    db.session.remove()
    assert len(follow_mails("pg@example.fi")) == 2          # confirmation + one digest
    assert run_job(app, "follow.digest", MONDAY) == 0

    # The unconfirmed request expires with its address; the confirmed one stays.
    assert run_job(app, "follow.expire", BEFORE + timedelta(days=30)) == 1
    assert db.session.scalar(select(func.count()).select_from(FollowAddress)) == 1
    unsubscribe = follow_mails("pg@example.fi")[-1].headers["List-Unsubscribe"].strip("<>")
    assert app.test_client().post(path_of(unsubscribe), data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(FollowAddress)) == 0
    assert db.session.scalar(select(func.count()).select_from(Follow)) == 0
    assert follow_mails() == []
