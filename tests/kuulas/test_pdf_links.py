"""Relative Markdown links in an exported PDF point to the site, never to ``file:///``
(issue item 15).  The link annotations are read back from the PDF with poppler's pdfinfo."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from kuulas.extensions import db

from ..outcomes.conftest import NOW, make_outcome, preparer  # noqa: F401


@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="poppler-utils (pdfinfo) is not installed")
def test_relative_markdown_links_become_site_links_in_the_pdf(app, client, make_outcome, preparer, tmp_path):
    from deliberation.outcomes import services
    from deliberation.outcomes.models import Outcome

    app.config["SITE_URL"] = "https://osallistu.example.fi"
    o = make_outcome(summary="Katso [tulokset](/tulokset) ja "
                             "[lähde](https://example.org/raportti).")
    services.publish(o.id, actor=preparer, now=NOW)
    db.session.commit()
    o = db.session.get(Outcome, o.id)
    response = client.get(f"/tulokset/{o.id}/lataa/outcome.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "outcome.pdf"
    path.write_bytes(response.data)
    listing = subprocess.run(["pdfinfo", "-url", str(path)], capture_output=True, text=True,
                             check=True).stdout
    urls = [line.split()[-1] for line in listing.splitlines()[1:] if line.strip()]
    assert "https://osallistu.example.fi/tulokset" in urls
    assert "https://example.org/raportti" in urls
    assert not [u for u in urls if u.startswith("file:")], urls
