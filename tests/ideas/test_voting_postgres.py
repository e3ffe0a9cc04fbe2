"""The lean vote path on PostgreSQL, where the vote, the round's share lock and the deal are
one SQL statement: the tests of test_voting.py against the real database."""
from __future__ import annotations

import pytest

from tests.ideas.test_voting import *  # noqa: F401,F403  (the same tests, collected again here)

pytestmark = pytest.mark.postgres


@pytest.fixture
def app_config(app_config, postgres_url):
    return dict(app_config, SQLALCHEMY_DATABASE_URI=postgres_url)
