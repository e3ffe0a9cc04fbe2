"""Normalising user text before it is validated or stored.  Pure: no Flask, no database.

Every piece of text a person types goes through :func:`normalise` (forms do it through
``kuulas.forms.KuulasForm``; sockets and JSON APIs through ``kuulas.sanitize.plain_text``):

- Unicode NFC, so the same name typed on two keyboards compares equal;
- the bidirectional controls that can make text read differently from how it is stored
  (RLO "evil.exe" tricks) are removed; templates still isolate user text with ``<bdi>`` or
  ``dir="auto"`` so legitimate right-to-left text cannot reorder the page around it;
- zero-width joiners and variation selectors stay: they are part of emoji (a family emoji
  is one grapheme, not three) and of some scripts;
- NUL and other control characters are refused (``ControlCharacter``), never silently
  passed on to a database that would fail on them.

Must never drop a character that is part of what a person wrote, other than the bidi
controls listed here.
"""
from __future__ import annotations

import unicodedata

# Embeddings, overrides and isolates (U+202A..E, U+2066..9) and the invisible marks that
# can flip neutral characters (LRM, RLM, ALM).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_ALLOWED_CONTROLS = frozenset("\n\t")


class ControlCharacter(ValueError):
    """The text holds a NUL or another control character that no form field accepts."""


def has_forbidden_control(text: str) -> bool:
    return any((unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS and ch != "\r")
               for ch in text)


def normalise(text: str | None, *, strict: bool = True) -> str:
    """NFC, newlines as ``\\n``, bidi controls removed.

    With ``strict`` a control character (NUL, escape, ...) raises :class:`ControlCharacter`;
    without it such characters are dropped (for text that arrives outside a form, e.g. a
    CSV cell that is reported row by row elsewhere)."""
    if not text:
        return ""
    value = text.replace("\r\n", "\n").replace("\r", "\n")
    if has_forbidden_control(value):
        if strict:
            raise ControlCharacter(value)
        value = "".join(ch for ch in value
                        if unicodedata.category(ch) != "Cc" or ch in _ALLOWED_CONTROLS)
    value = "".join(ch for ch in value if ch not in BIDI_CONTROLS)
    return unicodedata.normalize("NFC", value)


def clean(text: str | None, limit: int | None = None) -> str:
    """Lenient normalisation for storage: control characters dropped, trimmed, cut to
    ``limit`` characters (never inside a surrogate-free code point, which Python cannot
    produce, but possibly inside a grapheme: callers validate length first)."""
    value = normalise(text, strict=False).strip()
    # Other invisible format characters that are never part of a word: the BOM and
    # interlinear annotation marks.  ZWJ/ZWNJ/variation selectors stay (see above).
    value = "".join(ch for ch in value if ch not in "\ufeff\ufff9\ufffa\ufffb")
    return value[:limit] if limit else value
