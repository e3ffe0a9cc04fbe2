"""Socket.IO helpers shared by every area's namespace: the handshake's Origin check and the
registration of a namespace on the current server.

Request hooks (CSRF, rate limits) do not run for Socket.IO events, so a namespace checks
the Origin itself: browsers always send it on a websocket or XHR handshake, and a page on
another site carrying our cookies is refused (cross-site websocket hijacking).  Our own
origins are the configured ``SITE_URL``, the host the request came to, and
``SOCKETIO_ALLOWED_ORIGINS`` (a string or a list; ``"*"`` adds nothing here, it only
loosens the CORS headers).  A client without an Origin is not a browser and carries no
victim's cookies, so a missing Origin is allowed.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins() -> set[str]:
    """The origins a handshake of this request may come from (needs a request context)."""
    origins = set()
    for url in (current_app.config.get("SITE_URL"), request.host_url):
        if url:
            origins.add(_origin_of(url))
    extra = current_app.config.get("SOCKETIO_ALLOWED_ORIGINS")
    if isinstance(extra, str) and extra != "*":
        origins.add(extra.rstrip("/").lower())
    elif isinstance(extra, (list, tuple)):
        origins.update(o.rstrip("/").lower() for o in extra if isinstance(o, str) and o != "*")
    return origins


def origin_ok() -> bool:
    """True unless the request carries an Origin that is not one of ours."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return origin.rstrip("/").lower() in allowed_origins()


def register_namespace(ns_class, path: str):
    """Register ``ns_class(path)`` on the *current* Socket.IO server and return it.
    ``socketio.init_app`` builds a new server for every ``create_app`` (tests build many),
    so an area's ``init_app`` calls this every time."""
    from .extensions import socketio

    ns = ns_class(path)
    ns._set_socketio(socketio)
    socketio.server.register_namespace(ns)
    return ns
