"""Security headers and the session-cookie baseline.

The Content Security Policy allows no inline script or style at all: every script and
stylesheet is a file under ``static/``, so the policy needs no ``unsafe-inline`` and
no nonce.  Pages for signed-in users are never cached by the browser or a proxy.
"""
from __future__ import annotations

from flask import request
from flask_login import current_user

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; media-src 'self'; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def base_headers(secure: bool) -> list[tuple[str, str]]:
    """The headers every response carries, whoever produced it."""
    headers = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    ]
    if secure:
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    return headers


class SecurityHeadersMiddleware:
    """Adds the base headers to responses that do not pass through Flask's
    ``after_request``: Flask-SocketIO answers ``/socket.io/`` (the Engine.IO handshake and
    long-polling) in its own WSGI middleware, in front of Flask.  Headers a response
    already has are left alone, so Flask's own answers are unchanged."""

    def __init__(self, wsgi_app, secure: bool):
        self.wsgi_app = wsgi_app
        self.headers = base_headers(secure)

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _value in headers}
            headers = list(headers) + [(n, v) for n, v in self.headers if n.lower() not in present]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return self.wsgi_app(environ, start)


def init_app(app) -> None:
    # Outermost layer (Socket.IO's middleware is already in place): every answer gets the
    # headers, including the ones Flask never sees.
    app.wsgi_app = SecurityHeadersMiddleware(app.wsgi_app, app.config["SESSION_COOKIE_SECURE"])

    @app.after_request
    def _headers(response):
        h = response.headers
        for name, value in base_headers(app.config["SESSION_COOKIE_SECURE"]):
            h.setdefault(name, value)
        if request.endpoint != "static" and getattr(current_user, "is_authenticated", False):
            h["Cache-Control"] = "no-store"
        return response
