"""Cheaper websocket writes for Socket.IO on gevent + gevent-websocket (production).

A broadcast to a room of 300 sends the same Engine.IO text to 300 sockets.  python-socketio
already encodes the packet once, but then each socket's writer builds its own websocket
frame (UTF-8 encode, header, concatenation) and writes it with gevent's ``sendall``, which
asks the kernel for the socket's send buffer size (a ``getsockopt`` system call) on every
write.  Here each distinct text is framed once (a small cache of the last texts, so every
recipient of a broadcast after the first reuses the bytes) and written with one ``send``,
falling back to ``sendall`` only for what the kernel did not take.  Server frames are never
masked, so the bytes are the same for every recipient.

Nothing changes for other servers (threading, simple-websocket): ``install`` does nothing.
"""
from __future__ import annotations

_CACHE_LIMIT = 64          # distinct texts remembered; a broadcast's recipients hit the same one
_CACHE_MAX_TEXT = 16_384   # larger texts (a sync reply) go to one socket: not worth keeping
_frames: dict[str, bytes] = {}


def frame(text: str) -> bytes:
    """One final, unmasked text frame (RFC 6455 5.2) carrying ``text``."""
    cached = _frames.get(text)
    if cached is not None:
        return cached
    payload = text.encode("utf-8")
    n = len(payload)
    if n < 126:
        header = bytes((0x81, n))
    elif n < 65536:
        header = b"\x81\x7e" + n.to_bytes(2, "big")
    else:
        header = b"\x81\x7f" + n.to_bytes(8, "big")
    data = header + payload
    if len(text) <= _CACHE_MAX_TEXT:
        if len(_frames) >= _CACHE_LIMIT:
            _frames.clear()
        _frames[text] = data
    return data


def _framed_class(base):
    from geventwebsocket.exceptions import WebSocketError
    from geventwebsocket.websocket import MSG_SOCKET_DEAD

    class FramedWebSocketWSGI(base):
        """engineio's gevent-websocket wrapper whose text sends use ``frame``."""

        def send(self, message):
            ws = self._sock
            if ws.closed or not isinstance(message, str):
                return super().send(message)  # binary, or the library's own closed handling
            data = frame(message)
            sock = ws.handler.socket
            try:
                sent = sock.send(data)
                if sent < len(data):
                    sock.sendall(memoryview(data)[sent:])
            except OSError:
                ws.current_app.on_close(MSG_SOCKET_DEAD)
                raise WebSocketError(MSG_SOCKET_DEAD) from None

    return FramedWebSocketWSGI


def install(server) -> bool:
    """Use the framed writer on this python-socketio ``server`` if it runs on gevent with
    gevent-websocket; return whether it did."""
    eio = getattr(server, "eio", None)
    if eio is None or eio.async_mode != "gevent":
        return False
    from engineio.async_drivers import gevent as driver

    base = driver._async.get("websocket")
    if getattr(driver, "SimpleWebSocketWSGI", None) is not None or base is None:
        return False  # simple-websocket fallback: leave it alone
    eio._async = dict(eio._async, websocket=_framed_class(base))
    return True
