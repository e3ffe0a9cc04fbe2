"""kuulas.socketio_frames: a broadcast's websocket frame is built once and written whole."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_frame_is_what_gevent_websocket_would_send(size):
    from geventwebsocket.websocket import Header, WebSocket

    from kuulas import socketio_frames

    text = ("42/raati,[\"event\",{\"body\":\"ä€😀" * (size // 20 + 1))[:size]
    payload = text.encode("utf-8")
    expected = bytes(Header.encode_header(True, WebSocket.OPCODE_TEXT, b"", len(payload), 0)) + payload
    assert socketio_frames.frame(text) == expected
    assert socketio_frames.frame(text) == expected  # again, from the cache


def test_framed_send_writes_the_frame_and_the_rest_of_a_partial_write():
    from engineio.async_drivers import gevent as driver

    from kuulas import socketio_frames

    class Sock:
        def __init__(self, take):
            self.take, self.out = take, bytearray()

        def send(self, data):
            self.out += bytes(data[:self.take])
            return min(self.take, len(data))

        def sendall(self, data):
            self.out += bytes(data)

    class WS:
        closed = False

        def __init__(self, sock):
            self.handler = type("H", (), {"socket": sock})()

    cls = socketio_frames._framed_class(driver._async["websocket"])
    for take in (10_000, 3):
        sock = Sock(take)
        wrapper = cls.__new__(cls)
        wrapper._sock = WS(sock)
        wrapper.send("42/raati,[\"event\",{\"seq\":7}]")
        assert bytes(sock.out) == socketio_frames.frame("42/raati,[\"event\",{\"seq\":7}]")


def test_install_only_on_gevent_websocket_servers():
    from kuulas import socketio_frames

    class Eio:
        async_mode = "threading"
        _async = {"websocket": object}

    server = type("S", (), {"eio": Eio()})()
    assert socketio_frames.install(server) is False
    assert server.eio._async["websocket"] is object
    server.eio.async_mode = "gevent"
    assert socketio_frames.install(server) is True
    assert server.eio._async["websocket"].__name__ == "FramedWebSocketWSGI"
