"""Languages: Finnish by default, Swedish and English complete.

The user's choice is kept in a cookie (and on their account when signed in); otherwise
the browser's Accept-Language decides.  Each area keeps its own catalogue under
``translations/<area>/`` and Flask-Babel merges them.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, g, has_request_context, make_response, redirect,
                   request)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from . import formats
from .i18n_tools import AREAS

ROOT = Path(__file__).resolve().parent.parent
COOKIE = "kuulas_lang"
LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}

bp = Blueprint("i18n", __name__)


def translation_directories() -> str:
    return ";".join(str(ROOT / "translations" / area) for area in AREAS)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # a job or CLI command: the default, unless force_locale
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    forced = getattr(g, "force_lang", None)
    if forced in languages:
        return forced
    chosen = request.cookies.get(COOKIE)
    if chosen in languages:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False):
        if current_user.locale in languages:
            return current_user.locale
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site relative paths: no open redirects via //evil.example or schemes."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return default
    return target


@bp.get("/kieli/<code>")
def switch(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404, description=str(_l("Unknown language.")))
    response = make_response(redirect(safe_next(request.args.get("next"))))
    response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
    if getattr(current_user, "is_authenticated", False):
        from .web import attempt

        def remember():
            current_user.locale = code

        attempt(remember)
    return response


# --- dates, times and numbers for the current reader ------------------------------------
# Pages and mails (rendered under force_locale) go through these; exports and jobs call
# ``kuulas.formats`` directly with a locale.  The conventions are documented there.

def reader_locale(locale: str | None = None) -> str:
    """The one answer to "which language": ``locale`` when it is one of fi/sv/en, else the
    reader's (``select_locale``), else Finnish (outside a request and an app)."""
    if locale in formats.LOCALES:
        return locale
    return formats.normalise(get_locale())


def _tz() -> str:
    return current_app.config.get("BABEL_DEFAULT_TIMEZONE") or formats.DEFAULT_TZ


def site_zone():
    """The site's time zone (``BABEL_DEFAULT_TIMEZONE``, Europe/Helsinki by default)."""
    return formats.zone(_tz())


def to_local(value):
    """Stored naive UTC -> naive wall-clock time in the site's zone (form fields)."""
    return formats.to_local(value, _tz())


def to_utc(value):
    """A wall-clock time in the site's zone (a form field) -> stored naive UTC."""
    return formats.to_utc(value, _tz())


def parse_local(text):
    """``'2026-05-01T09:00'`` in the site's zone -> naive UTC; None when malformed."""
    return formats.parse_local(text, _tz())


def format_date(value, format: str = "medium") -> str:  # noqa: A002 (flask_babel's name)
    return formats.format_date(value, format, locale=reader_locale(), tz=_tz())


def format_time(value, format: str = "short") -> str:  # noqa: A002 (flask_babel's name)
    return formats.format_time(value, format, locale=reader_locale(), tz=_tz())


def format_datetime(value, format: str = "short") -> str:  # noqa: A002 (flask_babel's name)
    return formats.format_datetime(value, format, locale=reader_locale(), tz=_tz())


def format_decimal(value, format: str | None = None) -> str:  # noqa: A002
    return formats.format_number(value, format, locale=reader_locale())


def format_percent(value, format: str | None = None) -> str:  # noqa: A002
    return formats.format_percent(value, format, locale=reader_locale())


def client_patterns() -> dict:
    return formats.client_patterns(reader_locale(), _tz())


def init_app(app) -> None:
    from .extensions import babel

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", translation_directories())
    babel.init_app(app, locale_selector=select_locale)
    app.register_blueprint(bp)

    @app.context_processor
    def _i18n_helpers():
        return {
            "current_locale": lambda: str(get_locale() or "fi"),
            "language_names": LANGUAGE_NAMES,
            "format_date": format_date,
            "format_datetime": format_datetime,
            "format_decimal": format_decimal,
            "format_percent": format_percent,
            "format_time": format_time,
            "time_patterns": client_patterns,
        }

    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_time, "time")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_decimal, "number")
    app.add_template_filter(format_percent, "percent")
    app.add_template_filter(formats.iso, "iso")
