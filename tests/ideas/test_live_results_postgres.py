"""The live results on PostgreSQL: the vote matrix is read with a window function (voters
numbered by the database), so the same tests run there too."""
from __future__ import annotations

import pytest

from tests.ideas.test_live_results import (  # noqa: F401  (collected here with PostgreSQL)
    test_closed_round_results_draw_the_final_map, test_each_participant_sees_only_their_own_position)

pytestmark = pytest.mark.postgres


@pytest.fixture
def app_config(app_config, postgres_url):
    return dict(app_config, SQLALCHEMY_DATABASE_URI=postgres_url)
