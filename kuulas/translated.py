"""Pick the text for the reader's language, with fallback: the one rule for translated content.

The codebase stores translated content in several shapes (per-language columns, JSON per
field, a base text with a ``translations`` map).  Whatever the storage, a reader gets the
text in their language when a translation exists, else the original, and the page must
say which language it shows (``lang``, WCAG 3.1.2) and that it fell back (a visible note
such as "Tämä teksti on vain suomeksi").  Outcomes, their decisions and impacts use the
``translations`` map shape: ``{"sv": {"field": "text", ...}, "en": {...}}``.

Plain Python, no Flask.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

LANGUAGES = ("fi", "sv", "en")


@dataclass(frozen=True)
class Localized:
    """One text for one reader: ``lang`` is the language it is written in; ``fallback`` is
    true when the reader asked for another language and this is the original instead."""
    text: str
    lang: str
    fallback: bool = False

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


def pick(original: str | None, original_lang: str | None, translations: Mapping | None,
         field: str, locale: str | None) -> Localized:
    """The text of ``field`` for ``locale``: the translation if it has this field, else the
    original.  An empty original is never a fallback (there is nothing to mark)."""
    own = original_lang if original_lang in LANGUAGES else "fi"
    want = locale if locale in LANGUAGES else own
    text = original or ""
    if want != own:
        version = (translations or {}).get(want) or {}
        value = (version.get(field) or "").strip() if isinstance(version, Mapping) else ""
        if value:
            return Localized(value, want, False)
        return Localized(text, own, bool(text.strip()))
    return Localized(text, own, False)


def clean(translations: Mapping | None, fields: tuple[str, ...], *, original_lang: str,
          limit: int | None = None) -> dict:
    """A ``translations`` map reduced to known languages (not the original's) and fields,
    with empty texts and empty languages dropped.  ``limit`` cuts each text."""
    out: dict = {}
    for lang in LANGUAGES:
        if lang == original_lang:
            continue
        version = (translations or {}).get(lang)
        if not isinstance(version, Mapping):
            continue
        kept = {}
        for f in fields:
            value = str(version.get(f) or "").strip()
            if value:
                kept[f] = value[:limit] if limit else value
        if kept:
            out[lang] = kept
    return out
