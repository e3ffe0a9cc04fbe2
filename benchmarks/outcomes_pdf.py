"""Times the tagged PDF/UA export of a 20-page statement (goal < 3 s).  Prints figures.

    .venv/bin/python benchmarks/outcomes_pdf.py
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="kuulas-pdf-")
    os.environ.setdefault("KUULAS_INSTANCE", tmp)
    from app import create_app
    from kuulas.extensions import db
    from deliberation.outcomes import exports
    from deliberation.outcomes.models import Outcome

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/pdf.sqlite3", "SCHEDULER_MODE": "off"})
    paragraph = ("Raati suosittaa, että kotihoidon iltakäyntejä lisätään ja että asiakkaat voivat valita "
                 "käyntiajan joustavasti. Åtgärderna ska följas upp. ") * 6
    sections = [{"title": f"Suositus {i}: kotihoidon kehittäminen", "text": "\n\n".join([paragraph] * 4)}
                for i in range(1, 21)]
    with app.app_context(), app.test_request_context():
        db.create_all()
        o = Outcome(source_kind="raati", source_id=1, title="Kotihoidon tulevaisuus", question="Miten?",
                    summary="Yhteenveto.", statement={"sections": sections, "sha256": "0" * 64, "locked_at": None},
                    figures={}, timeline=[], composition=[], points=[], results={},
                    created_at=datetime(2026, 5, 4), updated_at=datetime(2026, 5, 4))
        db.session.add(o)
        db.session.commit()
        exports.pdf(o, "statement")  # fonts and templates loaded once, as in a running server
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            data = exports.pdf(o, "statement")
            times.append(time.perf_counter() - t0)
    path = Path(tmp) / "statement.pdf"
    path.write_bytes(data)
    pages = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    pages = next((line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")), "?")
    print(f"statement PDF/UA-1: {pages} pages, {len(data) / 1024:.0f} KiB; "
          f"best {min(times):.2f} s, worst {max(times):.2f} s over {len(times)} runs (goal < 3 s)")


if __name__ == "__main__":
    main()
