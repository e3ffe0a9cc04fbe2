"""Demo data: the outcome of the closed demo idea round (and of the finished demo
digiraati, if the raati area seeded one), with a decision, impacts and a follow-up."""
from __future__ import annotations

from datetime import date, timedelta

from kuulas.demo import seeder

from . import decisions, drafts, history, publication, sources


def _preparer():
    from sqlalchemy import select

    from kuulas.accounts.models import Account
    from kuulas.extensions import db

    return db.session.scalar(select(Account).where(Account.email == "valmistelija@example.fi"))


# The decision and its impacts in Swedish and English, as the preparer would enter them.
DECISION_TRANSLATED = {
    "sv": {"body": "Regionstyrelsen", "summary": "Regionstyrelsen behandlade resultatet och beslutade om fortsatta åtgärder."},
    "en": {"body": "Regional Executive Board",
           "summary": "The Regional Executive Board considered the outcome and decided on the next steps."},
}
REASONS_TRANSLATED = {
    history.ADOPTED: {"sv": "Förslaget tas in i serviceplanen för 2027.",
                      "en": "The proposal is included in the service plan for 2027."},
    history.PARTLY: {"sv": "Förslaget prövas först i två kommuner.",
                     "en": "The proposal is first piloted in two municipalities."},
    history.NOT_ADOPTED: {"sv": "Det finns inte pengar för förslaget i budgeten; frågan tas upp igen nästa år.",
                          "en": "The budget has no money for the proposal; it will be taken up again next year."},
    history.PENDING: {"sv": "Frågan bereds till höstens möte.", "en": "The matter is being prepared for the autumn meeting."},
}
PLAIN_SUMMARY = (
    "Kysyimme asukkailta, millainen kotihoidon pitäisi olla.\n\n"
    "Moni toivoi, että sama hoitaja käy kotona useammin. Moni toivoi myös iltakäyntejä.\n\n"
    "Aluehallitus päätti asiasta kokouksessa. Osa ehdotuksista otetaan käyttöön. Osaa kokeillaan ensin kahdessa kunnassa."
)


@seeder(50, "outcomes")
def seed_outcomes(now, rng, out):
    actor = _preparer()
    if actor is None:
        return
    made = 0
    for kind in sources.KINDS:
        for row in sources.finished(kind)[:1]:
            outcome = drafts.create_draft(kind, row["id"], actor=actor, now=now - timedelta(days=20))
            if not outcome.summary.strip():
                outcome.summary = "Osallistujat toivat esiin monta kehitysehdotusta; tärkeimmät on koottu alle."
            publication.publish(outcome.id, actor=actor, now=now - timedelta(days=14))
            statuses = [history.ADOPTED, history.PARTLY, history.NOT_ADOPTED, history.PENDING]
            reasons = {
                history.ADOPTED: "Ehdotus otetaan käyttöön palvelusuunnitelmassa vuodelle 2027.",
                history.PARTLY: "Ehdotuksesta toteutetaan ensin kokeilu kahdessa kunnassa.",
                history.NOT_ADOPTED: "Ehdotukseen ei ole varaa talousarviossa; asiaan palataan ensi vuonna.",
                history.PENDING: "Asia valmistellaan syksyn kokoukseen.",
            }
            impacts, impact_translations = {}, {}
            for n, p in enumerate(outcome.points[:4]):
                status = statuses[n % 4]
                impacts[p["key"]] = (status, reasons[status])
                impact_translations[p["key"]] = REASONS_TRANSLATED[status]
            decisions.record_decision(
                outcome.id, body="Aluehallitus", meeting_date=(now - timedelta(days=7)).date(), item="§ 123",
                minutes_url="https://example.fi/poytakirjat/aluehallitus/2026/123",
                summary="Aluehallitus käsitteli tuloksen ja päätti jatkotoimista.", impacts=impacts,
                translations=DECISION_TRANSLATED, impact_translations=impact_translations,
                notify=False, actor=actor, now=now - timedelta(days=7))
            if made == 0:
                outcome.plain_summary = PLAIN_SUMMARY
            decisions.add_follow_up(outcome.id, entry_date=date(now.year, now.month, 1),
                                   text="Kokeilu aloitettiin kahdessa kunnassa.", actor=actor, now=now)
            made += 1
    if made:
        out.append(f"outcomes: {made} published with decisions (/tulokset)")
