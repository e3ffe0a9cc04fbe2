"""The visibility query, its filters (year via EXTRACT) and the guarded scheduled
publication on the real PostgreSQL server."""
from datetime import timedelta

import pytest

pytestmark = pytest.mark.postgres


@pytest.fixture
def app_config(app_config, postgres_url):
    return {**app_config, "SQLALCHEMY_DATABASE_URI": postgres_url}


def test_visibility_filters_and_scheduled_publication_on_postgres(app, client, make_outcome, preparer):
    from kuulas.extensions import db
    from kuulas.scheduler import run_job
    from .conftest import services
    from deliberation.outcomes.models import Outcome

    from .conftest import NOW

    shown, later, hidden = make_outcome(), make_outcome(kind="ideas", points=[]), make_outcome()
    services.publish(shown.id, actor=preparer, now=NOW)
    services.publish(later.id, at=NOW + timedelta(hours=1), actor=preparer, now=NOW)
    assert [o.id for o in services.list_public(year=2026)] == [shown.id]
    assert services.list_public(year=2025) == [] and services.public_years() == [2026]
    assert run_job(app, "outcomes.publish_due", NOW + timedelta(hours=2)) == {"published": 1}
    db.session.expire_all()
    assert {o.id for o in services.list_public()} == {shown.id, later.id}
    assert [o.id for o in services.list_public(kind="ideas")] == [later.id]
    assert services.count_public(status="awaiting") == 2 and services.count_public(status="decided") == 0
    assert client.get(f"/api/v1/outcomes/{hidden.id}").status_code == 404
    assert db.session.get(Outcome, hidden.id).state == "draft"
