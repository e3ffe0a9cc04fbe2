"""kuulas.translated.choose: the one fallback rule every translated model reads through."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from kuulas import translated


def test_the_requested_language_when_it_has_a_text():
    got = translated.choose({"fi": "Puisto", "sv": "Park", "en": "Park area"}, "sv")
    assert (got.text, got.lang, got.fallback) == ("Park", "sv", False)


def test_then_the_contents_original_language_before_finnish():
    got = translated.choose({"fi": "Puisto", "sv": "Park"}, "en", original="sv")
    assert (got.text, got.lang, got.fallback) == ("Park", "sv", True)


def test_then_finnish_then_any_language_with_a_text():
    assert translated.choose({"fi": "Puisto", "sv": "Park"}, "en").lang == "fi"
    only_en = translated.choose({"fi": "", "sv": "  ", "en": "Park"}, "sv")
    assert (only_en.text, only_en.lang, only_en.fallback) == ("Park", "en", True)


@pytest.mark.parametrize("locale", [None, "de", ""])
def test_an_unknown_language_asks_for_the_original_or_finnish(locale):
    assert translated.choose({"fi": "Puisto", "sv": "Park"}, locale, original="sv").lang == "sv"
    got = translated.choose({"fi": "Puisto", "sv": "Park"}, locale)
    assert (got.lang, got.fallback) == ("fi", False)


def test_nothing_anywhere_is_empty_and_not_a_fallback():
    got = translated.choose({"fi": "", "sv": None}, "sv")
    assert (got.text, got.lang, got.fallback) == ("", "sv", False)
    assert translated.choose(None, "en", original="fi") == translated.Localized("", "fi", False)


def test_columns_read_per_language_columns():
    row = SimpleNamespace(name_fi="Puisto", name_sv="", name_en="Park")
    assert translated.columns(row, "name") == {"fi": "Puisto", "sv": "", "en": "Park"}
    assert translated.choose(translated.columns(row, "name"), "sv").text == "Puisto"


def test_pick_uses_the_same_rule_for_a_base_text_with_translations():
    # The original (Swedish) is empty: a Finnish reader gets the Finnish translation...
    got = translated.pick("", "sv", {"fi": {"title": "Otsikko"}}, "title", "en")
    assert (got.text, got.lang, got.fallback) == ("Otsikko", "fi", True)
    # ...and the same texts as versions give the same answer through choose.
    assert got == translated.choose({"sv": "", "fi": "Otsikko"}, "en", original="sv")


def test_every_storage_shape_falls_back_alike(app):
    """Per-language columns (raati, panel), JSON per field (ideas, feedback): one answer."""
    from deliberation.feedback.models import Unit
    from deliberation.ideas.models import IdeaRound
    from deliberation.raati.models import Raati
    from panel.recruitment.models import localised

    raati = Raati(title_fi="", title_sv="Rådet", title_en="")
    unit = Unit(name={"fi": "", "sv": "Rådet", "en": ""})
    round_ = IdeaRound(title={"fi": "", "sv": "Rådet", "en": ""})
    panel_row = SimpleNamespace(name_fi="", name_sv="Rådet", name_en="")
    assert raati.text("title", "en") == unit.text("name", "en") == round_.text("title", "en") \
        == localised(panel_row, "name", "en") == "Rådet"
    assert raati.text_lang("title", "en") == unit.text_lang("name", "en") \
        == round_.text_lang("title", "en") == "sv"
