"""Behaviour that depends on the real database (PostgreSQL): parallel identical sign-ups
make one registration, and an invitation answered twice at once is answered once."""
from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from kuulas.clock import utcnow
from kuulas.extensions import db
from kuulas.mail.models import OutboxMail

from .helpers import add_volunteers, make_panel

pytestmark = pytest.mark.postgres


@pytest.fixture
def app_config(app_config, postgres_url):
    return dict(app_config, SQLALCHEMY_DATABASE_URI=postgres_url,
                SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 12, "max_overflow": 10})


def _parallel(funcs):
    barrier = threading.Barrier(len(funcs))
    results, lock = [], threading.Lock()

    def run(f):
        barrier.wait()
        value = f()
        with lock:
            results.append(value)
    threads = [threading.Thread(target=run, args=(f,)) for f in funcs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_parallel_identical_signups_make_one_registration(app, make_staff):
    from panel.recruitment.models import Volunteer

    panel = make_panel(make_staff("preparer"))
    panel_id = panel.id
    db.session.remove()

    def one(i):
        def post():
            c = app.test_client()
            c.set_cookie("kuulas_lang", "en")
            email = "Rinnakkainen.Ilmoittautuja@Example.FI" if i % 2 else \
                "rinnakkainen.ilmoittautuja@example.fi"
            r = c.post(f"/paneelit/{panel_id}", data={
                "email": email, "display_name": "R", "f_gender": "female", "f_age": "young",
                "consent": "y"})
            return r.status_code, r.get_data(as_text=True)
        return post
    results = _parallel([one(i) for i in range(8)])
    codes = sorted(code for code, _body in results)
    assert codes == [200] + [409] * 7, codes
    for code, body in results:
        if code == 409:
            assert "already registered for this panel" in body
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.category == "panel_confirm")) == 1


def test_parallel_accept_and_decline_answer_once(app, make_staff):
    from panel.invitations.models import Invitation
    from panel.recruitment import services as recruitment
    from panel.selection import services as selection

    staff = make_staff("preparer")
    panel = make_panel(staff, size=2)
    add_volunteers(panel, [{"gender": g, "age": a} for g in ("female", "male")
                           for a in ("young", "old")] * 2)
    recruitment.close_recruitment_now(panel.id, actor=staff, now=utcnow())
    selection.prepare_draw(panel.id, seed_source="x", actor=staff, now=utcnow())
    selection.run_draw(panel.id, seed_value="7", actor=staff, now=utcnow())
    db.session.commit()
    mail = db.session.scalars(select(OutboxMail).where(
        OutboxMail.category == "panel_invitation")).first()
    link = re.search(r"/paneelit/kutsu/\S+", mail.body_text).group(0)
    db.session.remove()

    def answer(choice):
        def post():
            return app.test_client().post(link, data={"answer": choice, "confirm": "yes"}).status_code
        return post
    codes = _parallel([answer("accept"), answer("decline")] * 4)
    assert codes == [302] * 8  # every click ends on the invitation page...
    db.session.remove()
    states = db.session.scalars(select(Invitation.state).where(
        Invitation.token_hash.is_not(None))).all()
    # ...but exactly one answer was recorded for that invitation.
    answered = [s for s in states if s in ("accepted", "declined")]
    assert len(answered) == 1
