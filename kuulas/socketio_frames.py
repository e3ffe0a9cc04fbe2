"""Cheaper websocket writes for Socket.IO on gevent + gevent-websocket (production).

A broadcast to a room of 300 sends the same Engine.IO packet to 300 sockets.  python-socketio
encodes the packet once; python-engineio then puts it on each socket's queue, and each
socket's writer greenlet wakes up (a greenlet switch and the queue's bookkeeping per
recipient), encodes it and writes it through gevent-websocket, which builds its own
websocket frame and writes with ``sendall``.  That machinery cost more than the write itself.

Here, once a socket talks websocket:

* each packet's websocket frame is built once (kept on the packet, and a small cache of the
  last texts for packets built per recipient), since server frames are never masked and the
  bytes are the same for every recipient;
* a text message packet is written straight to the recipient's TCP socket by whoever sends
  it, with one non-blocking ``send``, when nothing is waiting in the socket's Engine.IO queue;
* what the kernel does not take at once waits in the socket's ``Wire`` and a flusher
  greenlet writes it; later packets queue behind it, so a slow reader never blocks the
  broadcast to the others and nothing is reordered;
* everything else (the handshake, pings, the close packet, binary data, and any message
  while the queue holds something) goes through Engine.IO's queue and writer as before;
  the writer writes through the same ``Wire``, so the order of the bytes stays the order in
  which the packets were sent.

Nothing changes for other servers (threading, simple-websocket): ``install`` does nothing.
"""
from __future__ import annotations

import collections
import socket as _socket

_CACHE_LIMIT = 64          # distinct texts remembered; a broadcast's recipients hit the same one
_CACHE_MAX_TEXT = 16_384   # larger texts (a sync reply) go to one socket: not worth keeping
_FLUSH_ON_CLOSE_SECONDS = 10.0
_frames: dict[str, bytes] = {}


def _header(opcode: int, n: int) -> bytes:
    if n < 126:
        return bytes((0x80 | opcode, n))
    if n < 65536:
        return bytes((0x80 | opcode, 126)) + n.to_bytes(2, "big")
    return bytes((0x80 | opcode, 127)) + n.to_bytes(8, "big")


def frame(text: str) -> bytes:
    """One final, unmasked text frame (RFC 6455 5.2) carrying ``text``."""
    cached = _frames.get(text)
    if cached is not None:
        return cached
    payload = text.encode("utf-8")
    data = _header(0x1, len(payload)) + payload
    if len(text) <= _CACHE_MAX_TEXT:
        if len(_frames) >= _CACHE_LIMIT:
            _frames.clear()
        _frames[text] = data
    return data


def binary_frame(data) -> bytes:
    """One final, unmasked binary frame carrying ``data``."""
    data = bytes(data)
    return _header(0x2, len(data)) + data


class Wire:
    """Ordered writes of whole frames to one TCP socket (gevent) without blocking the writer.

    ``write`` tries one non-blocking ``send``; the rest of a partial write, and every frame
    written while the flusher is busy, waits in order for the flusher greenlet, which writes
    all that is waiting at once (a reader that fell behind gets one large write rather than
    one per frame).  A failed write marks the wire dead and shuts the socket down, so the
    websocket's reader ends and Engine.IO closes the session as it does when its own writer
    fails."""

    __slots__ = ("sock", "pending", "flusher", "dead")

    def __init__(self, sock):
        self.sock = sock
        self.pending: collections.deque = collections.deque()
        self.flusher = None  # set while a flusher greenlet owns the socket's write side
        self.dead = False

    def write(self, data: bytes) -> bool:
        if self.dead:
            return False
        if self.flusher is not None:
            self.pending.append(data)
            return True
        try:
            sent = self.sock.send(data, 0, 0.0)  # timeout 0: never wait here
        except BlockingIOError:
            sent = 0
        except OSError:
            self._die()
            return False
        if sent < len(data):
            self.pending.append(memoryview(data)[sent:] if sent else data)
            self._start_flusher()
        return True

    def _start_flusher(self) -> None:
        import gevent

        self.flusher = gevent.spawn(self._flush)

    def _flush(self) -> None:
        try:
            while self.pending and not self.dead:
                if len(self.pending) == 1:
                    chunk = self.pending.popleft()
                else:
                    chunk = b"".join(self.pending)
                    self.pending.clear()
                self.sock.sendall(chunk)  # waits for the reader; writers go on appending
        except OSError:
            self._die()
        finally:
            self.flusher = None

    def drain(self, timeout: float) -> None:
        """Wait (up to ``timeout``) until what is pending has been written."""
        flusher = self.flusher
        if flusher is not None:
            flusher.join(timeout)

    def _die(self) -> None:
        self.dead = True
        self.pending.clear()
        try:
            self.sock.shutdown(_socket.SHUT_RDWR)
        except OSError:
            pass


def _send_directly(eio_socket, wire: Wire) -> None:
    """Make this Engine.IO socket write text message packets straight to ``wire``."""
    from engineio.packet import MESSAGE

    queued = eio_socket.send  # the class's own send: the queue and the writer greenlet
    queue = eio_socket.queue

    def send(pkt):
        if (pkt.packet_type != MESSAGE or pkt.binary or queue.qsize()
                or not eio_socket.upgraded or eio_socket.upgrading):
            return queued(pkt)
        if not eio_socket.check_ping_timeout():
            return None
        data = pkt.__dict__.get("_kuulas_frame")
        if data is None:
            data = pkt._kuulas_frame = frame(pkt.encode())  # a broadcast frames it once
        wire.write(data)
        return None

    eio_socket.send = send


def _framed_class(base):
    from geventwebsocket.exceptions import WebSocketError
    from geventwebsocket.websocket import MSG_SOCKET_DEAD

    class FramedWebSocketWSGI(base):
        """engineio's gevent-websocket wrapper: writes go through one ``Wire`` per socket,
        and the Engine.IO socket it serves writes its messages to that wire directly."""

        _wire = None

        def __call__(self, environ, start_response):
            ws = environ.get("wsgi.websocket")
            owner = getattr(self.app, "__self__", None)  # the engineio Socket of the handler
            direct = ws is not None and hasattr(owner, "queue") and hasattr(owner, "check_ping_timeout")
            if ws is not None:
                self._wire = Wire(ws.handler.socket)
                if direct:
                    _send_directly(owner, self._wire)
            try:
                return super().__call__(environ, start_response)
            finally:
                if direct:
                    owner.__dict__.pop("send", None)

        def _wire_of(self):
            wire = self._wire
            if wire is None:  # built without __call__ (tests): the socket behind the websocket
                wire = self._wire = Wire(self._sock.handler.socket)
            return wire

        def send(self, message):
            ws = self._sock
            if ws.closed:
                return super().send(message)  # the library's own closed handling
            data = frame(message) if isinstance(message, str) else binary_frame(message)
            if not self._wire_of().write(data):
                ws.current_app.on_close(MSG_SOCKET_DEAD)
                raise WebSocketError(MSG_SOCKET_DEAD)

        def close(self):
            wire = self._wire
            if wire is not None:
                wire.drain(_FLUSH_ON_CLOSE_SECONDS)
                if wire.flusher is not None or wire.pending:  # the reader stopped: give up
                    wire._die()
            return super().close()

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
