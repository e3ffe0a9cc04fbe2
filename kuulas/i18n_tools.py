"""Message catalogues, one per area so parallel work never collides:

    python -m kuulas.i18n_tools extract [AREA]       # .pot + update fi/sv/en .po files
    python -m kuulas.i18n_tools missing AREA > t.json # untranslated msgids, as a JSON skeleton
    python -m kuulas.i18n_tools fill AREA t.json      # write {"msgid": {"fi": ..., "sv": ...}}
    python -m kuulas.i18n_tools compile               # .mo files (the two make targets do this)

An area owns its Python package and ``templates/<area>/``; the ``kuulas`` area owns the
kernel, ``app.py`` and every other template.  English is the source language (msgids),
so the ``en`` catalogue may leave msgstr empty; ``fi`` and ``sv`` must be complete.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
# area -> (python package directory, templates sub-directory)
AREAS = {
    "kuulas": ("kuulas", None),
    "panel": ("panel", "panel"),
    "ideas": ("deliberation/ideas", "ideas"),
    "raati": ("deliberation/raati", "raati"),
    "outcomes": ("deliberation/outcomes", "outcomes"),
    "feedback": ("deliberation/feedback", "feedback"),
    "participation": ("deliberation/participation", "participation"),
    "follow": ("deliberation/follow", "follow"),
}
LANGS = ("fi", "sv", "en")


def _mapping(area: str) -> str:
    package, templates = AREAS[area]
    lines = [f"[python: {package}/**.py]"]
    if templates is None:
        owned = {t for _p, t in AREAS.values() if t}
        lines += ["[python: app.py]", "[jinja2: templates/*.html]", "[jinja2: templates/*.txt]"]
        for sub in sorted(p.name for p in (ROOT / "templates").iterdir() if p.is_dir()):
            if sub not in owned:
                lines += [f"[jinja2: templates/{sub}/**.html]", f"[jinja2: templates/{sub}/**.txt]"]
    else:
        lines += [f"[jinja2: templates/{templates}/**.html]", f"[jinja2: templates/{templates}/**.txt]"]
    # Our templates use {% do %}; without the extension Babel's extractor silently skips them.
    lines = [line + ("\nextensions = jinja2.ext.do" if line.startswith("[jinja2") else "") for line in lines]
    return "\n".join(lines) + "\n"


def _run(*argv: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *argv])


def catalogue_dir(area: str) -> Path:
    return ROOT / "translations" / area


def extract(area: str) -> None:
    out = catalogue_dir(area)
    out.mkdir(parents=True, exist_ok=True)
    cfg = out / "babel.cfg"
    cfg.write_text(_mapping(area))
    pot = out / "messages.pot"
    _run("extract", "-F", str(cfg), "-k", "_l", "-k", "lazy_gettext", "--no-location",
         "--sort-output", "--omit-header", "-o", str(pot), str(ROOT))
    for lang in LANGS:
        po = out / lang / "LC_MESSAGES" / "messages.po"
        if po.exists():
            _run("update", "-i", str(pot), "-d", str(out), "-l", lang, "--no-fuzzy-matching",
                 "--ignore-obsolete")
        else:
            _run("init", "-i", str(pot), "-d", str(out), "-l", lang)


def _po(area: str, lang: str) -> Path:
    return catalogue_dir(area) / lang / "LC_MESSAGES" / "messages.po"


def missing(area: str) -> dict:
    todo: dict = {}
    for lang in ("fi", "sv"):
        with _po(area, lang).open("rb") as fh:
            catalog = read_po(fh)
        for msg in catalog:
            if not msg.id:
                continue
            text = msg.id if isinstance(msg.id, str) else msg.id[0]
            if not msg.string or (isinstance(msg.string, tuple) and not all(msg.string)) or msg.fuzzy:
                todo.setdefault(text, {"fi": "", "sv": ""})
    return todo


def fill(area: str, path: str) -> None:
    table = json.loads(Path(path).read_text(encoding="utf-8"))
    for lang in ("fi", "sv"):
        po = _po(area, lang)
        with po.open("rb") as fh:
            catalog = read_po(fh)
        for msg in catalog:
            key = msg.id if isinstance(msg.id, str) else msg.id[0]
            entry = table.get(key)
            if entry and entry.get(lang):
                value = entry[lang]
                msg.string = tuple(value) if isinstance(msg.id, tuple) else value
                msg.flags.discard("fuzzy")
        with po.open("wb") as fh:
            write_po(fh, catalog, omit_header=False, width=100)


def compile_all() -> None:
    for area in AREAS:
        out = catalogue_dir(area)
        if any(out.glob("*/LC_MESSAGES/messages.po")):
            _run("compile", "-d", str(out))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "extract":
        for name in (args or list(AREAS)):
            extract(name)
    elif command == "missing":
        json.dump(missing(args[0]), sys.stdout, ensure_ascii=False, indent=1)
    elif command == "fill":
        fill(args[0], args[1])
    elif command == "compile":
        compile_all()
    else:
        raise SystemExit(__doc__)
