"""Asking to follow sends mail to an address someone typed: limited per network address."""
import pytest

from .conftest import follow_mails


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATELIMIT_ENABLED": True}


def test_asking_is_rate_limited_per_network_address(client, published_outcome):
    codes = [client.post(f"/seuraa/outcome/{published_outcome.id}",
                         data={"follow-email": f"tulva{n}@example.fi"}).status_code for n in range(11)]
    assert codes[:10] == [302] * 10 and codes[10] == 429
    assert len(follow_mails()) == 10
    assert client.get(f"/seuraa/outcome/{published_outcome.id}").status_code == 200   # reading is not limited
