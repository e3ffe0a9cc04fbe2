"""Exports (DOCX, PDF/UA, CSV/XLSX, JSON), the open-data API against its OpenAPI
document, attachments, notifications and the metrics dashboard."""
import csv
import io
import shutil
import subprocess
from datetime import timedelta

import pytest

from kuulas.extensions import db
from deliberation.outcomes import exports

from deliberation.outcomes.models import Outcome

from .conftest import NOW, services


@pytest.fixture
def published(make_outcome, preparer):
    o = make_outcome()
    services.publish(o.id, actor=preparer, now=NOW)
    services.record_decision(o.id, body="Aluehallitus", meeting_date="2026-05-20", item="§ 123",
                             minutes_url="https://example.fi/pk/123",
                             impacts={"section-1": ("adopted", "Lisätään syksyllä.")}, actor=preparer, now=NOW)
    return db.session.get(Outcome, o.id)


def test_openapi_document_describes_every_response(client, published, make_outcome):
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    make_outcome()  # an unpublished one, to make sure it is not listed
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    Draft202012Validator.check_schema({"$defs": spec["components"]["schemas"]})
    registry = Registry().with_resource(
        "urn:spec", Resource.from_contents({"$schema": "https://json-schema.org/draft/2020-12/schema", **spec}))

    def validate(path, status, body):
        op = spec["paths"][path]["get"]
        schema = op["responses"][str(status)]["content"]["application/json"]["schema"]
        ref = {"$ref": "urn:spec" + schema["$ref"]}
        Draft202012Validator(ref, registry=registry).validate(body)

    responses = [
        ("/outcomes", "/api/v1/outcomes"), ("/outcomes", "/api/v1/outcomes?kind=raati&status=decided&year=2026"),
        ("/outcomes", "/api/v1/outcomes?kind=bogus"), ("/outcomes", "/api/v1/outcomes?limit=0"),
        ("/outcomes/{id}", f"/api/v1/outcomes/{published.id}"), ("/outcomes/{id}", "/api/v1/outcomes/999"),
        ("/outcomes/{id}", f"/api/v1/outcomes/{published.id + 1}"),
    ]
    seen = set()
    for path, url in responses:
        r = client.get(url)
        seen.add(r.status_code)
        validate(path, r.status_code, r.get_json())
    assert seen == {200, 400, 404}
    # The check has teeth: a key the document does not describe is refused.
    import jsonschema

    with pytest.raises(jsonschema.ValidationError):
        validate("/outcomes/{id}", 200, client.get(f"/api/v1/outcomes/{published.id}").get_json() | {"extra": 1})
    listing = client.get("/api/v1/outcomes").get_json()
    assert [i["id"] for i in listing["items"]] == [published.id] and listing["count"] == 1
    assert client.get("/api/v1/outcomes").headers["Access-Control-Allow-Origin"] == "*"


def test_json_keys_are_an_allowlist(client, published):
    doc = client.get(f"/api/v1/outcomes/{published.id}").get_json()
    flat = repr(doc)
    for leak in ("created_by", "actor", "@example.fi", "recorded_by", "member_account_ids", "email"):
        assert leak not in flat


def test_docx_and_pdf_open_and_carry_the_text(client, published, tmp_path):
    from docx import Document

    r = client.get(f"/tulokset/{published.id}/lataa/outcome.docx")
    assert r.status_code == 200 and r.mimetype == exports.DOCX_TYPE
    text = "\n".join(p.text for p in Document(io.BytesIO(r.data)).paragraphs)
    assert "Kotihoidon tulevaisuus" in text and "Lisää iltakäyntejä." in text and "Lisätään syksyllä." in text
    assert "Pirkanmaan hyvinvointialue" in text
    r = client.get(f"/tulokset/{published.id}/lataa/statement.pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    path = tmp_path / "s.pdf"
    path.write_bytes(r.data)
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        meta = subprocess.run(["pdfinfo", "-meta", str(path)], capture_output=True, text=True, check=True).stdout
        assert "Tagged:          yes" in info and "pdfuaid:part" in meta     # tagged, PDF/UA-1
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "Lisää iltakäyntejä." in text and "Pirkanmaan hyvinvointialue" in text


def test_results_spreadsheets_neutralise_formulas(app, make_outcome, preparer, client):
    from openpyxl import load_workbook

    o = make_outcome(kind="ideas", points=[])
    o.results = {"top_ideas": [{"text": "=HYPERLINK(\"http://evil\",\"x\")", "agree": 3, "disagree": 1, "pass": 0,
                                "themes": ["+tema"]}, {"text": "Normaali idea", "agree": -0}]}
    db.session.commit()
    services.publish(o.id, actor=preparer, now=NOW)
    rows = list(csv.reader(io.StringIO(client.get(f"/tulokset/{o.id}/lataa/results.csv").data.decode("utf-8-sig"))))
    assert rows[1][0].startswith("'=") and rows[1][4] == "'+tema" and rows[2][0] == "Normaali idea"
    wb = load_workbook(io.BytesIO(client.get(f"/tulokset/{o.id}/lataa/results.xlsx").data))
    cells = [c for row in wb.active.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert wb.active["A2"].value.startswith("'=")
    assert client.get(f"/tulokset/{published_raati(make_outcome, preparer)}/lataa/results.csv").status_code == 404


def published_raati(make_outcome, preparer):
    o = make_outcome()
    services.publish(o.id, actor=preparer, now=NOW)
    return o.id


def test_attachments_are_checked_and_only_public_when_published(client, login, make_outcome, preparer):
    o = make_outcome()
    login(preparer)
    bad = client.post(f"/hallinta/tulokset/{o.id}/liitteet", data={
        "title": "Kuva", "file": (io.BytesIO(b"<svg onload=alert(1)>"), "kuva.pdf")},
        content_type="multipart/form-data")
    assert bad.status_code == 400
    assert "tiedoston sisältö ei vastaa sen nimeä" in bad.get_data(as_text=True)   # the reason, in Finnish
    assert db.session.get(Outcome, o.id).attachments == []
    ok = client.post(f"/hallinta/tulokset/{o.id}/liitteet", data={
        "title": "Esitys", "file": (io.BytesIO(b"%PDF-1.4 test"), "../esitys <b>.pdf")},
        content_type="multipart/form-data")
    assert ok.status_code == 303
    att = db.session.get(Outcome, o.id).attachments[0]
    assert att.filename == "esitys b.pdf" and len(db.session.get(Outcome, o.id).attachments) == 1
    anon = client.application.test_client()
    assert anon.get(f"/tulokset/{o.id}/liitteet/{att.id}").status_code == 404
    services.publish(o.id, actor=preparer, now=NOW)
    r = anon.get(f"/tulokset/{o.id}/liitteet/{att.id}")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment;")
    assert r.headers["X-Content-Type-Options"] == "nosniff" and "sandbox" in r.headers["Content-Security-Policy"]
    other = make_outcome()
    services.publish(other.id, actor=preparer, now=NOW)
    assert anon.get(f"/tulokset/{other.id}/liitteet/{att.id}").status_code == 404


def test_staff_publish_form_validates_the_time(client, login, make_outcome, preparer):
    o = make_outcome()
    login(preparer)
    r = client.post(f"/hallinta/tulokset/{o.id}/julkaise", data={"when": "later", "publish_at": "huomenna"})
    assert r.status_code == 400
    r = client.post(f"/hallinta/tulokset/{o.id}/julkaise", data={"when": "later", "publish_at": "2020-01-01T10:00"})
    assert r.status_code == 400
    assert db.session.get(Outcome, o.id).state == "draft"
    r = client.post(f"/hallinta/tulokset/{o.id}/julkaise", data={"when": "later", "publish_at": "2099-01-01T10:00"})
    assert r.status_code == 400            # not confirmed
    assert db.session.get(Outcome, o.id).state == "draft"
    r = client.post(f"/hallinta/tulokset/{o.id}/julkaise",
                    data={"when": "later", "publish_at": "2099-01-01T10:00", "confirm": "y"})
    assert r.status_code == 303
    o = db.session.get(Outcome, o.id)
    assert o.state == "scheduled" and o.publish_at.hour == 8   # 10:00 Helsinki (EET) = 08:00 UTC


def test_metrics_dashboard(client, login, published, preparer):
    login(preparer)
    html = client.get("/hallinta/tulokset/mittarit").get_data(as_text=True)
    assert "Kotihoidon tulevaisuus" in html
    records = services.metrics_records(actor=preparer, now=NOW)
    rec = next(r for r in records if r["outcome_id"] == published.id)
    assert rec["impact_recorded"] and rec["tvd"] == pytest.approx(0.225) and rec["participants"] == 40
    assert client.get("/hallinta").status_code == 200
    assert "/hallinta/tulokset/mittarit" in client.get("/hallinta").get_data(as_text=True)


def test_outcome_texts_carry_their_language_on_every_channel(client, login, published, preparer):
    """A Swedish text on a Finnish page is marked lang="sv" (WCAG 3.1.2), in HTML, the feed,
    the API and the DOCX; an unknown language is refused and changes nothing."""
    from xml.etree import ElementTree

    from docx import Document
    from docx.oxml.ns import qn

    login(preparer)
    form = {"title": "Hemvårdens framtid", "question": "Hur borde hemvården utvecklas?", "background": "Bakgrund.",
            "summary": "Rådet föreslog fler kvällsbesök."}
    bad = client.post(f"/hallinta/tulokset/{published.id}", data=form | {"language": "de"})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Outcome, published.id).language == "fi"
    assert db.session.get(Outcome, published.id).title == "Kotihoidon tulevaisuus"

    assert client.post(f"/hallinta/tulokset/{published.id}", data=form | {"language": "sv"}).status_code == 303
    page = client.get(f"/tulokset/{published.id}").get_data(as_text=True)
    assert '<html lang="fi">' in page
    assert '<h1 lang="sv">Hemvårdens framtid</h1>' in page
    assert '<div class="prose summary" lang="sv">' in page
    assert 'lang="sv">Hemvårdens framtid</a>' in client.get("/tulokset").get_data(as_text=True)
    feed = ElementTree.fromstring(client.get("/tulokset/syote.atom").data)
    entry = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title")
    assert entry.text == "Hemvårdens framtid" and entry.get("{http://www.w3.org/XML/1998/namespace}lang") == "sv"
    assert client.get(f"/api/v1/outcomes/{published.id}").get_json()["language"] == "sv"
    assert client.get("/api/v1/outcomes").get_json()["items"][0]["language"] == "sv"
    doc = Document(io.BytesIO(client.get(f"/tulokset/{published.id}/lataa/outcome.docx").data))
    langs = {p.text: {r._r.rPr.find(qn("w:lang")).get(qn("w:val")) for r in p.runs}
             for p in doc.paragraphs if p.runs and p.runs[0]._r.rPr is not None
             and p.runs[0]._r.rPr.find(qn("w:lang")) is not None}
    assert langs["Hur borde hemvården utvecklas?"] == {"sv-FI"}
    assert langs["Rådet föreslog fler kvällsbesök."] == {"sv-FI"}
    assert langs["Lisätään syksyllä."] == {"sv-FI"}  # the impact reasoning is the preparer's text too


def test_translated_texts_reach_readers_of_that_language(client, login, published, preparer):
    """A Swedish version of the outcome's own texts is shown to Swedish readers (marked
    lang="sv"), in the page, listing, feed, front page, API and documents; Finnish readers keep
    the original; bad input saves nothing; an empty title removes the translation."""
    from xml.etree import ElementTree

    from docx import Document

    login(preparer)
    url = f"/hallinta/tulokset/{published.id}/kaannos/sv"
    assert 'id="translation-sv"' in client.get(f"/hallinta/tulokset/{published.id}").get_data(as_text=True)
    bad = client.post(url, data={"sv-title": "", "sv-summary": "Bara en sammanfattning."})
    assert bad.status_code == 400 and "Bara en sammanfattning." in bad.get_data(as_text=True)  # input kept
    assert client.post(f"/hallinta/tulokset/{published.id}/kaannos/fi", data={"fi-title": "X"}).status_code == 400
    assert client.post(f"/hallinta/tulokset/{published.id}/kaannos/de", data={"de-title": "X"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Outcome, published.id).translations == {}

    r = client.post(url, data={"sv-title": "Hemvårdens framtid", "sv-question": "Hur borde hemvården utvecklas?",
                               "sv-summary": "Rådet föreslog **fler** kvällsbesök."})
    assert r.status_code == 303
    client.get("/kieli/sv")
    page = client.get(f"/tulokset/{published.id}").get_data(as_text=True)
    assert '<h1 lang="sv">Hemvårdens framtid</h1>' in page and "<strong>fler</strong>" in page
    assert 'lang="sv">Hemvårdens framtid</a>' in client.get("/tulokset").get_data(as_text=True)
    assert 'lang="sv">Hemvårdens framtid</a>' in client.get("/").get_data(as_text=True)
    feed = ElementTree.fromstring(client.get("/tulokset/syote.atom").data)
    assert feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title").text == "Hemvårdens framtid"
    doc = Document(io.BytesIO(client.get(f"/tulokset/{published.id}/lataa/outcome.docx").data))
    assert any("Hemvårdens framtid" in p.text for p in doc.paragraphs)
    api = client.get(f"/api/v1/outcomes/{published.id}").get_json()
    assert api["title"] == "Kotihoidon tulevaisuus" and api["language"] == "fi"
    assert api["translations"]["sv"]["title"] == "Hemvårdens framtid"

    client.get("/kieli/fi")
    page = client.get(f"/tulokset/{published.id}").get_data(as_text=True)
    assert '<h1 lang="fi">Kotihoidon tulevaisuus</h1>' in page
    client.get("/kieli/en")  # no English version: the original, marked Finnish
    assert '<h1 lang="fi">Kotihoidon tulevaisuus</h1>' in client.get(f"/tulokset/{published.id}").get_data(as_text=True)

    # A translation of the title alone keeps the original summary, marked as Finnish.
    assert client.post(url, data={"sv-title": "Bara rubriken"}).status_code == 303
    client.get("/kieli/sv")
    page = client.get(f"/tulokset/{published.id}").get_data(as_text=True)
    assert '<h1 lang="sv">Bara rubriken</h1>' in page
    assert '<div class="prose summary" lang="fi"><p>Raati suositti <strong>lisää</strong>' in page

    assert client.post(url, data={"sv-title": ""}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Outcome, published.id).translations == {}
