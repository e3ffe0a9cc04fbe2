"""Side effects that happen once the caller's transaction commits, never after a rollback.

A service declares what should follow its writes (a Socket.IO broadcast, a cache drop, a
wake-up of a worker) with ``after_commit(fn, *args)`` or its shorthand ``emit(...)``; it never
sends anything itself.  The four callers that own a transaction (the HTTP helpers in
``kuulas.web``, the room's Socket.IO gate, ``kuulas.scheduler.run_job`` and the CLI's
``kuulas.effects.transaction``) commit, and the commit runs what was declared, in order.
A rollback (a domain error, a unique-key conflict, an exception in the job) drops it, so a
client never hears of a write that did not happen.  Mail is the same idea in the database:
``kuulas.mail.services.queue_template`` adds an outbox row to the same transaction.

The effects run from SQLAlchemy's ``after_commit`` session event, where the session can no
longer emit SQL: build the payload while declaring (the service has its rows loaded; call
``db.session.flush()`` first when it needs generated keys) and pass plain data.  An effect
that fails is logged and skipped: the write it reports on is already saved.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("kuulas.effects")

_KEY = "kuulas_after_commit"


def _session():
    from .extensions import db
    return db.session()


def after_commit(fn, *args, session=None, **kwargs) -> None:
    """Run ``fn(*args, **kwargs)`` once the current transaction commits."""
    session = session if session is not None else _session()
    nested = session.get_nested_transaction()
    session.info.setdefault(_KEY, []).append((nested, fn, args, kwargs))


def emit(event_name: str, payload, *, to: str, namespace: str, session=None) -> None:
    """Broadcast ``event_name`` with ``payload`` to a Socket.IO room after the commit."""
    after_commit(_emit, event_name, payload, to, namespace, session=session)


def _emit(event_name, payload, to, namespace):
    from .extensions import socketio
    socketio.emit(event_name, payload, to=to, namespace=namespace)


def pending(session=None) -> list:
    """What the current transaction would do on commit (tests and debugging)."""
    session = session if session is not None else _session()
    return [(fn, args, kwargs) for _, fn, args, kwargs in session.info.get(_KEY, ())]


def _run(session) -> None:
    nested = session.get_nested_transaction()
    if nested is not None:
        # A savepoint was released (SQLAlchemy reports that as a commit too): what it declared
        # now belongs to the enclosing transaction and waits for the real commit.
        parent = nested.parent if nested.parent is not None and nested.parent.nested else None
        queued = session.info.get(_KEY) or []
        session.info[_KEY] = [(parent if tag is nested else tag, fn, a, k) for tag, fn, a, k in queued]
        return
    queued = session.info.pop(_KEY, None)
    for _, fn, args, kwargs in queued or ():
        try:
            fn(*args, **kwargs)
        except Exception:  # noqa: BLE001 - the write is saved; a lost side effect is not a failure
            log.exception("after-commit effect %s failed", getattr(fn, "__qualname__", fn))


def _discard(session, previous_transaction) -> None:
    queued = session.info.get(_KEY)
    if not queued:
        return
    if previous_transaction.nested:
        # A savepoint rolled back: drop what was declared inside it, keep the rest.
        kept = [item for item in queued if item[0] is not previous_transaction]
        session.info[_KEY] = kept
    else:
        session.info.pop(_KEY, None)


def _ended(session, transaction) -> None:
    # The outermost transaction ended without a commit (close(), or a rollback that happened
    # while a flush failed): nothing declared in it may run later in another transaction.
    if transaction.parent is None and transaction.nested is False:
        session.info.pop(_KEY, None)


def _install() -> None:
    if not event.contains(Session, "after_commit", _run):
        event.listen(Session, "after_commit", _run)
        event.listen(Session, "after_soft_rollback", _discard)
        event.listen(Session, "after_transaction_end", _ended)


_install()


@contextmanager
def transaction():
    """One transaction for a CLI command or a script: commit (and run the declared effects)
    when the block ends, roll back when it raises."""
    from .extensions import db
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
