"""Publishing, visibility on every channel, decisions and impact, bad input."""
import re
from datetime import date, timedelta
from xml.etree import ElementTree

import pytest

from kuulas.errors import AccessDenied, ValidationFailed
from kuulas.extensions import db
from deliberation.outcomes import jobs  # noqa: F401  (job registered)
from deliberation.outcomes.models import DRAFT, PUBLISHED, SCHEDULED, Outcome

from .conftest import NOW, services

ATOM = "{http://www.w3.org/2005/Atom}"


def channels(client, o):
    """What each public channel shows for outcome ``o``."""
    page = client.get(f"/tulokset/{o.id}")
    listing = client.get("/tulokset").get_data(as_text=True)
    feed = ElementTree.fromstring(client.get("/tulokset/syote.atom").data)
    feed_ids = [e.find(f"{ATOM}id").text for e in feed.findall(f"{ATOM}entry")]
    api_item = client.get(f"/api/v1/outcomes/{o.id}")
    api_list = client.get("/api/v1/outcomes").get_json()
    exports = {f"{n}.{f}": client.get(f"/tulokset/{o.id}/lataa/{n}.{f}").status_code
               for n, f in [("outcome", "pdf"), ("outcome", "docx"), ("statement", "docx"), ("outcome", "json")]}
    return {"page": page.status_code, "listed": f"/tulokset/{o.id}\"" in listing,
            "feed": any(i.endswith(f"/tulokset/{o.id}") for i in feed_ids),
            "api": api_item.status_code, "api_listed": any(i["id"] == o.id for i in api_list["items"]),
            "exports": exports}


def test_unpublished_outcome_is_reachable_nowhere_then_everywhere(client, make_outcome, preparer):
    o = make_outcome()
    hidden = channels(client, o)
    assert hidden == {"page": 404, "listed": False, "feed": False, "api": 404, "api_listed": False,
                      "exports": {k: 404 for k in hidden["exports"]}}
    assert "Kotihoidon" not in client.get("/").get_data(as_text=True)
    services.publish(o.id, actor=preparer, now=NOW)
    shown = channels(client, o)
    assert shown == {"page": 200, "listed": True, "feed": True, "api": 200, "api_listed": True,
                     "exports": {k: 200 for k in shown["exports"]}}
    assert "Kotihoidon tulevaisuus" in client.get("/").get_data(as_text=True)
    services.withdraw(o.id, actor=preparer, now=NOW)
    assert channels(client, o) == hidden


def test_scheduled_outcome_stays_hidden_until_the_job_publishes_it(app, client, make_outcome, preparer):
    from kuulas.scheduler import run_job

    o = make_outcome()
    services.publish(o.id, at=NOW + timedelta(hours=2), actor=preparer, now=NOW)
    assert db.session.get(Outcome, o.id).state == SCHEDULED
    assert channels(client, o)["page"] == 404
    assert run_job(app, "outcomes.publish_due", NOW + timedelta(hours=1)) == {"published": 0}
    assert channels(client, o)["api"] == 404
    assert run_job(app, "outcomes.publish_due", NOW + timedelta(hours=3)) == {"published": 1}
    assert run_job(app, "outcomes.publish_due", NOW + timedelta(hours=4)) == {"published": 0}
    db.session.expire_all()
    o = db.session.get(Outcome, o.id)
    assert o.state == PUBLISHED and o.published_at == NOW + timedelta(hours=2)
    assert channels(client, o)["page"] == 200


def test_bad_publication_input_publishes_nothing(app, make_outcome, preparer):
    o = make_outcome(summary="   ")
    o2 = make_outcome()
    # English, to read the translated reasons; popped again so no later test inherits it.
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(ValidationFailed, match="summary"):
            services.publish(o.id, actor=preparer, now=NOW)
        with pytest.raises(ValidationFailed, match="past"):
            services.publish(o2.id, at=NOW - timedelta(minutes=1), actor=preparer, now=NOW)
    for oid in (o.id, o2.id):
        row = db.session.get(Outcome, oid)
        assert row.state == DRAFT and row.published_at is None and row.publish_at is None


def test_only_preparers_and_administrators_manage(make_outcome, make_staff, client, login):
    o = make_outcome()
    moderator = make_staff("moderator")
    with pytest.raises(AccessDenied):
        services.publish(o.id, actor=moderator, now=NOW)
    assert client.get(f"/hallinta/tulokset/{o.id}").status_code == 302      # anonymous -> sign in
    login(moderator)
    assert client.get(f"/hallinta/tulokset/{o.id}").status_code == 403
    assert client.post(f"/hallinta/tulokset/{o.id}/julkaise", data={"when": "now"}).status_code == 403
    assert client.get(f"/hallinta/tulokset/{o.id}/lataa/outcome.pdf").status_code == 403
    assert client.get("/hallinta/tulokset/mittarit").status_code == 403
    assert db.session.get(Outcome, o.id).state == DRAFT


def impacts_form(**over):
    data = {"body": "Aluehallitus", "meeting_date": "2026-05-20", "item": "§ 123",
            "minutes_url": "https://example.fi/pk/123", "summary": "Hyväksyttiin.",
            "status_0": "adopted", "reason_0": "Iltakäynnit lisätään syksyllä.",
            "status_1": "pending", "reason_1": "Valmistellaan.", "notify": "y"}
    data.update(over)
    return data


@pytest.mark.parametrize("over,message", [
    ({"reason_0": ""}, "Perustele selkeällä kielellä"),
    ({"minutes_url": "javascript:alert(1)"}, "Pöytäkirjan linkin"),
    ({"minutes_url": "www.example.fi/pk"}, "Pöytäkirjan linkin"),
])
def test_bad_decision_input_saves_nothing(client, login, make_outcome, preparer, over, message):
    o = make_outcome()
    login(preparer)
    response = client.post(f"/hallinta/tulokset/{o.id}/paatos", data=impacts_form(**over))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    o = db.session.get(Outcome, o.id)
    assert o.decisions == [] and o.impacts == []


def test_impact_changes_are_dated_and_kept(client, login, make_outcome, preparer):
    o = make_outcome()
    services.publish(o.id, actor=preparer, now=NOW)
    login(preparer)
    r = client.post(f"/hallinta/tulokset/{o.id}/paatos", data=impacts_form())
    assert r.status_code == 303
    decision_id = db.session.get(Outcome, o.id).decisions[0].id
    r = client.post(f"/hallinta/tulokset/{o.id}/paatos/{decision_id}",
                    data=impacts_form(status_1="partly", reason_1="Kokeillaan kahdessa kunnassa."))
    assert r.status_code == 303
    r = client.post(f"/hallinta/tulokset/{o.id}/seuranta", data={"entry_date": "2027-04-01",
                                                                  "text": "Toteutettu keväällä 2027."})
    assert r.status_code == 303
    o = db.session.get(Outcome, o.id)
    assert [(i.point_key, i.status) for i in o.impacts] == [
        ("section-1", "adopted"), ("section-2", "pending"), ("section-2", "partly")]
    assert [c.action for c in o.changes][-3:] == ["decision_recorded", "decision_edited", "follow_up"]
    doc = client.get(f"/api/v1/outcomes/{o.id}").get_json()
    second = next(i for i in doc["impacts"] if i["point"] == "section-2")
    assert second["status"] == "partly" and [h["status"] for h in second["history"]] == ["pending", "partly"]
    page = client.get(f"/tulokset/{o.id}").get_data(as_text=True)
    assert "Kokeillaan kahdessa kunnassa." in page and "Toteutettu keväällä 2027." in page
    assert "§ 123" in page and 'href="https://example.fi/pk/123"' in page


def test_public_page_suppresses_small_cells_and_has_chart_and_table(client, make_outcome, preparer):
    o = make_outcome()
    services.publish(o.id, actor=preparer, now=NOW)
    html = client.get(f"/tulokset/{o.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert re.search(r"<svg [^>]*role=\"img\"", html) and ">Ikäryhmä</caption>" in html
    assert "fewer than 5 (hidden to protect privacy)" in html
    assert "<td>3</td>" not in html and "<td>12</td>" not in html and "<td>25</td>" in html
    assert "style=" not in html
    assert "CC BY 4.0" in html
    doc = client.get(f"/api/v1/outcomes/{o.id}").get_json()
    counts = [c["count"] for c in doc["composition"][0]["categories"]]
    assert counts == [None, 25, None]


def test_public_pages_are_cached_and_revalidated(client, make_outcome, preparer):
    o = make_outcome()
    services.publish(o.id, actor=preparer, now=NOW)
    first = client.get(f"/tulokset/{o.id}")
    etag = first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"]
    assert client.get(f"/tulokset/{o.id}", headers={"If-None-Match": etag}).status_code == 304
    services.add_follow_up(o.id, entry_date=date(2026, 6, 1), text="Uusi seurantamerkintä", actor=preparer, now=NOW)
    again = client.get(f"/tulokset/{o.id}", headers={"If-None-Match": etag})
    assert again.status_code == 200 and "Uusi seurantamerkintä" in again.get_data(as_text=True)


def test_user_text_is_inert_everywhere(client, make_outcome, preparer):
    payload = '<script>alert(1)</script><img src=x onerror=alert(1)>[x](javascript:alert(1))'
    o = make_outcome(title=payload, summary=payload)
    services.publish(o.id, actor=preparer, now=NOW)
    for url in (f"/tulokset/{o.id}", "/tulokset", "/", "/tulokset/syote.atom"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in body and "<img src=x" not in body and 'href="javascript' not in body
