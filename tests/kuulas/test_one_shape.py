"""The one shape of every area (docs/DEVELOPING.md), checked on the source tree.

These fail when new code drifts back: a service that commits for itself, a view that
broadcasts by hand, a lifecycle module that imports Flask, a file grown past 500 lines.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kuulas", "panel", "deliberation")

# The callers that own a transaction, and nothing else, call commit():
TRANSACTION_OWNERS = {
    "kuulas/web.py",              # attempt / form_page: every HTML view
    "kuulas/effects.py",          # transaction(): CLI commands and scripts
    "kuulas/scheduler.py",        # run_job: every scheduled job (and its lease)
    "deliberation/raati/events.py",  # the room's Socket.IO gate
    # The outbox sender, a job that owns one transaction per message: the claim is saved
    # before the SMTP call and the result right after it, so no message is sent twice.
    "kuulas/mail/services.py",
}


def _sources():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def _commit_calls(text: str) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(text)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "commit"):
            lines.append(node.lineno)
    return lines


def test_the_tree_is_read():
    names = [name for name, _ in _sources()]
    assert len(names) > 100
    assert "kuulas/web.py" in names and "deliberation/ideas/events.py" in names


def test_only_the_transaction_owners_commit():
    found = {name: lines for name, text in _sources()
             if name not in TRANSACTION_OWNERS and (lines := _commit_calls(text))}
    assert found == {}
    for owner in TRANSACTION_OWNERS:   # and the owners really are where the commits are
        assert _commit_calls((ROOT / owner).read_text(encoding="utf-8")), owner


def test_views_do_not_broadcast_by_hand():
    offenders = []
    for name, text in _sources():
        if re.search(r"(^|/)(\w*views\w*|api)\.py$", name):
            for number, line in enumerate(text.splitlines(), 1):
                if re.search(r"\b(events\.\w+|socketio\.emit|emit)\(", line):
                    offenders.append(f"{name}:{number}: {line.strip()}")
    assert offenders == []


LIFECYCLES = ("panel/lifecycle.py", "deliberation/ideas/lifecycle.py",
              "deliberation/raati/lifecycle.py", "deliberation/outcomes/lifecycle.py")


@pytest.mark.parametrize("name", LIFECYCLES)
def test_lifecycles_are_pure(name):
    tree = ast.parse((ROOT / name).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert not imported & {"flask", "flask_sqlalchemy", "sqlalchemy", "flask_socketio"}


def test_no_file_over_500_lines():
    skip = ("migrations/", "benchmarks/", "translations/", ".venv/", "node_modules/")
    suffixes = {".py", ".js", ".css", ".html", ".txt"}
    long = []
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT).as_posix()
        if (path.suffix in suffixes and path.is_file() and not rel.startswith(skip)
                and "/." not in "/" + rel and not rel.startswith(("instance/", "build/"))
                and not rel.endswith(".egg-info") and ".egg-info/" not in rel):
            count = path.read_text(encoding="utf-8", errors="replace").count("\n")
            if count > 500:
                long.append(f"{rel}: {count}")
    assert long == []
