"""Logs must not link people to what they did.

Three leaks are closed here, for every logger (the application's, the areas', Werkzeug's,
gunicorn's, Socket.IO's), because the redaction happens when a log record is created:

- SQL parameters: every engine runs with ``hide_parameters`` (see :func:`engine_options`),
  so an error's text carries the statement but never the values (a voter hash next to a
  vote, an e-mail next to a pseudonym, a chat message next to its member);
- database messages: a database error's own message can quote values too (PostgreSQL's
  ``DETAIL: Key (email)=(...)``, ``invalid input syntax ... "..."``); the traceback of a
  database error is written with the message withheld, keeping type, statement and frames;
- one-time links: a request line such as ``GET /kirjaudu/linkki/<token>`` in an access
  log would let whoever reads the log sign in; the secret part of every route that takes
  a ``<token>`` or a ``<code>`` (kiosk activation; not the language switch) is replaced
  by ``[token]``.

Must never drop a record: a log line that cannot be redacted is left as it was rather
than lost.
"""
from __future__ import annotations

import logging
import re
import traceback

_TOKEN_PREFIXES: set[str] = set()
# URL arguments that carry a one-time secret (sign-in links, set-password, invitations,
# kiosk activation codes); endpoints whose argument of that name is public are listed.
SECRET_ARGUMENTS = ("token", "code")
PUBLIC_ENDPOINTS = {"i18n.switch"}   # /kieli/<code>: a language code
_TOKEN_RE: re.Pattern | None = None
_MARK = "_kuulas_redacting_factory"
WITHHELD = "[database message withheld: it may quote personal data]"


def engine_options(options: dict | None) -> dict:
    """The engine options every configuration gets: the given ones plus hidden parameters."""
    return {**(options or {}), "hide_parameters": True}


def _token_routes(app) -> None:
    global _TOKEN_RE
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        for name in SECRET_ARGUMENTS:
            if name not in rule.arguments:
                continue
            prefix = rule.rule.split(f"<{name}>", 1)[0]
            if prefix.endswith("/") and len(prefix) > 1:
                # Earlier variable parts (<int:id>) match any one path segment.
                _TOKEN_PREFIXES.add("[^/\\s?#]+".join(re.escape(part) for part in re.split(r"<[^>]+>", prefix)))
    if _TOKEN_PREFIXES:
        alternatives = "|".join(sorted(_TOKEN_PREFIXES, key=len, reverse=True))
        _TOKEN_RE = re.compile(rf"({alternatives})[^\s/?#\"']+")


def redact_text(text: str) -> str:
    """Replace the token of every one-time-link route in ``text``."""
    if _TOKEN_RE is None or not text:
        return text
    return _TOKEN_RE.sub(r"\1[token]", text)


def _database_error(exc: BaseException | None):
    from sqlalchemy.exc import DBAPIError

    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, DBAPIError):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _redacted_traceback(exc_info) -> str | None:
    """The traceback of a database error with the database's message withheld."""
    etype, value, tb = exc_info
    db_error = _database_error(value)
    if db_error is None:
        return None
    lines = ["Traceback (most recent call last):\n", *traceback.format_tb(tb)]
    statement = (db_error.statement or "").strip()
    if value is db_error:
        lines.append(f"{etype.__module__}.{etype.__qualname__}: "
                     f"({type(db_error.orig).__module__}.{type(db_error.orig).__qualname__}) "
                     f"{WITHHELD}\n[SQL: {statement}]")
    else:
        lines.append(f"{etype.__module__}.{etype.__qualname__} (caused by "
                     f"{type(db_error).__qualname__}: {WITHHELD} [SQL: {statement}])")
    return redact_text("".join(lines))


def _redact(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - malformed records are logging's own business
        return
    args = record.args if isinstance(record.args, tuple) else ()
    if any(_database_error(a) is not None for a in args if isinstance(a, BaseException)):
        # e.g. log.warning("... failed: %s", exc): the exception's text would quote values.
        record.args = tuple(f"{type(a).__qualname__}: {WITHHELD}"
                            if isinstance(a, BaseException) and _database_error(a) is not None
                            else a for a in args)
        message = record.getMessage()
    redacted = redact_text(message)
    if redacted != message:
        record.msg, record.args = redacted, ()
    if record.exc_info and record.exc_info[0] is not None:
        text = _redacted_traceback(record.exc_info)
        if text is not None:
            # The formatter prints exc_text when set; exc_info goes, so no handler can
            # format the original message again.
            record.exc_text, record.exc_info = text, None


def install_record_factory() -> None:
    """Redact every record as it is created, whichever logger and handler it goes to."""
    current = logging.getLogRecordFactory()
    if getattr(current, _MARK, False):
        return

    def factory(*args, **kwargs):
        record = current(*args, **kwargs)
        _redact(record)
        return record

    setattr(factory, _MARK, True)
    logging.setLogRecordFactory(factory)


def init_app(app) -> None:
    """Call after every blueprint is registered, so all token routes are known."""
    install_record_factory()
    _token_routes(app)
