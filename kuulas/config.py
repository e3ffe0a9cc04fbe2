"""Configuration read from environment variables, with safe defaults.

Never holds a constant secret: without ``SECRET_KEY`` a random key is generated on
first run and kept in ``instance/secret_key`` (readable only by its owner).
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from .retention import from_environment as retention_from_environment


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def instance_secret_key(instance_path: str) -> str:
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: if two processes start at once, one wins and the other reads its key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def from_environment(instance_path: str, env: dict[str, str] | None = None) -> dict:
    env = dict(os.environ if env is None else env)
    mode = env.get("KUULAS_ENV", "production")
    development = mode == "development"
    redis_url = env.get("REDIS_URL") or None
    database_url = env.get("DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "kuulas.sqlite3")
    )
    # Heroku-style URLs name the old driver; we use psycopg 3.
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    return {
        "KUULAS_ENV": mode,
        "SECRET_KEY": env.get("SECRET_KEY") or instance_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # hide_parameters: SQL values (e-mail addresses, voter hashes, messages) never reach
        # an error log; create_app enforces it for any configuration given to it as well.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ENABLED": _bool(env.get("KUULAS_RATELIMIT"), True),
        "SESSION_COOKIE_SECURE": _bool(env.get("KUULAS_SECURE_COOKIES"), not development),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool(env.get("KUULAS_SECURE_COOKIES"), not development),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": int(env.get("KUULAS_SESSION_SECONDS", 8 * 3600)),
        "MAX_CONTENT_LENGTH": int(env.get("KUULAS_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)),
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "SITE_URL": env.get("KUULAS_SITE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "SITE_NAME": env.get("KUULAS_SITE_NAME", "Kuulas"),
        "ORGANISATION_NAME": env.get("KUULAS_ORGANISATION", "Pirkanmaan hyvinvointialue"),
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(env.get("MAIL_PORT", 25)),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS"), False),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL"), False),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "kuulas@localhost"),
        "MAIL_MAX_ATTEMPTS": int(env.get("MAIL_MAX_ATTEMPTS", 8)),
        # embedded: the web process runs the jobs; off: a separate `flask scheduler` does.
        "SCHEDULER_MODE": env.get("KUULAS_SCHEDULER", "embedded"),
        "BABEL_DEFAULT_LOCALE": "fi",
        "BABEL_DEFAULT_TIMEZONE": env.get("KUULAS_TIMEZONE", "Europe/Helsinki"),
        "LANGUAGES": ("fi", "sv", "en"),
        # Retention periods per kind of data (kuulas.retention): a value below its legal
        # minimum raises RetentionConfigError, so the application does not start.
        "RETENTION": retention_from_environment(env),
        "TESTING": False,
    }
