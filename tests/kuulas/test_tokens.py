"""kuulas.tokens: one hash, one find/claim for stored one-time links, one confirm-link view."""
from __future__ import annotations

from datetime import timedelta

import pytest

from kuulas import tokens
from kuulas.accounts.models import LoginToken
from kuulas.clock import utcnow
from kuulas.errors import NotFound
from kuulas.extensions import db


def test_digest_is_sha256_hex_and_never_the_token():
    token = tokens.new()
    assert len(tokens.digest(token)) == 64 and token not in tokens.digest(token)
    assert tokens.digest(None) == tokens.digest("")


def test_find_and_claim_use_a_link_once(app, make_resident):
    from kuulas.accounts import services

    account = make_resident()
    now = utcnow()
    token = services.issue_token(account, services.PURPOSE_LOGIN, now=now)
    db.session.commit()
    row = tokens.find(LoginToken, token)
    assert row is not None and row.account_id == account.id
    assert tokens.find(LoginToken, token + "x") is None
    assert tokens.claim(LoginToken, row.id, LoginToken.used_at.is_(None), used_at=now) is True
    # The second click loses: the guarded UPDATE changes nothing.
    assert tokens.claim(LoginToken, row.id, LoginToken.used_at.is_(None),
                        used_at=now + timedelta(seconds=1)) is False
    db.session.commit()
    assert db.session.get(LoginToken, row.id).used_at == now


def _view(app, method, *, use_fails=False, peek_fails=False, problem=True):
    calls = []

    def peek(token):
        calls.append(("peek", token))
        if peek_fails:
            raise NotFound()
        return "row"

    def use(token):
        calls.append(("use", token))
        if use_fails:
            raise NotFound()
        return "used"

    with app.test_request_context("/x", method=method):
        response = tokens.confirm_link(
            "abc", peek=peek, use=use, page=lambda peeked: f"page:{peeked}",
            done=lambda result: f"done:{result}",
            problem=(lambda exc: f"problem:{exc.status}") if problem else None)
    return response, calls


def test_a_get_only_peeks_and_shows_the_page(app):
    assert _view(app, "GET") == ("page:row", [("peek", "abc")])


def test_a_post_uses_the_link_and_does_not_peek_first(app):
    assert _view(app, "POST") == ("done:used", [("use", "abc")])


def test_a_problem_is_the_callers_page_or_the_apps_error(app):
    assert _view(app, "GET", peek_fails=True)[0] == "problem:404"
    assert _view(app, "POST", use_fails=True)[0] == "problem:404"
    with pytest.raises(NotFound):
        _view(app, "POST", use_fails=True, problem=False)


def test_tokens_imports_no_flask_at_module_level():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(tokens))
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    names = {a.name for n in top for a in n.names} | {n.module for n in top if isinstance(n, ast.ImportFrom)}
    assert not {name for name in names if name and name.split(".")[0] in ("flask", "sqlalchemy")}
