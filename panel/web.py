"""The panel area's blueprint and small view helpers shared by its subpackages."""
from __future__ import annotations

from flask import Blueprint, flash
from flask_babel import get_locale

from kuulas.errors import KuulasError

bp = Blueprint("panel", __name__)


def locale() -> str:
    return str(get_locale() or "fi")


def flash_error(exc: KuulasError) -> list[str]:
    """Flash the reason; return the detailed problems (row-level errors) for the page."""
    flash(str(exc), "error")
    return list(getattr(exc, "details", []) or [])


def read_upload(form) -> str:
    """Text of an uploaded or pasted CSV (UTF-8, with or without BOM; Excel's cp1252 too)."""
    data = b""
    if form.file.data and getattr(form.file.data, "read", None):
        data = form.file.data.read()
    if data:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    return form.text.data or ""
