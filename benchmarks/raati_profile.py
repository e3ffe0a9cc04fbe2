"""Sampling profile of a running server process for the digiraati benchmark (py-spy).

py-spy is not a dependency of Kuulas: ``.venv/bin/pip install py-spy``.  Without it the
benchmark prints its figures and says that no profile was taken.  Sampling is
``--nonblocking`` (the server is never paused), so it does not change the CPU figures
measurably; with gevent only the running greenlet is sampled, which is what costs CPU.
"""
from __future__ import annotations

import collections
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def py_spy() -> str | None:
    here = Path(sys.executable).parent / "py-spy"
    return str(here) if here.exists() else shutil.which("py-spy")


class Profile:
    """``with Profile(pid) as prof: ...`` samples ``pid`` for the block; ``prof.top()`` then
    gives the summary lines (or a note saying why there is none)."""

    def __init__(self, pid: int, rate: int = 200):
        self.pid, self.rate = pid, rate
        self.proc = None
        self.out = Path(tempfile.mkdtemp(prefix="raati-prof-")) / "stacks.txt"
        self.note = None

    def __enter__(self):
        exe = py_spy()
        if exe is None:
            self.note = "no profile: py-spy not installed (.venv/bin/pip install py-spy)"
            return self
        self.proc = subprocess.Popen([exe, "record", "--pid", str(self.pid), "--nonblocking", "--format", "raw",
                                      "--function", "--rate", str(self.rate), "--output", str(self.out)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return self

    def __exit__(self, *exc):
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            _, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        if not self.out.exists():
            self.note = "no profile: " + (err or b"").decode(errors="replace").strip().splitlines()[-1:].__str__()

    def top(self, n: int = 12, ours: tuple[str, ...] = ("deliberation/", "kuulas/", "app.py")) -> list[str]:
        if self.note:
            return [self.note]
        own: collections.Counter = collections.Counter()
        incl: collections.Counter = collections.Counter()
        total = 0
        for line in self.out.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            count = int(count)
            frames = [_short(f) for f in stack.split(";")[1:]]  # [0] is the thread
            if not frames:
                continue
            total += count
            own[frames[-1]] += count
            for f in set(frames):
                incl[f] += count
        if not total:
            return ["no samples"]
        lines = [f"{total} samples; self time (top {n}):"]
        lines += [f"  {c / total:6.1%}  {f}" for f, c in own.most_common(n)]
        mine = [(f, c) for f, c in incl.most_common() if any(o in f for o in ours)][:n]
        lines.append(f"inclusive time in Kuulas code (top {n}):")
        lines += [f"  {c / total:6.1%}  {f}" for f, c in mine]
        return lines


def _short(frame: str) -> str:
    """``func (path/to/site-packages/pkg/mod.py:12)`` -> ``func (pkg/mod.py:12)``."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in where:
            where = where.split(marker, 1)[1]
            break
    return f"{name} ({where})"
