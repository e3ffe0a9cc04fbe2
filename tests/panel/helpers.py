"""Build panels through the services, the way staff would."""
from __future__ import annotations

from datetime import timedelta

from kuulas.clock import utcnow
from kuulas.extensions import db

GENDER = "female | 50 | Nainen | Kvinna | Woman\nmale | 50 | Mies | Man | Man"
AGE = "young | 40 | Nuori | Ung | Young\nold | 60 | Vanha | Gammal | Old"
ANSWERS = {"gender": "male", "age": "old"}     # one volunteer's answers to GENDER and AGE


def make_panel(actor, *, size=4, features=(("gender", GENDER), ("age", AGE)), now=None,
               open_now=True, **extra):
    from panel.recruitment import services

    now = now or utcnow()
    data = dict(name_fi="Testipaneeli", name_sv="Testpanel", name_en="Test panel",
                description_fi="Kuvaus", description_sv="Beskrivning", description_en="",
                kind="resident", target_size=size, recruitment_opens_at=now - timedelta(hours=1),
                recruitment_closes_at=now + timedelta(days=10), controller="Hyvinvointialue",
                retention_days=30, asks_address=False, one_per_household=False,
                invitation_days=7)
    data.update(extra)
    panel = services.create_panel(data, actor=actor, now=now)
    for key, text in features:
        services.save_feature(panel.id, key=key, label_fi=key.title(), label_sv=key,
                              categories=services.parse_categories(text), actor=actor, now=now)
    if open_now:
        services.publish(panel.id, actor=actor, now=now)
    db.session.commit()
    return panel


def add_volunteers(panel, rows, now=None):
    """rows: list of dicts feature -> value; confirmed volunteers with resident accounts."""
    from panel.recruitment import services

    now = now or utcnow()
    out = []
    for i, answers in enumerate(rows):
        v, _t = services.register(panel.id, email=f"v{panel.id}-{i}@example.fi",
                                  display_name=f"Vapaaehtoinen {i}", answers=answers,
                                  consent=True, now=now, channel="paper", confirmed=True)
        out.append(v)
    db.session.commit()
    return out


def text(obj, locale="en") -> str:
    """A lazily translated message or exception, rendered in ``locale``."""
    from flask_babel import force_locale

    with force_locale(locale):
        if hasattr(obj, "details"):
            return " ".join([str(obj), *obj.details])
        return str(obj)
