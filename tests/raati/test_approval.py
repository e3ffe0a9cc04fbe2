"""Locking the statement needs the approval rule of the raati (default: a majority of the
members on every section) or the chair's recorded override where staff allow it; an edit
resets approvals and says so; the outcome page, PDF and DOCX carry the approval record and
never call an unapproved statement approved."""
from __future__ import annotations

import io

import pytest

from kuulas.clock import utcnow
from tests.raati.conftest import emit, received


def _section(room, title="Jatkuvuus", text="Sama lääkäri."):
    sec = room.socket("secretary")
    ack = emit(sec, "section", {"title": title, "text": text})
    assert ack["ok"], ack
    return sec, [e for e in received(sec) if e["kind"] == "section"][-1]["data"]["id"]


def _approve(room, sid, *keys):
    for key in keys:
        ack = emit(room.socket(key), "review", {"id": sid, "verdict": "approve"})
        assert ack["ok"], ack


def test_pure_rule():
    from deliberation.raati import statement

    assert [statement.needed("majority", n) for n in (0, 1, 4, 5)] == [1, 1, 3, 3]
    assert statement.needed("all", 5) == 5
    checked = statement.approval("majority", 5, [(1, "A", 2, 3), (2, "B", 1, 2)])
    assert [c.met for c in checked] == [True, False]
    with pytest.raises(ValueError):
        statement.approval("whatever", 5, [])


def test_lock_without_approval_is_refused_and_names_the_sections(room):
    sec, first = _section(room, "Jatkuvuus")
    _sec, second = _section(room, "Etävastaanotto", "Myös etänä.")
    _approve(room, first, "a", "b", "c")
    _approve(room, second, "a")
    chair = room.socket("chair", headers={"Accept-Language": "en"})
    ack = emit(chair, "lock")
    assert ack["ok"] is False and ack["code"] == "not_approved"
    assert "Etävastaanotto (1/3)" in ack["error"] and "Jatkuvuus" not in ack["error"]
    from deliberation.raati.models import Raati
    from kuulas.extensions import db

    db.session.expire_all()
    raati = db.session.get(Raati, room.id)
    assert raati.drafting_closed_at is None and raati.statement_sha256 is None
    # an override is refused too: this raati does not allow it
    ack = emit(chair, "lock", {"override": "Aika loppui"})
    assert ack["ok"] is False and ack["code"] == "not_approved"
    _approve(room, second, "b", "chair")
    ack = emit(chair, "lock")
    assert ack["ok"], ack
    db.session.expire_all()
    record = db.session.get(Raati, room.id).lock_record
    assert record["approved"] is True and record["override"] is None and record["members"] == 5
    assert [(s["title"], s["approvals"], s["needed"]) for s in record["sections"]] == [
        ("Jatkuvuus", 3, 3), ("Etävastaanotto", 3, 3)]


def test_an_edit_resets_approvals_and_says_so(room):
    sec, sid = _section(room)
    _approve(room, sid, "a", "b", "c")
    a = room.socket("a")
    ack = emit(sec, "section", {"id": sid, "title": "Jatkuvuus", "text": "Sama lääkäri, aina."})
    assert ack["ok"]
    event = [e for e in received(a) if e["kind"] == "section"][-1]["data"]
    assert event["reset"] == 3 and event["version"] == 2 and event["approve"] == 0
    assert emit(room.socket("chair"), "lock")["code"] == "not_approved"  # old approvals no longer count
    html = room.person("b").client.get(f"/raati/{room.id}/kannanotto").get_data(as_text=True)  # Finnish
    assert "Tämän version hyväksynnät: 0 / 5 jäsentä (tarvitaan 3)" in html
    assert "Tämä muutos nollasi version 1 saamat hyväksynnät." in html


def test_chair_override_needs_permission_and_a_reason_and_is_recorded(room):
    from deliberation.raati import services
    from deliberation.raati.models import Raati
    from kuulas.extensions import db

    services.save_raati(room.id, {"title_fi": "Omalääkärimalli", "question_fi": "Miten?",
                                  "approval_rule": "majority", "allow_override": True},
                        actor=room.staff, now=utcnow())
    db.session.commit()
    _sec, sid = _section(room)
    _approve(room, sid, "a")
    chair = room.socket("chair")
    assert emit(chair, "lock", {"override": "   "})["code"] == "not_approved"
    ack = emit(chair, "lock", {"override": "Valtuuston aikataulu"})
    assert ack["ok"], ack
    db.session.expire_all()
    record = db.session.get(Raati, room.id).lock_record
    assert record["approved"] is False and record["override"] == "Valtuuston aikataulu"
    assert record["sections"][0]["approvals"] == 1 and record["sections"][0]["met"] is False


def test_lock_page_without_javascript(room):
    """The chair's confirmation step is a page: it lists the approvals, and locks only when
    confirmed; a member cannot open it."""
    _sec, sid = _section(room)
    chair = room.person("chair").client
    page = chair.get(f"/raati/{room.id}/kannanotto/lukitse")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Jatkuvuus" in html and 'id="lock-blocked"' in html
    assert room.person("a").client.get(f"/raati/{room.id}/kannanotto/lukitse").status_code == 403
    _approve(room, sid, "a", "b", "c")
    r = chair.post(f"/raati/{room.id}/kannanotto/lukitse", data={})
    assert r.status_code == 400  # not confirmed
    from deliberation.raati.models import Raati
    from kuulas.extensions import db

    db.session.expire_all()
    assert db.session.get(Raati, room.id).drafting_closed_at is None
    r = chair.post(f"/raati/{room.id}/kannanotto/lukitse", data={"confirm": "y"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Raati, room.id).lock_record["approved"] is True


def _published_outcome(room):
    """Finish the raati and publish its outcome through the outcomes services."""
    from deliberation.outcomes import services as outcomes
    from deliberation.raati import services
    from kuulas.extensions import db

    services.set_state(room.id, "finished", actor=room.staff, now=utcnow())
    db.session.commit()
    outcome = outcomes.create_draft("raati", room.id, actor=room.staff, now=utcnow())
    db.session.commit()
    outcomes.publish(outcome.id, actor=room.staff, now=utcnow())
    db.session.commit()
    return outcome.id


@pytest.mark.parametrize("override", [False, True])
def test_outcome_page_pdf_and_docx_carry_the_approval_record(room, app, override):
    import shutil
    import subprocess

    from docx import Document

    from deliberation.raati import services
    from kuulas.extensions import db

    services.save_raati(room.id, {"title_fi": "Omalääkärimalli", "question_fi": "Miten?",
                                  "allow_override": override}, actor=room.staff, now=utcnow())
    db.session.commit()
    _sec, sid = _section(room)
    if override:
        _approve(room, sid, "a")
        assert emit(room.socket("chair"), "lock", {"override": "Valtuuston aikataulu"})["ok"]
        expected = ["Jatkuvuus: approved by 1 of 5 members (3 needed) – not approved",
                    "Reason: Valtuuston aikataulu"]
    else:
        _approve(room, sid, "a", "b", "c")
        assert emit(room.socket("chair"), "lock")["ok"]
        expected = ["Jatkuvuus: approved by 3 of 5 members (3 needed)",
                    "Every section had the approval the rule needs."]
    expected += ["5 members could approve.", "A majority of the members approves every section"]
    oid = _published_outcome(room)
    from deliberation.raati.models import Raati

    sha = db.session.get(Raati, room.id).statement_sha256
    anon = app.test_client()
    page = anon.get(f"/tulokset/{oid}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    docx = anon.get(f"/tulokset/{oid}/lataa/statement.docx", headers={"Accept-Language": "en"})
    docx_text = "\n".join(p.text for p in Document(io.BytesIO(docx.data)).paragraphs)
    texts = {"page": page, "docx": docx_text}
    if shutil.which("pdftotext"):
        pdf = anon.get(f"/tulokset/{oid}/lataa/statement.pdf", headers={"Accept-Language": "en"})
        texts["pdf"] = subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True,
                                      check=True).stdout.decode()
    for where, text in texts.items():
        flat = " ".join(text.replace("&#39;", "'").split())
        for line in expected + [sha]:
            assert line in flat, (where, line)
        if override:
            assert "Statement approved" not in flat, where
