"""Languages: Finnish by default, the user's choice kept, Accept-Language honoured,
every page's lang attribute right, catalogues complete."""
from datetime import datetime

import pytest
from flask_babel import force_locale

from kuulas.i18n_tools import AREAS, missing


@pytest.mark.parametrize("header,lang,skip", [
    (None, "fi", "Siirry sisältöön"),
    ("sv-FI,sv;q=0.9", "sv", "Hoppa till innehållet"),
    ("en-GB,en;q=0.8", "en", "Skip to content"),
    ("de-DE", "fi", "Siirry sisältöön"),
])
def test_accept_language(client, header, lang, skip):
    headers = {"Accept-Language": header} if header else {}
    html = client.get("/", headers=headers).get_data(as_text=True)
    assert f'<html lang="{lang}">' in html and skip in html


def test_choice_is_kept_in_a_cookie_and_beats_the_browser(client):
    response = client.get("/kieli/sv", query_string={"next": "/tietosuoja"})
    assert response.status_code == 302 and response.headers["Location"] == "/tietosuoja"
    html = client.get("/tietosuoja", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="sv">' in html and "Dataskyddsbeskrivning" in html


def test_choice_is_kept_on_the_profile(client, make_staff, login):
    staff = make_staff("moderator")
    login(staff)
    client.get("/kieli/en")
    from kuulas.accounts.models import Account
    from kuulas.extensions import db
    db.session.expire_all()
    assert db.session.get(Account, staff.id).locale == "en"


def test_unknown_language_is_a_translated_404(client):
    response = client.get("/kieli/xx", headers={"Accept-Language": "sv"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<html lang="sv">' in html and "Okänt språk." in html


def test_error_pages_speak_the_users_language(client):
    for lang, title in (("fi", "Sivua ei löydy"), ("sv", "Sidan hittades inte"), ("en", "Page not found")):
        response = client.get("/ei-ole-olemassa", headers={"Accept-Language": lang})
        assert response.status_code == 404
        assert title in response.get_data(as_text=True)


def test_every_page_has_a_visible_language_switcher(client):
    html = client.get("/saavutettavuus").get_data(as_text=True)
    assert 'href="/kieli/sv?next=/saavutettavuus"' in html and 'href="/kieli/en?next=/saavutettavuus"' in html


def test_dates_and_numbers_in_the_locales_format(app):
    """What pages and mails call (kuulas.i18n, over kuulas.formats): Finnish and
    Finland-Swedish conventions, not ISO or Sweden-Swedish, and no US format in English."""
    from kuulas.i18n import format_datetime, format_decimal

    moment = datetime(2026, 11, 23, 10, 5)  # UTC; shown in Europe/Helsinki (UTC+2)
    with app.test_request_context():
        with force_locale("fi"):
            assert format_datetime(moment, "short") == "23.11.2026 klo 12.05"
            assert format_decimal(1234.5) == "1\xa0234,5"
        with force_locale("sv"):
            assert format_datetime(moment, "short") == "23.11.2026 kl. 12.05"
            assert format_decimal(1234.5) == "1\xa0234,5"
        with force_locale("en"):
            assert format_datetime(moment, "short") == "23 Nov 2026, 12.05"
            assert format_decimal(1234.5) == "1,234.5"


@pytest.mark.parametrize("area", list(AREAS))
def test_catalogues_are_complete_in_finnish_and_swedish(area):
    todo = missing(area)
    assert not todo, f"{len(todo)} untranslated messages in {area}: {sorted(todo)[:10]}"


def test_domain_errors_translate_outside_a_request(app):
    """Jobs and CLI commands have an app context but no request."""
    from kuulas.errors import ValidationFailed
    from flask_babel import lazy_gettext as _l
    assert str(ValidationFailed(_l("Choose at least one role."))) == "Valitse vähintään yksi rooli."
    with force_locale("sv"):
        assert str(ValidationFailed(_l("Choose at least one role."))) == "Välj minst en roll."


def test_every_template_string_reaches_a_catalogue():
    """Babel's extractor skips a template it cannot parse without saying so; make sure
    every literal _("...") in every template made it into some catalogue."""
    import re
    from pathlib import Path

    from babel.messages.pofile import read_po

    from kuulas.i18n_tools import ROOT, _po

    known = set()
    for area in AREAS:
        with _po(area, "fi").open("rb") as fh:
            known.update(m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id)
    pattern = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)+)"|'((?:[^'\\]|\\.)+)')""")
    lost = []
    for path in (ROOT / "templates").rglob("*.*"):
        if path.suffix not in (".html", ".txt"):
            continue
        for double, single in pattern.findall(path.read_text(encoding="utf-8")):
            text = (double or single).replace('\\"', '"').replace("\\'", "'")
            if text not in known:
                lost.append(f"{path.relative_to(ROOT)}: {text}")
    assert not lost, "\n".join(lost[:20])


# --- strings that never reach a catalogue (issue item 19) ---------------------------------
# Babel extracts only string literals given straight to gettext.  _(f"...") or _(name) is
# never extracted (so never translated), and _("agree") + f" {n} votes" leaves words
# outside the catalogue.  An AST walk over the Python areas finds both, and user-facing
# sinks (flash, abort(description=...), the domain errors) given untranslated words.

import ast  # noqa: E402
import re  # noqa: E402

GETTEXT_ARGS = {"_": 1, "_l": 1, "gettext": 1, "lazy_gettext": 1, "ngettext": 2,
                "lazy_ngettext": 2, "pgettext": 2, "lazy_pgettext": 2, "npgettext": 3}
KERNEL_ERRORS = {"KuulasError", "AccessDenied", "NotFound", "ValidationFailed", "Conflict"}
# Every area's package (kuulas, panel, deliberation/*): i18n_tools.AREAS lists them.
PY_AREAS = tuple(sorted({package for package, _templates in AREAS.values()}))


def _words(text: str):
    import re
    return re.search(r"[^\W\d_]{2,}", text)


def _name(func):
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _is_gettext(node) -> bool:
    if isinstance(node, ast.Call) and _name(node.func) == "str" and node.args:
        node = node.args[0]          # str(_("..."))
    return isinstance(node, ast.Call) and _name(node.func) in GETTEXT_ARGS


def _literal_words(node) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(_words(node.value))
    if isinstance(node, ast.JoinedStr):
        return bool(_words("".join(v.value for v in node.values if isinstance(v, ast.Constant))))
    if isinstance(node, ast.BinOp):
        return _literal_words(node.left) or _literal_words(node.right)
    return False


def untranslated_findings(source: str, errors=frozenset(KERNEL_ERRORS)) -> list[str]:
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) in GETTEXT_ARGS:
            n = GETTEXT_ARGS[_name(node.func)]
            args = node.args[:n]
            if len(args) < n or not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
                found.append(f"{node.lineno}: gettext without a literal: {ast.unparse(node)[:100]}")
        elif isinstance(node, ast.JoinedStr):
            has_translation = any(isinstance(v, ast.FormattedValue) and any(_is_gettext(x) for x in ast.walk(v.value))
                                  for v in node.values)
            if has_translation and _literal_words(node):
                found.append(f"{node.lineno}: f-string with a translation and untranslated words: {ast.unparse(node)[:100]}")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            if any(_is_gettext(s) for s in (node.left, node.right)) and any(
                    _literal_words(s) for s in (node.left, node.right) if not _is_gettext(s)):
                found.append(f"{node.lineno}: translation joined to untranslated words: {ast.unparse(node)[:100]}")
        elif isinstance(node, ast.Call) and _name(node.func) in {"flash", "abort"} | set(errors):
            if _name(node.func) == "abort":
                candidates = [k.value for k in node.keywords if k.arg == "description"]
            else:
                candidates = node.args[:1] + [k.value for k in node.keywords if k.arg == "reason"]
            found += [f"{node.lineno}: untranslated words given to {_name(node.func)}: {ast.unparse(node)[:100]}"
                      for a in candidates if _literal_words(a)]
    return found


def _error_classes(trees) -> frozenset[str]:
    """KuulasError and every class that derives from it, anywhere in the areas."""
    known = set(KERNEL_ERRORS)
    while True:
        more = {n.name for t in trees for n in ast.walk(t) if isinstance(n, ast.ClassDef)
                and any(_name(b) in known for b in n.bases)} - known
        if not more:
            return frozenset(known)
        known |= more


def test_the_untranslated_string_check_catches_what_babel_cannot_see():
    bad = '''
flash(_(f"Hello {name}"))
label = _(name)
text = f"({_('agree')} {n}, {_('disagree')} {m} votes)"
more = _("agree") + f" {n} votes"
also = str(_("Outcome")) + " from the panel"
ngettext("%(num)s vote", plural, n)
flash("Saved")
raise ValidationFailed("Too long")
abort(404, description="No such thing")
'''
    found = untranslated_findings(bad)
    assert len(found) == 9, "\n".join(found)
    good = '''
flash(_("Saved"))
raise ValidationFailed(_l("Too long: at most %(n)s."), n=3)
line = f"{n}. {text} ({_('agree %(a)s', a=1)})"
kind = str(_("Outcome")) + " · " + label
abort(404, description=str(_l("Unknown language.")))
'''
    assert untranslated_findings(good) == []


def test_python_code_passes_only_literals_to_gettext_and_no_untranslated_words():
    from kuulas.i18n_tools import ROOT

    paths = [p for area in PY_AREAS for p in sorted((ROOT / area).rglob("*.py"))]
    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in paths]
    errors = _error_classes(trees)
    problems = [f"{p.relative_to(ROOT)}:{line}" for p in paths
                for line in untranslated_findings(p.read_text(encoding="utf-8"), errors)]
    assert not problems, "\n".join(problems)


def test_templates_pass_only_literals_to_gettext_and_join_no_words_to_translations():
    """The template side of the same check: _(variable) and _("x") ~ " words" are lost."""
    from kuulas.i18n_tools import ROOT

    non_literal = re.compile(r"""(?<![\w.])(?:_|gettext|ngettext)\(\s*(?!["'])[^)\s]""")
    joined = re.compile(r"""_\([^)]*\)\s*~\s*["'][^"']*[^\W\d_]{2,}|["'][^"']*[^\W\d_]{2,}[^"']*["']\s*~\s*_\(""")
    problems = []
    for path in (ROOT / "templates").rglob("*.*"):
        if path.suffix not in (".html", ".txt", ".xml"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if non_literal.search(line) or joined.search(line):
                problems.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not problems, "\n".join(problems)
    assert non_literal.search("{{ _(label) }}") and joined.search('{{ _("agree") ~ " votes" }}')
    assert not non_literal.search('{{ _("x") }}') and not joined.search('{{ _("a") ~ ": " }}')


def test_without_javascript_the_language_switch_warns_on_form_pages(client):
    """Switching language reloads the page; kuulas.js keeps typed text, and without it a
    page with a form says that typed text would be lost (issue item 15)."""
    form_page = client.get("/kirjaudu").get_data(as_text=True)
    assert '<noscript><p class="lang-note">' in form_page and "data-lang-switch" in form_page
    assert "data-lang-kept hidden" in form_page
    assert '<noscript><p class="lang-note">' not in client.get("/").get_data(as_text=True)
