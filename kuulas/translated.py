"""Pick the text for the reader's language, with fallback: the one rule for translated content.

The codebase stores translated content in several shapes: per-language columns
(``name_fi``, ``name_sv``, ``name_en``), a JSON per field (``{"fi": ..., "sv": ...}``), and a
base text in the content's own language with a ``translations`` map
(``{"sv": {"field": "text", ...}, "en": {...}}``, outcomes, their decisions and impacts).
Storage stays as it is; every model's accessor reads through ``choose``, so the fallback is
the same everywhere:

    the requested language -> the content's original language (when it has one) -> Finnish
    -> any other language with a text (sv, en)

Empty and blank texts count as missing.  The result says which language it is in (``lang``,
for the ``lang`` attribute, WCAG 3.1.2) and whether it fell back (a visible note such as
"Tämä teksti on vain suomeksi").

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


def choose(versions: Mapping | None, locale: str | None, *, original: str | None = None) -> Localized:
    """The one fallback rule over ``versions`` (language -> text).

    ``locale`` outside fi/sv/en asks for the original language (Finnish when there is none).
    Nothing anywhere: an empty text in the original language (else the asked one), never
    marked as a fallback (there is nothing to mark)."""
    own = original if original in LANGUAGES else None
    want = locale if locale in LANGUAGES else (own or "fi")
    values = versions if isinstance(versions, Mapping) else {}
    for lang in dict.fromkeys((want, own, "fi", *LANGUAGES)):
        if lang is None:
            continue
        text = values.get(lang)
        if isinstance(text, str) and text.strip():
            return Localized(text, lang, lang != want)
    return Localized("", own or want, False)


def columns(obj, field: str) -> dict:
    """Per-language columns (``<field>_fi``, ``<field>_sv``, ``<field>_en``) as versions."""
    return {lang: getattr(obj, f"{field}_{lang}", None) for lang in LANGUAGES}


def pick(original: str | None, original_lang: str | None, translations: Mapping | None,
         field: str, locale: str | None) -> Localized:
    """The text of ``field`` for ``locale`` from a base text in ``original_lang`` and a
    ``translations`` map (the outcomes' shape), by the one rule of ``choose``."""
    own = original_lang if original_lang in LANGUAGES else "fi"
    versions = {}
    for lang, version in (translations or {}).items():
        if lang != own and isinstance(version, Mapping):
            versions[lang] = (version.get(field) or "").strip()
    versions[own] = original or ""
    return choose(versions, locale, original=own)


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
