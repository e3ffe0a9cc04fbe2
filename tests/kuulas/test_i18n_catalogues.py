"""Every area has its own catalogue, and Flask-Babel merges them into one: a msgid that two
catalogues translate differently shows whichever was loaded last, in every area.  So a
msgid shared by catalogues must have one translation (or the areas use different msgids)."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2] / "translations"


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_shared_msgids_have_one_translation(lang):
    seen: dict[str, dict[str, str]] = {}
    for po in sorted(ROOT.glob(f"*/{lang}/LC_MESSAGES/messages.po")):
        with po.open("rb") as fh:
            for msg in read_po(fh):
                if msg.id and msg.string:
                    key = msg.id if isinstance(msg.id, str) else msg.id[0]
                    seen.setdefault(key, {})[po.parts[-4]] = str(msg.string)
    clashes = {k: v for k, v in seen.items() if len(set(v.values())) > 1}
    assert not clashes, "\n".join(f"{k!r}: {v}" for k, v in sorted(clashes.items()))
