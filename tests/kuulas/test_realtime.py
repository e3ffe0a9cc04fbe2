"""kuulas.realtime: one Origin check for every Socket.IO namespace, and registering a
namespace on the current server."""
from __future__ import annotations

import pytest
from flask_socketio import Namespace

from kuulas import realtime
from kuulas.extensions import socketio


def _ok(app, origin, host="localhost"):
    headers = {} if origin is None else {"Origin": origin}
    with app.test_request_context("/", base_url=f"http://{host}", headers=headers):
        return realtime.origin_ok()


def test_own_site_and_request_host_are_allowed(app):
    app.config["SITE_URL"] = "https://kuulas.example.fi"
    assert _ok(app, "https://kuulas.example.fi") is True
    assert _ok(app, "HTTPS://Kuulas.Example.FI/") is True          # case and a trailing slash
    assert _ok(app, "http://localhost") is True                    # the host the request came to
    assert _ok(app, "http://127.0.0.1:5001", host="127.0.0.1:5001") is True


@pytest.mark.parametrize("origin", ["https://evil.example", "https://kuulas.example.fi.evil.example",
                                    "http://kuulas.example.fi", "https://kuulas.example.fi:8443", "null", "*"])
def test_other_sites_are_refused(app, origin):
    app.config["SITE_URL"] = "https://kuulas.example.fi"
    assert _ok(app, origin) is False


def test_a_client_without_origin_is_not_a_browser_and_is_allowed(app):
    assert _ok(app, None) is True


def test_configured_extra_origins_as_a_string_or_a_list(app):
    app.config["SITE_URL"] = "https://kuulas.example.fi"
    app.config["SOCKETIO_ALLOWED_ORIGINS"] = "https://kiosk.example.fi/"
    assert _ok(app, "https://kiosk.example.fi") is True
    app.config["SOCKETIO_ALLOWED_ORIGINS"] = ["https://a.example.fi", "https://b.example.fi"]
    assert _ok(app, "https://b.example.fi") is True
    assert _ok(app, "https://kiosk.example.fi") is False


def test_a_wildcard_allows_no_other_site(app):
    """``"*"`` loosens CORS headers only; the Origin check still wants one of ours."""
    app.config["SITE_URL"] = "https://kuulas.example.fi"
    for extra in ("*", ["*"]):
        app.config["SOCKETIO_ALLOWED_ORIGINS"] = extra
        assert _ok(app, "https://evil.example") is False
        assert _ok(app, "*") is False
        assert _ok(app, "https://kuulas.example.fi") is True


def test_allowed_origins_lists_every_source(app):
    app.config["SITE_URL"] = "https://kuulas.example.fi"
    app.config["SOCKETIO_ALLOWED_ORIGINS"] = ["https://a.example.fi/"]
    with app.test_request_context("/", base_url="http://localhost:5000"):
        assert realtime.allowed_origins() == {"https://kuulas.example.fi", "http://localhost:5000",
                                              "https://a.example.fi"}


class _Echo(Namespace):
    def on_connect(self, auth=None):
        return realtime.origin_ok()

    def on_echo(self, data=None):
        return {"echo": data}


def test_register_namespace_on_the_current_server(app):
    ns = realtime.register_namespace(_Echo, "/realtime-test")
    assert isinstance(ns, _Echo) and socketio.server.namespace_handlers["/realtime-test"] is ns
    client = socketio.test_client(app, namespace="/realtime-test")
    assert client.is_connected("/realtime-test")
    assert client.emit("echo", "hei", namespace="/realtime-test", callback=True) == {"echo": "hei"}
    client.disconnect(namespace="/realtime-test")
    evil = socketio.test_client(app, namespace="/realtime-test", headers={"Origin": "https://evil.example"})
    assert not evil.is_connected("/realtime-test")
