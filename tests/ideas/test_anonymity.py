"""Anonymity that holds against us: a scripted participation over a real HTTP server, then
every table and every captured log line is searched for identifying data."""
from __future__ import annotations

import http.cookiejar
import logging
import re
import urllib.parse
import urllib.request

from sqlalchemy import select

from kuulas.extensions import db
from tests.browser.conftest import LiveServer

UA = "KuulasAnonTest/9.9 (Phone; secret-device-model)"
EMAIL = "anon-check@example.fi"
FORWARDED = "198.51.100.23"


def _browser():
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", UA), ("X-Forwarded-For", FORWARDED)]
    return opener, jar


def _post(opener, url, data):
    req = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode(), method="POST")
    try:
        return opener.open(req)
    except urllib.error.HTTPError as exc:
        return exc


def _dump_tables() -> str:
    out = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            out.append(f"{table.name}: {tuple(row)!r}")
    return "\n".join(out)


def test_scripted_participation_leaves_no_identifying_data(app, make_round, caplog):
    caplog.set_level(logging.DEBUG)
    round_ = make_round()
    server = LiveServer(app).start()
    try:
        base = f"{server.url}/ideariihi/{round_.id}"
        a, jar_a = _browser()
        b, jar_b = _browser()
        a.open(base).read()
        b.open(base).read()
        assert _post(a, f"{base}/ideat", {"text": "Kotihoitoon lisää aikaa asiakkaalle"}).status == 200
        idea_id = re.search(r'id="idea-([A-Za-z0-9]{12})"', a.open(base).read().decode()).group(1)
        _post(b, f"{base}/aani", {"idea_id": idea_id, "value": "agree"})
        _post(a, f"{base}/aani", {"idea_id": idea_id, "value": "pass"})
        _post(b, f"{base}/ideat/{idea_id}/kommentit", {"text": "Samaa mieltä, hyvä idea"})
        _post(b, f"{base}/ideat/{idea_id}/ilmianna", {"reason": "other", "detail": "testi"})
        _post(a, f"{base}/ilmoitus", {"email": EMAIL})
        b.open(f"{base}/ideat.json").read()
        tokens = [c.value.split(".")[1] for jar in (jar_a, jar_b) for c in jar if c.name.startswith("kuulas_idea_")]
        assert len(tokens) == 2
    finally:
        server.stop()

    db.session.remove()
    tables = _dump_tables()
    assert "Kotihoitoon lisää aikaa" in tables and "Samaa mieltä" in tables  # the dump is real
    forbidden = ["127.0.0.1", FORWARDED, UA, "secret-device-model", *tokens]
    for needle in forbidden:
        assert needle not in tables, needle
    # The random public ids of ideas and comments sit only in their own rows: no other
    # table (votes, flags, submission keys, notify requests) links one to anything.
    from deliberation.ideas.models import Idea, IdeaComment
    public_ids = [(i.public_id, "idea:") for i in db.session.scalars(select(Idea))] + \
        [(c.public_id, "idea_comment:") for c in db.session.scalars(select(IdeaComment))]
    assert len(public_ids) == 2
    for pid, own in public_ids:
        lines = [line for line in tables.splitlines() if pid in line]
        assert len(lines) == 1 and lines[0].startswith(own), lines
    # The address for the outcome notice is only in its own unlinked table.
    lines_with_email = [line for line in tables.splitlines() if EMAIL in line]
    assert lines_with_email and all(line.startswith("idea_notify_request:") for line in lines_with_email)
    from deliberation.ideas import api
    api.forget_notify_recipients(round_.id)
    assert EMAIL not in _dump_tables()

    logs = [r.getMessage() for r in caplog.records]
    access = [m for m in logs if "/ideariihi/" in m]
    assert access, "the access log was captured"
    for message in logs:
        for needle in forbidden + [EMAIL]:
            assert needle not in message, message


def test_json_and_exports_have_no_participant_identifiers(app, client, login, preparer, open_round, participant_client):
    from deliberation.ideas.models import Idea
    a = participant_client(open_round.id)
    a.post(f"/ideariihi/{open_round.id}/ideat", data={"text": "Idea viennin tarkistukseen"})
    idea = db.session.scalar(select(Idea))
    a.post(f"/ideariihi/{open_round.id}/aani", data={"idea_id": idea.public_id, "value": "agree"})
    data = client.get(f"/ideariihi/{open_round.id}/ideat.json").json
    assert set(data["ideas"][0]) == {"id", "text", "removed_reason", "status", "written", "agree", "disagree", "pass"}
    hashes = {i.author_hash for i in db.session.scalars(select(Idea))}
    login(preparer)
    for url in (f"/hallinta/ideariihi/{open_round.id}/vienti.csv", f"/hallinta/ideariihi/{open_round.id}/yhteenveto",
                f"/hallinta/ideariihi/{open_round.id}", f"/ideariihi/{open_round.id}/ideat.json"):
        body = client.get(url).get_data(as_text=True)
        for h in hashes:
            assert h not in body and h[:16] not in body
