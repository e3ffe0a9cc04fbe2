"""A participant of an idea round votes, then follows the round from the round page.
After an impact is recorded, the page the digest links to marks the idea they voted on:
their own browser does it from its local storage; the server never learns which idea."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

IDEAS = ("Kirjasto auki sunnuntaisin", "Lisää lukusaleja nuorille")


def _follow_mails():
    from kuulas.extensions import db
    from kuulas.mail.models import OutboxMail

    db.session.remove()
    return db.session.scalars(select(OutboxMail).where(OutboxMail.category == "follow")
                              .order_by(OutboxMail.id)).all()


def test_voted_idea_is_marked_by_the_browser_alone(app, live_server, new_page, make_staff):
    from kuulas.accounts.models import Account
    from kuulas.clock import utcnow
    from kuulas.extensions import db
    from kuulas.scheduler import run_job
    from deliberation.ideas import services as ideas
    from deliberation.outcomes import services as outcomes

    preparer_id = make_staff("preparer").id
    now = utcnow()
    round_ = ideas.create_round({
        "title": {"fi": "Kirjaston palvelut", "sv": "Bibliotekets tjänster"},
        "question": {"fi": "Mitä kirjastoon?", "sv": "Vad till biblioteket?"},
        "opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=7), "moderation": "post",
        "comments_enabled": False, "max_length": 300}, actor=db.session.get(Account, preparer_id), now=now, publish=True)
    db.session.commit()
    round_id = round_.id
    base = live_server.url
    writer = app.test_client()
    writer.get(f"/ideariihi/{round_id}")
    for text in IDEAS:
        writer.post(f"/ideariihi/{round_id}/ideat", data={"text": text})

    page = new_page()
    page.goto(f"{base}/ideariihi/{round_id}")
    voted_text = page.locator("[data-dealt-text]").inner_text().strip()
    assert voted_text in IDEAS
    page.locator("[data-vote-form]").get_by_role("button", name="Samaa mieltä").click()
    saved = page.locator(".idea-round").get_attribute("data-label-saved")
    expect(page.locator("[data-vote-status]")).to_have_text(saved)
    page.get_by_label("Sähköpostiosoitteesi").nth(1).fill("lukija@example.fi")   # the follow form's field
    page.locator(".follow-form button").click()
    page.wait_for_url(f"**/ideariihi/{round_id}*")
    assert page.get_by_text("Melkein valmista").first.is_visible()
    confirm = re.search(r"https?://\S*/seuraa/vahvista/\S+", _follow_mails()[-1].body_text).group(0)
    page.goto(confirm)
    page.get_by_role("button", name="Vahvista ja aloita seuraaminen").click()
    page.get_by_role("heading", name="Seuraat nyt").wait_for()

    preparer = db.session.get(Account, preparer_id)
    ideas.close_now(round_id, actor=preparer, now=utcnow())
    db.session.commit()
    outcome = outcomes.create_draft("ideas", round_id, actor=preparer, now=utcnow())
    outcome.summary = "Yhteenveto."
    db.session.commit()
    outcome_id = outcome.id
    points = {p["text"]: p["key"] for p in outcome.points}
    assert set(points) == set(IDEAS)
    outcomes.publish(outcome_id, actor=preparer, now=utcnow())
    db.session.commit()
    outcomes.record_decision(outcome_id, body="Kulttuurilautakunta", meeting_date=now.date().isoformat(),
                             impacts={key: ("adopted", "Toteutetaan ensi vuonna.") for key in points.values()},
                             notify=False, actor=db.session.get(Account, preparer_id), now=utcnow())
    db.session.commit()
    days = (7 - now.weekday()) % 7 or 7
    monday = (now + timedelta(days=days)).replace(hour=8, minute=0, second=0, microsecond=0)
    assert run_job(app, "follow.digest", monday) == 1
    digest = _follow_mails()[-1].body_text
    assert all(text in digest for text in IDEAS)       # the mail lists every impact of the round
    impacts_url = re.search(r"https?://\S*/seuraa/vaikutukset/\d+", digest).group(0)

    page.goto(impacts_url)
    marked = page.locator("li.follow-voted")
    marked.first.wait_for()
    assert marked.count() == 1
    assert voted_text in marked.inner_text() and "Äänestit tästä ideasta" in marked.inner_text()
    assert page.locator("li[data-point-text]").count() == 2
    assert_accessible(page)
    # Another browser (no votes here) sees the same page unmarked: the mark is not from the server.
    other = new_page()
    other.goto(impacts_url)
    assert other.locator("li[data-point-text]").count() == 2 and other.locator("li.follow-voted").count() == 0
