"""Anonymity that holds against us: feedback over a real HTTP server from a phone and a
kiosk, answered by mail through a real SMTP server; then every table and every captured log
line is searched for the address, the user agent, the contact address and the identity code."""
from __future__ import annotations

import http.cookiejar
import logging
import re
import urllib.parse
import urllib.request

from sqlalchemy import select

from deliberation.feedback.models import Feedback
from kuulas import scheduler
from kuulas.extensions import db
from tests.browser.conftest import LiveServer

UA = "KuulasFeedbackAnon/7.1 (Phone; secret-device-model)"
FORWARDED = "198.51.100.77"
CONTACT = "anon-palaute@example.fi"
HETU = "131052-308T"


def _browser():
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", UA), ("X-Forwarded-For", FORWARDED)]
    return opener


def _post(opener, url, data):
    req = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode(), method="POST")
    try:
        return opener.open(req)
    except urllib.error.HTTPError as exc:
        return exc


def _dump_tables() -> str:
    return "\n".join(f"{t.name}: {tuple(row)!r}" for t in db.metadata.sorted_tables
                     for row in db.session.execute(select(t)))


def test_feedback_leaves_no_identifying_data(app, unit, handler, preparer, smtp_server, caplog):
    from deliberation.feedback import services
    from kuulas.clock import utcnow

    caplog.set_level(logging.DEBUG)
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    _kiosk, code = services.create_kiosk(unit.id, "Aula", "2468", actor=preparer, now=utcnow())
    db.session.commit()
    server = LiveServer(app).start()
    try:
        phone = _browser()
        page = phone.open(f"{server.url}/palaute/{unit.slug}").read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        data = {"rating": "2", "text": f"Hetuni {HETU}, soita 040 987 6543", "wants_answer": "y",
                "contact": CONTACT}
        if token:
            data["csrf_token"] = token.group(1)
        assert _post(phone, f"{server.url}/palaute/{unit.slug}", data).status == 200   # after the redirect
        tablet = _browser()
        assert _post(tablet, f"{server.url}/palaute/kioski/aloita/{code}", {}).status == 200
        start = tablet.open(f"{server.url}/palaute/kioski").read().decode()
        nonce = re.search(r'name="nonce" value="([^"]+)"', start).group(1)
        assert _post(tablet, f"{server.url}/palaute/kioski", {"nonce": nonce, "rating": "5",
                                                              "text": f"Kioskista {HETU}"}).status == 200
    finally:
        server.stop()
    feedback, from_kiosk = db.session.scalars(select(Feedback).order_by(Feedback.channel.desc()))
    assert feedback.text == "Hetuni [***], soita [***]" and feedback.channel == "web"
    assert from_kiosk.text == "Kioskista [***]" and from_kiosk.channel == "kiosk"
    services.answer(feedback.id, "Kiitos, otamme yhteyttä.", public=False, actor=handler, now=utcnow())
    db.session.commit()
    scheduler.run_job(app, "mail.send_due", utcnow())
    assert smtp_server.wait_for(1) and smtp_server.messages[0]["to"] == [CONTACT]
    db.session.expire_all()
    dump = _dump_tables()
    # Everything the application logged (the test's own SMTP server, aiosmtpd's "mail.log",
    # is the mail recipient's side and logs its envelope by design).
    logs = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    for secret in (CONTACT, UA, "secret-device-model", FORWARDED, "127.0.0.1", HETU, "987 6543"):
        assert secret not in dump, secret
        assert secret not in logs, secret
