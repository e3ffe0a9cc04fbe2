"""An idea-round participant follows the round: the server keeps the address apart from
everything the participant did.  The scan reads every table after a participant has
written, voted and followed, and checks that no row links the address to an idea, a vote
or the participant's token, and that stored times cannot be set beside the votes."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import inspect, select, text

from kuulas.clock import utcnow
from kuulas.extensions import db

from .conftest import follow_mails, link, path_of

EMAIL = "osallistuja.seuraa@example.fi"


def _all_rows() -> dict[str, list[tuple]]:
    names = inspect(db.engine).get_table_names()
    return {name: [tuple(r) for r in db.session.execute(text(f'SELECT * FROM "{name}"'))] for name in names}


def test_follow_address_is_never_linked_to_votes(app, make_staff):
    from deliberation.ideas import services as ideas
    from deliberation.ideas.models import Idea, IdeaVote

    preparer = make_staff("preparer")
    now = utcnow()
    round_ = ideas.create_round({
        "title": {"fi": "Kotihoito", "sv": "Hemvård"}, "question": {"fi": "Mitä?", "sv": "Vad?"},
        "opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=7), "moderation": "post",
        "comments_enabled": True, "max_length": 300}, actor=preparer, now=now, publish=True)
    db.session.commit()
    round_id = round_.id
    base = f"/ideariihi/{round_id}"
    writer, voter = app.test_client(), app.test_client()
    for c in (writer, voter):
        assert c.get(base).status_code == 200
    for idea_text in ("Iltakäynnit viikonloppuisin", "Selkeä yhteyshenkilö omaisille"):
        assert writer.post(f"{base}/ideat", data={"text": idea_text}).status_code == 302
    public_ids = db.session.scalars(select(Idea.public_id)).all()
    assert len(public_ids) == 2
    for pid in public_ids:
        voter.post(f"{base}/aani", data={"idea_id": pid, "value": "agree"})
    assert db.session.scalar(select(IdeaVote.voter_hash).limit(1))
    # The same browser, right after voting, follows the round from the round page.
    page = voter.get(base).get_data(as_text=True)
    assert f'action="/seuraa/ideas/{round_id}"' in page and "data-voted" in page
    r = voter.post(f"/seuraa/ideas/{round_id}", data={"follow-email": EMAIL})
    assert r.status_code == 302
    voter.post(path_of(link(follow_mails()[-1], "/seuraa/vahvista/")))

    cookies = [c.value for c in voter._cookies.values()] + [c.value for c in writer._cookies.values()]
    tokens = [v.split(".")[1] for v in cookies if v.count(".") >= 1 and len(v) > 30]
    voter_hashes = db.session.scalars(select(IdeaVote.voter_hash)).all()
    author_hashes = db.session.scalars(select(Idea.author_hash)).all()
    secrets_ = [*public_ids, *voter_hashes, *author_hashes, *tokens, "Iltakäynnit", "yhteyshenkilö"]
    assert tokens and voter_hashes

    db.session.remove()
    rows = _all_rows()
    # 1. The address is only in its own table and in the outbox row of its own mail.
    holding = {name for name, table in rows.items() for row in table if any(EMAIL in str(v) for v in row)}
    assert holding == {"follow_address", "outbox_mail"}, holding
    # 2. Those rows carry nothing of the participant: no idea, vote, token or hash.
    for name in ("follow_address", "follow", "outbox_mail"):
        for row in rows[name]:
            if name == "outbox_mail" and not any(EMAIL in str(v) for v in row):
                continue
            for value in row:
                assert not any(s in str(value) for s in secrets_), (name, value)
    # 3. The follow names the round and nothing finer; it has no column that could hold more.
    columns = {c["name"] for c in inspect(db.engine).get_columns("follow")}
    assert columns == {"id", "address_id", "kind", "target_id", "created_on", "confirm_hash", "confirmed_on",
                       "since_change"}
    assert {c["name"] for c in inspect(db.engine).get_columns("follow_address")} == {
        "id", "email", "locale", "created_on", "digest_cursor", "last_digest_at"}
    fks = [fk["referred_table"] for t in ("follow", "follow_address", "public_change")
           for fk in inspect(db.engine).get_foreign_keys(t)]
    assert fks == ["follow_address"]
    [follow] = rows["follow"]
    assert follow[2] == "ideas" and follow[3] == round_id
    # 4. Times: the follow's days and the mail's hour, never the minute of the votes.
    from deliberation.follow.models import Follow, FollowAddress
    from kuulas.mail.models import OutboxMail

    f = db.session.scalar(select(Follow))
    a = db.session.scalar(select(FollowAddress))
    for when in (f.created_on, f.confirmed_on, a.created_on):
        assert (when.hour, when.minute, when.second, when.microsecond) == (0, 0, 0, 0)
    for mail in db.session.scalars(select(OutboxMail).where(OutboxMail.category == "follow")):
        assert (mail.created_at.minute, mail.created_at.second, mail.created_at.microsecond) == (0, 0, 0)
    # 5. The public change list names public things only.
    assert {c["name"] for c in inspect(db.engine).get_columns("public_change")} == {
        "id", "kind", "target_id", "event", "at"}
