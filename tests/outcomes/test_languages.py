"""Outcomes in the reader's language: translations carried from the process, decision and
impact translations with a marked fallback, dates in the locale's format on pages, mails and
documents, the Atom feed per language, and the easy-to-read Finnish switch."""
from __future__ import annotations

import io
import re
from datetime import datetime
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest

from kuulas.extensions import db
from deliberation.outcomes import sources

from deliberation.outcomes.models import Outcome

from .conftest import NOW, services

ATOM = "{http://www.w3.org/2005/Atom}"
ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")


def visible_text(html: str) -> str:
    """The page's text without attribute values (where ISO dates belong: <time datetime>)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def decided(make_outcome, preparer):
    """A published outcome (texts in Finnish, translated into Swedish only) with a decision
    and two impacts: the decision and one reasoning translated into Swedish and English."""
    o = make_outcome()
    services.save_translation(o.id, "sv", title="Hemvårdens framtid", question="Hur borde hemvården utvecklas?",
                              background="", summary="", actor=preparer, now=NOW)
    services.publish(o.id, actor=preparer, now=NOW)
    services.record_decision(
        o.id, body="Aluehallitus", meeting_date="2026-12-09", item="§ 12",
        summary="Iltakäynnit lisätään kaikille.", impacts={
            "section-1": ("adopted", "Lisätään syksyllä."), "section-2": ("pending", "Valmistellaan.")},
        translations={"sv": {"body": "Regionstyrelsen", "summary": "Kvällsbesök införs för alla."},
                      "en": {"body": "Regional Executive Board", "summary": ""}},
        impact_translations={"section-1": {"sv": "Införs på hösten.", "en": "Added in the autumn."},
                             "section-2": {"sv": "", "en": ""}},
        notify=False, actor=preparer, now=NOW)
    return db.session.get(Outcome, o.id)


def page(client, url, lang):
    return client.get(url, headers={"Accept-Language": lang}).get_data(as_text=True)


def test_swedish_reader_gets_the_decision_and_impact_in_swedish(client, decided):
    html = page(client, f"/tulokset/{decided.id}", "sv")
    assert '<h1 lang="sv">Hemvårdens framtid</h1>' in html
    assert '<span lang="sv">Regionstyrelsen</span>, 9 december 2026' in html
    assert 'lang="sv">Kvällsbesök införs för alla.</p>' in html
    assert 'lang="sv">Införs på hösten.</p>' in html
    # The untranslated reasoning is shown in Finnish, marked and announced as such.
    assert 'lang="fi">Valmistellaan.</p>' in html
    assert html.count("Den här texten finns bara på finska.") == 3   # background, summary and that reasoning
    assert "Iltakäynnit lisätään kaikille." not in html


def test_english_reader_falls_back_with_a_marker(client, decided):
    html = page(client, f"/tulokset/{decided.id}", "en")
    assert '<h1 lang="fi">Kotihoidon tulevaisuus</h1>' in html          # no English title
    assert '<span lang="en">Regional Executive Board</span>, 9 December 2026' in html
    assert 'lang="fi">Iltakäynnit lisätään kaikille.</p>' in html        # summary not translated
    assert 'lang="en">Added in the autumn.</p>' in html
    assert "This text is only in Finnish." in html
    fi = page(client, f"/tulokset/{decided.id}", "fi")
    assert "vain suomeksi" not in fi and "9. joulukuuta 2026" in fi


def test_pages_use_the_locale_date_format_not_iso(client, decided):
    for lang, marker in (("fi", "9. joulukuuta 2026"), ("sv", "9 december 2026"), ("en", "9 December 2026")):
        text = visible_text(page(client, f"/tulokset/{decided.id}", lang))
        assert marker in text
        assert not ISO_DATE.search(text), ISO_DATE.search(text)


def test_swedish_idea_round_page_shows_kl_times(app, client, make_staff):
    from deliberation.ideas import services as ideas

    admin = make_staff("preparer")
    now = datetime(2026, 12, 1, 8, 0)
    r = ideas.create_round({"title": {"fi": "Kierros", "sv": "Omgång"}, "question": {"fi": "Mitä?", "sv": "Vad?"},
                            "opens_at": datetime(2026, 12, 9, 7, 0), "closes_at": datetime(2026, 12, 20, 10, 0),
                            "moderation": "post", "comments_enabled": True, "max_length": 500},
                           actor=admin, now=now, publish=True)
    db.session.commit()
    html = visible_text(page(client, f"/ideariihi/{r.id}", "sv"))
    assert "kl. 9.00" in html and "9.12.2026" in html, html[:3000]
    assert not ISO_DATE.search(html)
    assert "klo 9.00" in visible_text(page(client, f"/ideariihi/{r.id}", "fi"))


def test_mail_in_the_recipients_language(app, decided, preparer, monkeypatch):
    from kuulas.mail.models import OutboxMail

    monkeypatch.setattr(sources, "recipients", lambda *a, **k: [("a@example.fi", "sv"), ("b@example.fi", "fi")])
    services.record_decision(decided.id, body="Aluehallitus", meeting_date="2026-12-09", item="§ 12",
                             summary="Iltakäynnit lisätään kaikille.",
                             impacts={"section-1": ("adopted", "Lisätään syksyllä.")},
                             translations={"sv": {"body": "Regionstyrelsen", "summary": "Kvällsbesök införs för alla."}},
                             impact_translations={"section-1": {"sv": "Införs på hösten."}},
                             decision_id=decided.decisions[0].id, actor=preparer, now=NOW)
    mails = {m.recipient: m.body_text for m in db.session.query(OutboxMail).all()}
    assert "Regionstyrelsen, 9 december 2026" in mails["a@example.fi"]
    assert "Införs på hösten." in mails["a@example.fi"] and "Lisätään syksyllä." not in mails["a@example.fi"]
    assert "Aluehallitus, 9. joulukuuta 2026" in mails["b@example.fi"]


def test_docx_uses_the_reader_language_and_date(client, decided):
    from docx import Document

    data = client.get(f"/tulokset/{decided.id}/lataa/outcome.docx", headers={"Accept-Language": "sv"}).data
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "Regionstyrelsen, 9 december 2026, § 12" in text
    assert "Den här texten finns bara på finska." in text
    assert not ISO_DATE.search(text)


def test_feed_per_language_summarises_the_decision(client, decided, make_outcome, preparer):
    waiting = make_outcome(title="Odottaa")
    services.publish(waiting.id, actor=preparer, now=NOW)
    for lang, expected in (("sv", "Regionstyrelsen beslutade 9 december 2026: Kvällsbesök införs för alla."),
                           ("fi", "Aluehallitus päätti 9. joulukuuta 2026: Iltakäynnit lisätään kaikille."),
                           ("en", "This text is only in Finnish. Decided by Regional Executive Board on 9 December 2026: "
                                  "Iltakäynnit lisätään kaikille.")):
        response = client.get(f"/tulokset/syote.atom?lang={lang}")
        assert response.status_code == 200 and response.mimetype == "application/atom+xml"
        feed = ElementTree.fromstring(response.data)        # well-formed XML
        assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
        summaries = {e.find(f"{ATOM}id").text.rsplit("/", 1)[1]: e.find(f"{ATOM}summary")
                     for e in feed.findall(f"{ATOM}entry")}
        assert summaries[str(decided.id)].text.startswith(expected)
        self_link = [l.get("href") for l in feed.findall(f"{ATOM}link") if l.get("rel") == "self"]
        assert self_link == [f"http://localhost/tulokset/syote.atom?lang={lang}"]
    en = ElementTree.fromstring(client.get("/tulokset/syote.atom?lang=en").data)
    entry = next(e for e in en.findall(f"{ATOM}entry") if e.find(f"{ATOM}id").text.endswith(f"/{decided.id}"))
    summary = entry.find(f"{ATOM}summary")
    assert summary.text.startswith("This text is only in Finnish.")   # the summary had no English version
    assert summary.get("{http://www.w3.org/XML/1998/namespace}lang") == "fi"
    sv = ElementTree.fromstring(client.get("/tulokset/syote.atom?lang=sv").data)
    waiting_entry = next(e for e in sv.findall(f"{ATOM}entry") if e.find(f"{ATOM}id").text.endswith(f"/{waiting.id}"))
    assert "Väntar på beslut. Frågan: Miten kotihoitoa" in waiting_entry.find(f"{ATOM}summary").text
    assert client.get("/tulokset/syote.atom?lang=de").status_code == 404


def test_plain_language_switch(client, decided, preparer):
    assert "selkokieli" not in page(client, f"/tulokset/{decided.id}", "fi")   # nothing written: no switch
    services.update_draft(decided.id, title=decided.title, question=decided.question, background=decided.background,
                          summary=decided.summary, plain_summary="Kysyimme asukkailta.\n\nHe vastasivat.",
                          actor=preparer, now=NOW)
    closed = page(client, f"/tulokset/{decided.id}", "sv")
    assert 'href="/tulokset/%d?selko=1#selkokieli"' % decided.id in closed
    assert 'aria-expanded="false"' in closed
    assert re.search(r'<section id="selkokieli"[^>]*lang="fi"[^>]*hidden>', closed)
    opened = page(client, f"/tulokset/{decided.id}?selko=1", "sv")
    assert 'aria-expanded="true"' in opened and "<p>Kysyimme asukkailta.</p><p>He vastasivat.</p>" in opened
    assert not re.search(r'<section id="selkokieli"[^>]*hidden>', opened)
    assert 'href="/tulokset/%d#selkokieli"' % decided.id in opened


def test_staff_enter_decision_translations_and_plain_summary(client, login, make_outcome, preparer):
    o = make_outcome()
    login(preparer)
    form = client.get(f"/hallinta/tulokset/{o.id}/paatos").get_data(as_text=True)
    assert 'name="body_sv"' in form and 'name="summary_en"' in form and 'name="reason_0_sv"' in form
    assert 'name="body_fi"' not in form            # the original language has no translation field
    r = client.post(f"/hallinta/tulokset/{o.id}/paatos", data={
        "body": "Aluehallitus", "meeting_date": "2026-12-09", "summary": "Päätettiin.",
        "body_sv": "Regionstyrelsen", "summary_sv": "Beslutat.", "status_0": "adopted", "reason_0": "Koska.",
        "reason_0_en": "Because."})
    assert r.status_code == 303, r.get_data(as_text=True)
    o = db.session.get(Outcome, o.id)
    assert o.decisions[0].translations == {"sv": {"body": "Regionstyrelsen", "summary": "Beslutat."}}
    assert o.impacts[0].translations == {"en": {"reasoning": "Because."}}
    again = client.get(f"/hallinta/tulokset/{o.id}/paatos/{o.decisions[0].id}").get_data(as_text=True)
    assert "Regionstyrelsen" in again and "Because." in again
    edit = client.get(f"/hallinta/tulokset/{o.id}").get_data(as_text=True)
    assert 'name="plain_summary"' in edit


# --- translations carried from each kind of process ---------------------------------------

TEXTS = {
    "fi": {"title": "Kotihoito", "question": "Mitä?", "background": "Taustaa."},
    "sv": {"title": "Hemvård", "question": "Vad?", "background": "Taustaa."},   # background not translated
    "en": {"title": "Kotihoito", "question": "Mitä?", "background": "Taustaa."},  # nothing translated
}


def fake_api(kind):
    def data(_id, locale="fi"):
        t = TEXTS[locale]
        base = {"title": t["title"], "question": t["question"], "background": t["background"],
                "summary_markdown": ""}
        return base | ({"sessions": [], "members": 3} if kind == "raati" else {})
    names = {"ideas": "round_outcome_data", "raati": "raati_outcome_data", "feedback": "item_outcome_data",
             "surveys": "survey_outcome_data"}
    listing = {"ideas": "finished_rounds", "raati": "finished_raatis", "feedback": "finished_items",
               "surveys": "finished_surveys"}
    return SimpleNamespace(**{names[kind]: data, listing[kind]: lambda: [{"id": 7, "title": "Kotihoito"}]})


@pytest.mark.parametrize("kind", sources.KINDS)
def test_translations_carried_from_each_kind_of_process(app, preparer, monkeypatch, kind):
    real = sources._api
    monkeypatch.setattr(sources, "_api", lambda name: fake_api(kind) if name == kind else real(name))
    o = services.create_draft(kind, 7, actor=preparer, now=NOW)
    # The process's translations, and the starting summary line (ours) in every language.
    data = sources.load(kind, 7, "fi")
    lines = {lang: services._prefill_summary(data, lang) for lang in ("sv", "en")}
    expected = {"sv": {"title": "Hemvård", "question": "Vad?"}}
    for lang, line in lines.items():
        if line:
            expected.setdefault(lang, {})["summary"] = line
    assert o.translations == expected
    if kind == "ideas":
        assert lines["sv"] and lines["sv"] != services._prefill_summary(data, "fi")
    from deliberation.outcomes.present import texts

    sv = texts(o, "sv")
    assert (sv.title, sv.title_lang, sv.background, sv.background_lang) == ("Hemvård", "sv", "Taustaa.", "fi")
    assert sv.fallback == frozenset({"background"})
    assert texts(o, "en").title_lang == "fi"


def test_real_digiraati_translations_are_carried(app, preparer, make_staff):
    from deliberation.raati import services as raati_services

    from .sources_helpers import finished_raati

    admin = make_staff("administrator")
    with app.test_request_context():
        raati_id = finished_raati(admin, NOW)
    raati_services.save_raati(raati_id, {"title_fi": "Kotihoidon iltakäynnit", "title_en": "Evening visits",
                                         "question_fi": "Miten kotihoidon iltakäyntejä pitäisi kehittää?",
                                         "question_en": "How should evening visits develop?",
                                         "background_fi": "Hyvinvointialue valmistelee kotihoidon uudistusta."},
                              actor=admin, now=NOW)
    db.session.commit()
    o = services.create_draft("raati", raati_id, actor=preparer, now=NOW)
    data = sources.load("raati", raati_id, "fi")
    assert o.translations["en"] == {"title": "Evening visits", "question": "How should evening visits develop?",
                                    "summary": services._prefill_summary(data, "en")}
    assert o.translations["sv"] == {"summary": services._prefill_summary(data, "sv")}
    assert o.translations["sv"]["summary"] != o.summary


def test_pdf_document_html_in_the_reader_language(app, decided):
    """The HTML the PDF is printed from (WeasyPrint itself is exercised in test_exports_api)."""
    from flask import render_template
    from flask_babel import force_locale

    from deliberation.outcomes import exports

    with app.test_request_context(), force_locale("sv"):
        html = render_template("outcomes/document.html", **exports._context(decided, "outcome"))
    assert '<span lang="sv">Regionstyrelsen</span>, 9 december 2026, § 12' in html
    assert "Den här texten finns bara på finska." in html and '<span lang="sv">Införs på hösten.</span>' in html
    assert not ISO_DATE.search(visible_text(html))
