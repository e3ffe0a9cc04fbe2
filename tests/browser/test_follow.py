"""Following on a phone (390 and 320 px; Finnish, Swedish and English): a reader follows an outcome, confirms
by the link in the mail (read from the outbox), an impact is recorded, the weekly digest
job puts the impact in a mail, and the reader stops following in one click.  axe on every
page of the way."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def _follow_mails():
    from kuulas.extensions import db
    from kuulas.mail.models import OutboxMail

    db.session.remove()
    return db.session.scalars(select(OutboxMail).where(OutboxMail.category == "follow")
                              .order_by(OutboxMail.id)).all()


def _link(mail, part: str) -> str:
    import re

    return re.search(r"https?://\S*" + re.escape(part) + r"\S+", mail.body_text).group(0)


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _next_monday_morning(now):
    days = (7 - now.weekday()) % 7 or 7
    return (now + timedelta(days=days)).replace(hour=8, minute=0, second=0, microsecond=0)


T = {
    "fi": dict(heading="Seuraa tätä tulosta", field="Sähköpostiosoitteesi", button="Seuraa",
               error="Anna sähköpostiosoite, esimerkiksi nimi@example.fi.", sent="Melkein valmista",
               confirm="Vahvista ja aloita seuraaminen", now="Seuraat nyt", subject="Tällä viikolla seuraamissasi",
               status="Toteutetaan", manage="Mitä seuraat", stop="Lopeta kaikki ja poista osoitteeni",
               gone="Et enää seuraa mitään"),
    "sv": dict(heading="Följ det här resultatet", field="Din e-postadress", button="Följ",
               error="Ange en e-postadress, till exempel namn@example.fi.", sent="Nästan klart",
               confirm="Bekräfta och börja följa", now="Du följer nu", subject="Den här veckan i det du följer",
               status="Genomförs", manage="Det du följer", stop="Sluta följa allt och radera min adress",
               gone="Du följer inte längre något"),
    "en": dict(heading="Follow this outcome", field="Your e-mail address", button="Follow",
               error="Enter an e-mail address such as name@example.fi.", sent="Almost done",
               confirm="Confirm and start following", now="You are now following",
               subject="This week in what you follow", status="Adopted", manage="What you follow",
               stop="Stop all and delete my address", gone="You no longer follow anything"),
}


@pytest.mark.parametrize("width,lang", [(390, "fi"), (320, "fi"), (390, "sv"), (320, "en")])
def test_reader_follows_an_outcome_and_hears_of_the_impact(app, live_server, new_page, make_staff, width, lang):
    t = T[lang]
    from kuulas.clock import utcnow
    from kuulas.extensions import db
    from kuulas.scheduler import run_job
    from deliberation.follow.models import FollowAddress
    from deliberation.outcomes import services as outcomes
    from deliberation.outcomes.models import Outcome

    preparer = make_staff("preparer")
    now = utcnow()
    o = Outcome(source_kind="raati", source_id=9100, title="Kotihoidon iltakäynnit",
                question="Miten iltakäyntejä pitäisi kehittää?", summary="Raati suositti iltakäyntejä kaikille.",
                figures={"members": 30}, timeline=[], composition=[], results={},
                points=[{"key": "section-1", "text": "Iltakäynnit kaikille"}],
                created_at=now - timedelta(days=2), updated_at=now - timedelta(days=2), created_by_id=preparer.id)
    db.session.add(o)
    db.session.commit()
    outcomes.publish(o.id, actor=preparer, now=now - timedelta(days=1))
    db.session.commit()
    outcome_id, preparer_id = o.id, preparer.id
    base = live_server.url

    page = new_page(f"{lang}-FI" if lang != "en" else "en-GB")
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{base}/tulokset/{outcome_id}")
    assert page.get_by_role("heading", name=t["heading"]).is_visible()
    _fits(page, width)
    assert_accessible(page)
    # A mistyped address first: the error is next to the field.
    page.get_by_label(t["field"]).fill("lukija(at)example.fi")
    page.get_by_role("button", name=t["button"], exact=True).click()
    assert page.get_by_text(t["error"]).first.is_visible()
    assert_accessible(page)
    page.get_by_label(t["field"]).fill("lukija@example.fi")
    page.get_by_role("button", name=t["button"], exact=True).click()
    page.wait_for_url(f"**/tulokset/{outcome_id}*")
    assert page.get_by_text(t["sent"]).first.is_visible()
    assert_accessible(page)

    [confirm_mail] = _follow_mails()
    page.goto(_link(confirm_mail, "/seuraa/vahvista/"))
    assert page.get_by_role("link", name="Kotihoidon iltakäynnit").is_visible()
    _fits(page, width)
    assert_accessible(page)
    page.get_by_role("button", name=t["confirm"]).click()
    assert page.get_by_role("heading", name=t["now"]).is_visible()
    assert_accessible(page)

    # The preparer records the decision and its impact (the outcomes service).
    from kuulas.accounts.models import Account

    db.session.remove()
    preparer = db.session.get(Account, preparer_id)
    outcomes.record_decision(outcome_id, body="Aluehallitus", meeting_date=now.date().isoformat(), item="§ 7",
                             impacts={"section-1": ("adopted", "Iltakäynnit alkavat kaikille ensi keväänä.")},
                             notify=False, actor=preparer, now=utcnow())
    db.session.commit()
    monday = _next_monday_morning(utcnow())
    assert run_job(app, "follow.digest", monday) == 1
    assert run_job(app, "follow.digest", monday) == 0       # once a week
    digest = _follow_mails()[-1]
    assert digest.subject == t["subject"]
    assert f"Iltakäynnit kaikille: {t['status']}. Iltakäynnit alkavat kaikille ensi keväänä." in digest.body_text
    assert digest.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    page.goto(_link(digest, "/seuraa/omat/"))
    assert page.get_by_role("heading", name=t["manage"]).is_visible()
    _fits(page, width)
    assert_accessible(page)

    page.goto(_link(digest, "/seuraa/peru/"))
    _fits(page, width)
    assert_accessible(page)
    page.get_by_role("button", name=t["stop"]).click()
    assert page.get_by_role("heading", name=t["gone"]).is_visible()
    assert_accessible(page)
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(FollowAddress)) == 0
    assert _follow_mails() == []
