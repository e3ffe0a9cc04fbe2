"""Rate limits on sign-in and on anything that sends mail (in memory here; Redis in
test_redis.py)."""
import pytest


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATELIMIT_ENABLED": True}


def test_sign_in_is_rate_limited(client):
    statuses = [client.post("/kirjaudu/henkilosto", data={"email": "x@example.fi", "password": "wrong password"},
                            headers={"Accept-Language": "en"}).status_code for _ in range(11)]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    page = client.post("/kirjaudu/henkilosto", data={"email": "x@example.fi", "password": "x"},
                       headers={"Accept-Language": "en"})
    assert "Too many attempts" in page.get_data(as_text=True)


def test_link_requests_are_limited_per_address(client, make_resident):
    make_resident("limit@example.fi")
    codes = [client.post("/kirjaudu", data={"email": "limit@example.fi"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    # Another address from the same client is still served.
    assert client.post("/kirjaudu", data={"email": "other@example.fi"}).status_code == 200
