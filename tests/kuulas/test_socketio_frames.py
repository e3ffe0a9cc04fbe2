"""kuulas.socketio_frames: a broadcast's websocket frame is built once and written straight to
each recipient's socket, in order, without blocking on a slow reader."""
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


class Sock:
    """A TCP socket whose kernel buffer takes ``take`` bytes per non-blocking send (then
    would block); ``sendall`` (the flusher, which may wait) takes everything."""

    def __init__(self, take=10_000, fail=False):
        self.take, self.fail, self.out, self.shut = take, fail, bytearray(), False

    def send(self, data, flags=0, timeout=None):
        assert timeout == 0.0  # the direct write never waits
        if self.fail:
            raise BrokenPipeError()
        if self.take == 0:
            raise BlockingIOError()
        self.out += bytes(data[:self.take])
        return min(self.take, len(data))

    def sendall(self, data):
        self.out += bytes(data)

    def shutdown(self, how):
        self.shut = True


def test_framed_send_writes_the_frame_and_the_rest_of_a_partial_write():
    from engineio.async_drivers import gevent as driver

    from kuulas import socketio_frames

    class WS:
        closed = False

        def __init__(self, sock):
            self.handler = type("H", (), {"socket": sock})()

    cls = socketio_frames._framed_class(driver._async["websocket"])
    text = "42/raati,[\"event\",{\"seq\":7}]"
    for take in (10_000, 3, 0):
        sock = Sock(take)
        wrapper = cls.__new__(cls)
        wrapper._sock = WS(sock)
        wrapper.send(text)
        wrapper._wire.drain(5)
        assert bytes(sock.out) == socketio_frames.frame(text)
        wrapper.send(b"\x01\x02")  # binary data: a binary frame, after the text
        wrapper._wire.drain(5)
        assert bytes(sock.out) == socketio_frames.frame(text) + b"\x82\x02\x01\x02"


def test_wire_keeps_the_order_when_the_kernel_takes_only_part():
    """What the kernel did not take waits for the flusher greenlet; frames written in the
    meantime queue behind it instead of being written into the middle of it."""
    import gevent

    from kuulas.socketio_frames import Wire

    sock = Sock(take=5)
    wire = Wire(sock)
    assert wire.write(b"first-frame")
    assert bytes(sock.out) == b"first"           # the rest waits; the writer did not block
    assert wire.write(b"second") and wire.write(b"third")
    assert bytes(sock.out) == b"first"           # behind the pending rest, not into it
    gevent.sleep(0)                               # the flusher runs
    wire.drain(5)
    assert bytes(sock.out) == b"first-framesecondthird"
    assert wire.flusher is None and not wire.pending
    assert wire.write(b"!")                      # nothing pending: straight to the socket again
    assert bytes(sock.out).endswith(b"third!")


def test_wire_that_fails_shuts_the_socket_and_takes_nothing_more():
    from kuulas.socketio_frames import Wire

    sock = Sock(fail=True)
    wire = Wire(sock)
    assert wire.write(b"x") is False
    assert wire.dead and sock.shut
    sock.fail = False
    assert wire.write(b"y") is False and bytes(sock.out) == b""


class EioSocket:
    """The parts of an engineio ``Socket`` the direct path reads."""

    def __init__(self):
        from gevent.queue import JoinableQueue

        self.queue = JoinableQueue()
        self.upgraded, self.upgrading, self.alive = True, False, True
        self.queued = []

    def send(self, pkt):  # engineio's own: onto the queue for the writer greenlet
        self.queued.append(pkt)

    def check_ping_timeout(self):
        return self.alive


def _direct():
    from kuulas.socketio_frames import Wire, _send_directly

    eio, sock = EioSocket(), Sock()
    _send_directly(eio, Wire(sock))
    return eio, sock


def test_a_broadcast_message_is_framed_once_and_written_straight_to_each_socket():
    from engineio import packet

    from kuulas import socketio_frames

    pkt = packet.Packet(packet.MESSAGE, data='2/raati,["event",{"seq":1}]')
    (a, sock_a), (b, sock_b) = _direct(), _direct()
    a.send(pkt)
    b.send(pkt)
    expected = socketio_frames.frame('42/raati,["event",{"seq":1}]')
    assert bytes(sock_a.out) == bytes(sock_b.out) == expected
    assert pkt._kuulas_frame is not None and a.queued == b.queued == []


def test_other_packets_and_messages_behind_queued_ones_go_through_the_queue():
    """Pings, binary data, a socket still being upgraded from polling, and any message while
    the writer has something queued keep Engine.IO's path, so nothing overtakes."""
    from engineio import packet

    eio, sock = _direct()
    ping = packet.Packet(packet.PING)
    binary = packet.Packet(packet.MESSAGE, data=b"\x00")
    eio.send(ping)
    eio.send(binary)
    assert eio.queued == [ping, binary] and sock.out == b""

    msg = packet.Packet(packet.MESSAGE, data="2/raati,[\"x\"]")
    eio.queue.put(ping)                       # the writer has not taken it yet
    eio.send(msg)
    assert eio.queued[-1] is msg and sock.out == b""
    eio.queue.get()
    eio.upgrading = True
    eio.send(msg)
    assert eio.queued[-1] is msg and sock.out == b""
    eio.upgrading, eio.alive = False, False   # the ping timed out: the socket is closing
    eio.send(msg)
    assert sock.out == b""
    eio.alive = True
    eio.send(msg)
    assert bytes(sock.out).endswith(b'42/raati,["x"]')


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


def test_close_waits_for_the_flusher_and_then_gives_up_on_a_reader_that_stopped():
    from engineio.async_drivers import gevent as driver

    from kuulas import socketio_frames

    class WS:
        closed = False

        def close(self):
            self.closed = True

    cls = socketio_frames._framed_class(driver._async["websocket"])
    for stalled in (False, True):
        sock = Sock(take=2)
        wrapper = cls.__new__(cls)
        wrapper._sock = WS()
        wrapper._wire = socketio_frames.Wire(sock)
        wrapper._wire.write(b"frame")
        if stalled:
            wrapper._wire.flusher.kill()  # a flusher that never got the rest out
            wrapper._wire.pending.append(b"more")
        wrapper.close()
        assert wrapper._sock.closed
        if stalled:
            assert wrapper._wire.dead and sock.shut and not wrapper._wire.pending
        else:
            assert bytes(sock.out) == b"frame" and not sock.shut  # written out before the close
