"""Rate limits per participant and per address (in memory here; Redis in production), with
keys that are keyed hashes, never raw tokens or addresses."""
from __future__ import annotations

import pytest


@pytest.fixture
def app_config(app_config):
    return dict(app_config, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")


def test_writing_is_limited_per_participant(app, open_round, participant_client):
    from kuulas.extensions import limiter

    limiter.reset()
    a = participant_client(open_round.id)
    codes = [a.post(f"/ideariihi/{open_round.id}/ideat", data={"text": f"Idea numero {n}"}).status_code
             for n in range(8)]
    assert codes[:6] == [302] * 6 and codes[6] == 429
    # another participant behind the same address is not blocked by a's limit
    b = participant_client(open_round.id)
    assert b.post(f"/ideariihi/{open_round.id}/ideat", data={"text": "Toisen osallistujan idea"}).status_code == 302
    limiter.reset()
