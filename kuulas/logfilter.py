"""No network address in any log line about anonymous participation.

Areas declare the public paths (and rate-limit key prefixes) of their anonymous pages with
:func:`protect`; one filter, installed on the web, limiter, Socket.IO and server loggers
and on the root handlers, replaces IPv4 and IPv6 addresses in every record that is about
such a page.  Must never log anything itself.
"""
from __future__ import annotations

import logging
import re

from flask import has_request_context, request

_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
LOGGERS = ("werkzeug", "flask-limiter", "flask_limiter", "kuulas.ideas", "engineio.server",
           "socketio.server", "gunicorn.access", "gunicorn.error")

_PATHS: set[str] = set()
_MARKERS: set[str] = set()


def scrub(text: str) -> str:
    return _IPV6.sub("-", _IPV4.sub("-", text))


def protect(*paths: str, markers: tuple[str, ...] = ()) -> None:
    """Treat requests under ``paths`` (and log text containing ``markers``) as anonymous."""
    _PATHS.update(paths)
    _MARKERS.update(f" {p}" for p in paths)
    _MARKERS.update(markers)


class AnonymousAccessFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - leave malformed records to logging itself
            return True
        about = has_request_context() and any(request.path.startswith(p) for p in _PATHS)
        if about or any(m in message for m in _MARKERS):
            record.msg, record.args = scrub(message), ()
        return True


_FILTER = AnonymousAccessFilter()


def install(app) -> None:
    for logger in [logging.getLogger(n) for n in LOGGERS] + [app.logger]:
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    # Handlers too, so records propagated from child loggers are covered when they print.
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
