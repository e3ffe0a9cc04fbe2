"""The follow pages in Finnish, Swedish and English: the form on the outcome page, errors
next to the field, confirming by the mailed link, managing, and unsubscribing with one
click (the page's button, and a mail program's RFC 8058 POST)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kuulas.extensions import db

from deliberation.follow.models import Follow, FollowAddress

from .conftest import follow_mails, link, path_of

TEXTS = {
    "fi": {"heading": "Seuraa tätä tulosta", "error": "Anna sähköpostiosoite, esimerkiksi nimi@example.fi.",
           "sent": "Melkein valmista", "confirm": "Vahvista ja aloita seuraaminen", "now": "Seuraat nyt",
           "manage": "Mitä seuraat", "stop": "Lopeta kaikki ja poista osoitteeni", "gone": "Et enää seuraa mitään",
           "title": "Kotihoidon tulevaisuus", "subject": "Vahvista, että haluat seurata: Kotihoidon tulevaisuus"},
    "sv": {"heading": "Följ det här resultatet", "error": "Ange en e-postadress, till exempel namn@example.fi.",
           "sent": "Nästan klart", "confirm": "Bekräfta och börja följa", "now": "Du följer nu",
           "manage": "Det du följer", "stop": "Sluta följa allt och radera min adress",
           "gone": "Du följer inte längre något", "title": "Hemvårdens framtid",
           "subject": "Bekräfta att du vill följa: Hemvårdens framtid"},
    "en": {"heading": "Follow this outcome", "error": "Enter an e-mail address such as name@example.fi.",
           "sent": "Almost done", "confirm": "Confirm and start following", "now": "You are now following",
           "manage": "What you follow", "stop": "Stop all and delete my address",
           "gone": "You no longer follow anything", "title": "The future of home care",
           "subject": "Confirm that you want to follow: The future of home care"},
}


def _lang(client, code):
    client.get(f"/kieli/{code}")


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_follow_confirm_manage_unsubscribe(app, client, published_outcome, lang):
    t = TEXTS[lang]
    _lang(client, lang)
    page = client.get(f"/tulokset/{published_outcome.id}").get_data(as_text=True)
    assert t["heading"] in page and 'id="follow-email"' in page
    action = f"/seuraa/outcome/{published_outcome.id}"
    # A wrong address: the form comes back with the error next to the field, input kept.
    back = f"/tulokset/{published_outcome.id}"
    bad = client.post(action, data={"follow-email": "ei-osoite", "back": back})
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert t["error"] in html and 'aria-invalid="true"' in html and 'value="ei-osoite"' in html
    assert f'name="back" value="{back}"' in html      # the way back is kept for the second try
    assert follow_mails() == []
    ok = client.post(action, data={"follow-email": f"lukija.{lang}@example.fi", "back": back},
                     follow_redirects=True)
    assert ok.status_code == 200 and t["sent"] in ok.get_data(as_text=True)
    [mail] = follow_mails()
    assert mail.subject == t["subject"]
    # The mailed link shows a button; opening it changes nothing (mail scanners open links).
    confirm = path_of(link(mail, "/seuraa/vahvista/"))
    shown = client.get(confirm)
    assert shown.status_code == 200 and t["confirm"] in shown.get_data(as_text=True)
    assert db.session.scalar(select(Follow.confirmed_on)) is None
    done = client.post(confirm)
    assert done.status_code == 200 and t["now"] in done.get_data(as_text=True)
    assert db.session.scalar(select(Follow.confirmed_on)) is not None
    assert client.post(confirm).status_code == 404      # once only
    manage = path_of(link(mail, "/seuraa/omat/"))
    listed = client.get(manage)
    assert listed.headers["Cache-Control"] == "no-store"
    listing = listed.get_data(as_text=True)
    assert t["manage"] in listing and t["title"] in listing
    unsubscribe = path_of(link(mail, "/seuraa/peru/"))
    page = client.get(unsubscribe)
    assert page.status_code == 200 and t["stop"] in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(FollowAddress)) == 1   # GET changes nothing
    gone = client.post(unsubscribe, data={"confirmed": "yes"})
    assert gone.status_code == 200 and t["gone"] in gone.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(FollowAddress)) == 0
    assert client.get(manage).status_code == 404


def test_one_click_post_from_a_mail_program(app, published_outcome):
    """RFC 8058: the mail program POSTs ``List-Unsubscribe=One-Click`` to the header's URL,
    without cookies or a form token, even with CSRF protection on."""
    app.config["WTF_CSRF_ENABLED"] = True
    c = app.test_client()
    r = c.post(f"/seuraa/outcome/{published_outcome.id}", data={"follow-email": "postilaatikko@example.fi"})
    assert r.status_code == 302
    [mail] = follow_mails()
    url = mail.headers["List-Unsubscribe"].strip("<>")
    mailer = app.test_client()
    r = mailer.post(path_of(url), data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(FollowAddress)) == 0
    assert mailer.post(path_of(url), data={"List-Unsubscribe": "One-Click"}).status_code == 404
    # Anything else POSTed there without the confirmation does nothing.
    c.post(f"/seuraa/outcome/{published_outcome.id}", data={"follow-email": "postilaatikko@example.fi"})
    url = follow_mails()[-1].headers["List-Unsubscribe"].strip("<>")
    assert mailer.post(path_of(url), data={}).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(FollowAddress)) == 1


def test_unfollow_one_keeps_the_address_until_the_last(app, client, published_outcome, preparer):
    from deliberation.outcomes import services as outcomes
    from deliberation.outcomes.models import Outcome

    other = Outcome(source_kind="raati", source_id=777, title="Toinen tulos", summary="S.", points=[],
                    figures={}, timeline=[], composition=[], results={}, created_by_id=preparer.id)
    db.session.add(other)
    db.session.commit()
    outcomes.publish(other.id, actor=preparer, now=other.created_at)
    db.session.commit()
    for oid in (published_outcome.id, other.id):
        client.post(f"/seuraa/outcome/{oid}", data={"follow-email": "kaksi@example.fi"})
    for mail in follow_mails():
        client.post(path_of(link(mail, "/seuraa/vahvista/")))
    manage = path_of(link(follow_mails()[0], "/seuraa/omat/"))
    first, second = db.session.scalars(select(Follow.id).order_by(Follow.target_id)).all()
    r = client.post(manage + "/lopeta", data={"follow": first})
    assert r.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(FollowAddress)) == 1
    r = client.post(manage + "/lopeta", data={"follow": second})
    assert r.status_code == 200 and "Et enää seuraa mitään" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(FollowAddress)) == 0


def test_unknown_or_private_targets_are_404(app, client, published_outcome):
    assert client.get("/seuraa/outcome/999999").status_code == 404
    assert client.post("/seuraa/account/1", data={"follow-email": "a@example.fi"}).status_code == 404
    assert client.get("/seuraa/omat/abc.def").status_code == 404
    assert client.get("/seuraa/peru/abc.def").status_code == 404
    assert client.get("/seuraa/vahvista/nonsense").status_code == 404
    assert client.get(f"/seuraa/outcome/{published_outcome.id}").status_code == 200


def test_staff_preview_has_no_follow_form(app, client, published_outcome, preparer, login):
    login(preparer)
    page = client.get(f"/hallinta/tulokset/{published_outcome.id}/esikatselu")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Kotihoidon tulevaisuus" in html and 'id="follow-email"' not in html


def test_expired_confirmation_link_is_410(app, client, published_outcome):
    from datetime import timedelta

    from deliberation.follow.models import Follow

    client.post(f"/seuraa/outcome/{published_outcome.id}", data={"follow-email": "myohassa@example.fi"})
    confirm = path_of(link(follow_mails()[-1], "/seuraa/vahvista/"))
    follow = db.session.scalar(select(Follow))
    follow.created_on -= timedelta(days=8)
    db.session.commit()
    r = client.get(confirm)
    assert r.status_code == 410 and "Vahvistuslinkki on vanhentunut" in r.get_data(as_text=True)
    assert client.post(confirm).status_code == 410
    assert db.session.scalar(select(Follow.confirmed_on)) is None



def test_a_digiraati_is_followed_from_the_standalone_page(app, client, make_staff):
    """The digiraati has no public page yet to hold the include: /seuraa/raati/<id> is one."""
    from kuulas.clock import utcnow
    from tests.outcomes.sources_helpers import finished_raati

    admin = make_staff("administrator")
    with app.test_request_context():
        raati_id = finished_raati(admin, utcnow())
    _lang(client, "sv")
    page = client.get(f"/seuraa/raati/{raati_id}")
    assert page.status_code == 200 and "Kotihoidon iltakäynnit" in page.get_data(as_text=True)
    r = client.post(f"/seuraa/raati/{raati_id}", data={"follow-email": "raati.seuraaja@example.fi"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/seuraa/raati/{raati_id}#seuraa")
    # An outside address in "back" is not followed.
    r = client.post(f"/seuraa/raati/{raati_id}", data={"follow-email": "toinen@example.fi",
                                                       "back": "//evil.example/x"})
    assert r.headers["Location"].endswith(f"/seuraa/raati/{raati_id}#seuraa")
    mail = follow_mails("raati.seuraaja@example.fi")[0]
    assert mail.subject == "Bekräfta att du vill följa: Kotihoidon iltakäynnit"
