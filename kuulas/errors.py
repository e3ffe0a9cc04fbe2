"""Domain exceptions and the one place that turns them (and HTTP errors) into pages.

Services raise these; views, Socket.IO handlers, the CLI and jobs translate them.
``reason`` is a lazily translated string, so the same exception reads right in
Finnish, Swedish or English wherever it surfaces.
"""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class KuulasError(Exception):
    """Base for expected, user-facing failures.  ``code`` is stable and machine-readable."""

    status = 400
    code = "error"

    def __init__(self, reason=None, *, code: str | None = None, **params):
        self.reason = reason if reason is not None else _l("The request could not be completed.")
        if code:
            self.code = code
        self.params = params
        super().__init__(str(self.code))

    def __str__(self) -> str:  # the translated reason, for flashes and logs
        try:
            return str(self.reason) % self.params if self.params else str(self.reason)
        except (KeyError, TypeError, ValueError):
            return str(self.reason)


class AccessDenied(KuulasError):
    status = 403
    code = "access_denied"


class NotFound(KuulasError):
    status = 404
    code = "not_found"


class ValidationFailed(KuulasError):
    status = 400
    code = "invalid"


class Conflict(KuulasError):
    status = 409
    code = "conflict"


TITLES = {
    400: _l("The request was not understood"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("That action is not allowed here"),
    409: _l("The request conflicts with the current state"),
    413: _l("The upload is too large"),
    429: _l("Too many requests"),
    500: _l("Something went wrong on our side"),
}

EXPLANATIONS = {
    400: _l("Please check what you sent and try again."),
    403: _l("Sign in with an account that has the right role, or ask an administrator."),
    404: _l("The address may be mistyped, or the page has been removed or is not yet published."),
    405: _l("Go back and use the page's own buttons."),
    409: _l("Reload the page to see the current state and try again."),
    413: _l("Files may be at most %(mb)s MB. Choose a smaller file."),
    429: _l("Please wait a moment before trying again."),
    500: _l("The error has been logged. Please try again in a moment."),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def error_response(status: int, detail: str | None = None):
    from flask import current_app

    mb = current_app.config.get("MAX_CONTENT_LENGTH", 0) // (1024 * 1024)
    title = TITLES.get(status, TITLES[500])
    explanation = EXPLANATIONS.get(status, EXPLANATIONS[500])
    explanation = str(explanation) % {"mb": mb} if status == 413 else str(explanation)
    if wants_json():
        return jsonify({"error": str(title), "detail": detail or explanation}), status
    return (
        render_template("errors/error.html", status=status, title=title,
                        detail=detail, explanation=explanation),
        status,
    )


def init_app(app) -> None:
    @app.errorhandler(KuulasError)
    def _domain_error(exc: KuulasError):
        return error_response(exc.status, str(exc))

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        return error_response(
            400, str(_l("The form expired or was sent from elsewhere. Reload the page and try again.")))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        detail = None
        if status == 429:
            detail = str(_l("Too many attempts. Please wait a moment before trying again."))
        elif exc.description and exc.description != type(exc).description:
            detail = str(exc.description)  # a specific, translated reason given with abort()
        return error_response(status, detail)

    from sqlalchemy.exc import DataError, IntegrityError

    @app.errorhandler(IntegrityError)
    def _integrity_error(exc):
        # Two requests creating the same thing at once: the user's conflict, not a 500.
        # Logged without the statement's parameters (they may hold personal data).
        from .extensions import db

        db.session.rollback()
        app.logger.warning("Integrity conflict on %s %s: %s", request.method, request.path,
                           type(exc.orig).__name__)
        return error_response(409, str(_l(
            "This could not be saved because it conflicts with something saved at the same "
            "moment (for example a double click). Check the page and try again.")))

    @app.errorhandler(DataError)
    def _data_error(exc):
        from .extensions import db

        db.session.rollback()
        app.logger.warning("Value out of range on %s %s: %s", request.method, request.path,
                           type(exc.orig).__name__)
        return error_response(400, str(_l("A value in the request is out of range or not allowed.")))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        from .extensions import db

        db.session.rollback()
        return error_response(500)
