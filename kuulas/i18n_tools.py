"""Extract, update and compile the message catalogues: ``python -m kuulas.i18n_tools
extract|compile``.  Each area has its own catalogue under ``translations/<area>/`` so
that work on one area never collides with another's.  Templates under
``templates/<area>/`` belong to that area; all others belong to ``kuulas``."""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parent.parent
AREAS = ("kuulas", "panel", "deliberation")
LANGS = ("fi", "sv", "en")


def _mapping(area: str) -> str:
    lines = ["[python: " + area + "/**.py]"]
    if area == "kuulas":
        lines += ["[python: app.py]", "[jinja2: templates/*.html]", "[jinja2: templates/*.txt]"]
        for sub in sorted(p.name for p in (ROOT / "templates").iterdir() if p.is_dir()):
            if sub not in AREAS:
                lines += [f"[jinja2: templates/{sub}/**.html]", f"[jinja2: templates/{sub}/**.txt]"]
    else:
        lines += [f"[jinja2: templates/{area}/**.html]", f"[jinja2: templates/{area}/**.txt]"]
    return "\n".join(lines) + "\n"


def _run(*argv: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *argv])


def extract() -> None:
    for area in AREAS:
        out = ROOT / "translations" / area
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
                     "--ignore-obsolete", "--omit-header")
            else:
                _run("init", "-i", str(pot), "-d", str(out), "-l", lang)


def compile_all() -> None:
    for area in AREAS:
        out = ROOT / "translations" / area
        if any(out.glob("*/LC_MESSAGES/messages.po")):
            _run("compile", "-d", str(out), "--statistics")


if __name__ == "__main__":
    {"extract": extract, "compile": compile_all}[sys.argv[1]]()
