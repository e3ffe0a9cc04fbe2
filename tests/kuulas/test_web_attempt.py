"""kuulas.web.attempt(raise_errors=True): a single-action view whose domain errors are
answered by kuulas.errors (an error page or JSON with the status), not flashed."""
from __future__ import annotations

import pytest


def test_raise_errors_rolls_back_and_raises_without_a_flash(app):
    from flask import get_flashed_messages

    from kuulas.accounts.models import Account
    from kuulas.errors import Conflict
    from kuulas.extensions import db
    from kuulas.web import attempt

    def add(email, fail=False):
        db.session.add(Account(email=email))
        db.session.flush()
        if fail:
            raise Conflict("jo tehty")
        return email

    with app.test_request_context():
        with pytest.raises(Conflict, match="jo tehty"):
            attempt(lambda: add("bad@example.fi", fail=True), "tallennettu", raise_errors=True)
        assert attempt(lambda: add("ok@example.fi"), "tallennettu", raise_errors=True) == (True, "ok@example.fi")
        # Only the success was flashed (read once: Flask caches the list for the request).
        assert get_flashed_messages(with_categories=True) == [("success", "tallennettu")]
    assert [a.email for a in db.session.query(Account)] == ["ok@example.fi"]
