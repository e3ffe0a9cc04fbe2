"""Demo data: an open round on the future of home care with realistic ideas, votes from
150 synthetic participants who fall into visible opinion groups, some comments; and a
closed round with results for the outcomes demo to publish."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from kuulas.demo import seeder
from kuulas.extensions import db

from . import anonymity, rounds
from .models import CLOSED, VISIBLE, Idea, IdeaComment, IdeaRound, IdeaTag, IdeaVote

LAST_IDS: dict[str, int] = {}

# (family, text): family 0 = digital services, 1 = staff and continuity, 2 = relatives and
# community, None = things nearly everyone agrees with.
IDEAS = [
    (None, "Samat tutut hoitajat kävisivät mahdollisimman usein, ettei joka päivä tarvitse kertoa asioita alusta."),
    (None, "Kotikäynnille pitää varata riittävästi aikaa, ettei hoitaja joudu juoksemaan ovelta ovelle."),
    (None, "Asiakkaalle kerrotaan selvästi, kuka käy ja milloin, myös jos käynti myöhästyy."),
    (None, "Ravitsemukseen ja juomiseen kiinnitetään huomiota jokaisella käynnillä."),
    (0, "Kuvapuhelukäynnit sopisivat lääkemuistutuksiin ja lyhyisiin voinnin tarkistuksiin."),
    (0, "Sovellus, josta näkee hoitajan tulon ajan reaaliaikaisesti."),
    (0, "Lääkeautomaatit voisivat vapauttaa hoitajien aikaa varsinaiseen hoitoon."),
    (0, "Etälaitteilla (verenpaine, paino, happisaturaatio) seurattaisiin vointia kotona."),
    (0, "Turvaranneke ja liiketunnistimet kaikille yksin asuville kotihoidon asiakkaille."),
    (0, "Sähköinen asiointi omaisille: näkisi käyntikirjaukset ja voisi kysyä viestillä."),
    (0, "Digitukea ikäihmisille kotiin, jotta etäpalveluja uskaltaa käyttää."),
    (0, "Robotiikkaa voisi kokeilla esimerkiksi muistuttamaan ja viihdyttämään."),
    (0, "Digitala besök skulle passa bra för korta kontroller, särskilt i glesbygden."),
    (1, "Hoitajille enemmän palkkaa ja vakituisia työsuhteita, jotta työntekijät pysyvät."),
    (1, "Kuvapuhelut eivät korvaa ihmistä: kosketus ja läsnäolo ovat hoidon ydin."),
    (1, "Omahoitajamalli kotihoitoon, jotta yksi ihminen tuntee asiakkaan kokonaisuuden."),
    (1, "Vähemmän kirjaamista ja raportointia, enemmän aikaa asiakkaalle."),
    (1, "Pienet tiimit, jotka vastaavat omasta alueestaan, vähentäisivät ajamista."),
    (1, "Kotihoidon työntekijöille säännöllistä työnohjausta ja koulutusta."),
    (1, "Enemmän sairaanhoitajia kotihoitoon, ettei pienestä asiasta tarvitse lähteä päivystykseen."),
    (1, "Samma vårdare varje dag skulle skapa trygghet för äldre som bor ensamma."),
    (1, "Ei pakoteta ketään etäpalveluihin, jos ei halua tai osaa."),
    (1, "Kotihoidon käyntejä ei pidä lyhentää säästösyistä."),
    (2, "Omaisille selkeä yhteyshenkilö, jolle voi soittaa arkipäivisin."),
    (2, "Omaishoitajille enemmän vapaapäiviä ja sijaisapua kotiin."),
    (2, "Vapaaehtoiset ja järjestöt mukaan tuomaan ulkoilu- ja juttuseuraa."),
    (2, "Naapuriapu ja korttelikerhot vähentäisivät yksinäisyyttä."),
    (2, "Päivätoimintaa lähelle kotia, ettei tarvitse matkustaa keskustaan."),
    (2, "Seurakunnat, kylätoimikunnat ja kotihoito voisivat tehdä enemmän yhteistyötä."),
    (2, "Kuljetuspalvelu harrastuksiin ja asiointiin pitäisi olla helppo tilata."),
    (2, "Anhöriga borde få vara med när vårdplanen görs upp."),
    (2, "Omaisten jaksamiseen vertaistukiryhmiä myös iltaisin."),
    (None, "Kotihoidon asiakasmaksut pitää kertoa etukäteen ymmärrettävästi."),
    (1, "Yöhoitoa kotiin, jotta kotona voi asua pidempään."),
    (0, "Ruoka-automaatti tai ateriapalvelu, jonka voi tilata verkosta."),
    (2, "Asiakkaan oma toive kuuluviin hoitosuunnitelmassa: mikä tuo hyvän päivän?"),
    (None, "Kotihoidon palvelut myös selkokielellä ja ruotsiksi."),
    (0, "Tekoälyä voisi käyttää käyntien reitittämiseen, jolloin aikaa jää enemmän."),
    (1, "Kotihoidon esihenkilöt mukaan kentälle ymmärtämään arkea."),
    (2, "Kotiin tehtävät muutostyöt (kaiteet, kynnykset) nopeammin ja omaisia kuullen."),
]
COMMENTS = [
    (0, "Tämä olisi tärkeää etenkin muistisairaille."),
    (1, "Samaa mieltä, kiire näkyy kyllä asiakkaalle."),
    (4, "Sopii minulle, mutta ei kaikille. Vaihtoehto pitää olla."),
    (13, "Ilman pysyvää henkilöstöä mikään muu ei toimi."),
    (23, "Meillä vaihtui yhteyshenkilö kolmesti vuodessa."),
    (25, "Kyläyhdistys voisi hyvin olla mukana tässä."),
]

CLOSED_IDEAS = [
    (None, "Terveysasemalle pitää päästä ajanvaraukseen puhelimella ilman pitkää jonoa."),
    (None, "Takaisinsoittopalvelu kaikkiin numeroihin."),
    (0, "Chat-palvelu illoiksi ja viikonlopuiksi."),
    (0, "Sähköinen oirearvio ennen vastaanottoa säästäisi aikaa."),
    (1, "Oma lääkäri, joka tuntee potilaan historian."),
    (1, "Vastaanotto myös iltaisin työssäkäyville."),
    (2, "Liikkuva terveysbussi haja-asutusalueille."),
    (2, "Terveysneuvontaa kirjastoissa ja kauppakeskuksissa."),
    (None, "Hoitoon pääsyn odotusajat julkisesti nähtäville."),
    (1, "Vähemmän vaihtuvia sijaislääkäreitä."),
]


def _vote_matrix(ideas: list[Idea], families: list, round_id: int, n: int, rng, key: bytes,
                 per_participant: int) -> int:
    rows = []
    for p in range(n):
        group = p % 3
        voter = anonymity.participant_hash(key, f"demo-participant-{round_id}-{p}")
        for idx in rng.sample(range(len(ideas)), min(per_participant, len(ideas))):
            family = families[idx]
            if family is None:
                value = 1 if rng.random() < 0.85 else rng.choice((0, -1))
            elif family == group:
                value = 1 if rng.random() < 0.85 else rng.choice((0, -1))
            elif (family - group) % 3 == 1:
                value = -1 if rng.random() < 0.7 else rng.choice((0, 1))
            else:
                value = rng.choice((1, 0, 0, -1))
            rows.append({"idea_id": ideas[idx].id, "voter_hash": voter, "round_id": round_id, "value": value})
    db.session.execute(IdeaVote.__table__.insert(), rows)
    return len(rows)


def _make_round(texts, ideas_spec, *, actor, now, opens, closes, participants, per_participant, rng, tags=None):
    round_ = rounds.create_round({**texts, "opens_at": opens, "closes_at": closes, "moderation": "post",
                                    "comments_enabled": True, "max_length": 500},
                                   actor=actor, now=min(now, opens), publish=True)
    key = anonymity.round_key(current_app.config["SECRET_KEY"], round_.id)
    ideas = []
    for n, (_family, text) in enumerate(ideas_spec):
        author = anonymity.participant_hash(key, f"demo-participant-{round_.id}-{(n * 7) % participants}")
        idea = Idea(round_id=round_.id, author_hash=author, text=text, status=VISIBLE,
                    created_at=anonymity.round_down(opens + timedelta(hours=3 + n * 5)))
        ideas.append(idea)
        db.session.add(idea)
    db.session.flush()
    for idea_index, names in (tags or {}).items():
        for name in names:
            db.session.add(IdeaTag(idea_id=ideas[idea_index].id, name=name))
    votes = _vote_matrix(ideas, [f for f, _t in ideas_spec], round_.id, participants, rng, key, per_participant)
    return round_, ideas, votes


def seed(now, rng, out, actor=None):
    from kuulas.accounts.models import Account

    if actor is None:
        actor = db.session.scalar(select(Account).where(Account.email == "valmistelija@example.fi"))
    texts = {
        "title": {"fi": "Tulevaisuuden kotihoito", "sv": "Framtidens hemvård", "en": "Home care of the future"},
        "question": {"fi": "Millaisena näet tulevaisuuden kotihoidon?", "sv": "Hur ser du på framtidens hemvård?",
                     "en": "How do you see the future of home care?"},
        "background": {"fi": "Hyvinvointialue uudistaa kotihoitoa vuosina 2026–2028. Kerro ideasi ja arvioi muiden "
                             "ideoita. Tulokset käsitellään **ikääntyneiden palvelujen lautakunnassa**.",
                       "sv": "Välfärdsområdet förnyar hemvården 2026–2028. Berätta dina idéer och bedöm andras. "
                             "Resultatet behandlas i **nämnden för äldreservice**."},
        "plain_summary": "Haluamme tietää, millainen kotihoidon pitäisi olla.\n\n"
                         "Kirjoita oma ideasi. Kerro myös, mitä mieltä olet muiden ideoista.",
        "subthemes": [{"fi": "Digitaaliset palvelut", "sv": "Digitala tjänster", "en": "Digital services"},
                      {"fi": "Henkilöstö ja jatkuvuus", "sv": "Personal och kontinuitet", "en": "Staff and continuity"},
                      {"fi": "Omaiset ja yhteisö", "sv": "Anhöriga och gemenskap", "en": "Relatives and community"}],
    }
    open_round, ideas, votes = _make_round(
        texts, IDEAS, actor=actor, now=now, opens=now - timedelta(days=5), closes=now + timedelta(days=9),
        participants=150, per_participant=20, rng=rng,
        tags={0: ["Jatkuvuus"], 13: ["Henkilöstö"], 15: ["Jatkuvuus", "Henkilöstö"], 4: ["Etäpalvelut"],
              7: ["Etäpalvelut"], 23: ["Omaiset"], 24: ["Omaiset"]})
    for idea_index, text in COMMENTS:
        key = anonymity.round_key(current_app.config["SECRET_KEY"], open_round.id)
        db.session.add(IdeaComment(idea_id=ideas[idea_index].id, round_id=open_round.id, text=text, status=VISIBLE,
                                   author_hash=anonymity.participant_hash(key, f"demo-commenter-{idea_index}"),
                                   created_at=anonymity.round_down(now - timedelta(days=1))))
    LAST_IDS["open"] = open_round.id
    out.append(f"ideas: open round /ideariihi/{open_round.id} with {len(ideas)} ideas and {votes} votes")

    closed_texts = {
        "title": {"fi": "Terveysasemalle pääsy", "sv": "Tillgång till hälsostationen", "en": "Access to health centres"},
        "question": {"fi": "Miten terveysasemalle pääsyä voisi helpottaa?",
                     "sv": "Hur kunde man göra det lättare att komma till hälsostationen?",
                     "en": "How could access to health centres be made easier?"},
    }
    opens = now - timedelta(days=40)
    closed_round, _ideas, closed_votes = _make_round(
        closed_texts, CLOSED_IDEAS, actor=actor, now=opens, opens=opens, closes=now - timedelta(days=26),
        participants=90, per_participant=8, rng=rng, tags={0: ["Ajanvaraus"], 1: ["Ajanvaraus"], 4: ["Jatkuvuus"]})
    db.session.flush()
    rounds.advance_rounds(now)
    assert db.session.get(IdeaRound, closed_round.id).state == CLOSED
    LAST_IDS["closed"] = closed_round.id
    out.append(f"ideas: closed round /ideariihi/{closed_round.id} with results ({closed_votes} votes)")


@seeder(30, "ideas")
def seed_ideas(now, rng, out):
    seed(now, rng, out)
