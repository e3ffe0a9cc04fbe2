"""Input checks shared by forms and services: web addresses, attachment names and types
(spreadsheet cells are made safe by ``kuulas.spreadsheet``).

Pure: no Flask, no SQLAlchemy, no I/O.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit


def safe_http_url(value: str | None, max_length: int = 500) -> str | None:
    """Return the URL if it is an absolute http(s) URL with a host, else None."""
    if not value:
        return None
    value = value.strip()
    if len(value) > max_length or any(ch.isspace() or ord(ch) < 32 for ch in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if parts.username or parts.password:
        return None
    return value


# Attachment types accepted, recognised by their first bytes (never by the name the
# browser sent).  Office files are ZIP containers; the extension picks which one.
_SIGNATURES = [
    (b"%PDF-", "application/pdf", {"pdf"}),
    (b"\x89PNG\r\n\x1a\n", "image/png", {"png"}),
    (b"\xff\xd8\xff", "image/jpeg", {"jpg", "jpeg"}),
    (b"PK\x03\x04", None, {"docx", "xlsx", "pptx", "odt", "ods"}),
]
_ZIP_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
ALLOWED_EXTENSIONS = ("pdf", "png", "jpg", "jpeg", "docx", "xlsx", "pptx", "odt", "ods", "txt", "csv")


def safe_filename(name: str | None, max_length: int = 100) -> str:
    """A display/download name without paths, control or markup characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*;\'`')
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        name = "liite"
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: max_length - len(ext) - 1] + "." + ext) if dot and len(ext) <= 5 else name[:max_length]
    return name


def sniff_type(filename: str, data: bytes) -> str | None:
    """The content type for an accepted upload, or None if the bytes don't match the
    extension or the type isn't accepted."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in ALLOWED_EXTENSIONS or not data:
        return None
    if ext in ("txt", "csv"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if b"\x00" in data:
            return None
        return "text/plain; charset=utf-8" if ext == "txt" else "text/csv; charset=utf-8"
    for magic, ctype, exts in _SIGNATURES:
        if data.startswith(magic) and ext in exts:
            return ctype or _ZIP_TYPES[ext]
    return None
