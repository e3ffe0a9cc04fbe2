"""A small in-process cache for public outcome pages.

Keys include a stamp read from the database on every request (the outcome's
``revision`` or the stamp of all visible outcomes), so any change, publication or
withdrawal in any process makes old entries unreachable: nothing needs invalidating
across gunicorn workers.  Only anonymous responses are cached.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from flask import request
from flask_babel import get_locale
from flask_login import current_user

_MAX = 512
_lock = threading.Lock()


def _store() -> OrderedDict:
    """One cache per app (tests build many apps whose databases reuse ids)."""
    from flask import current_app

    return current_app.extensions.setdefault("outcomes_page_cache", OrderedDict())


STAMP_SECONDS = 2.0


def stamp(name, compute):
    """The database stamp for ``name``, remembered for ``STAMP_SECONDS`` so a cached page
    is served without touching the database.  Writes in this process call
    :func:`invalidate`, so here a change shows at once; other worker processes see it
    within STAMP_SECONDS."""
    import time

    from flask import current_app

    memo = current_app.extensions.setdefault("outcomes_stamp_memo", {})
    now = time.monotonic()
    hit = memo.get(name)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = compute()
    memo[name] = (now + STAMP_SECONDS, value)
    return value


def invalidate() -> None:
    from flask import current_app

    current_app.extensions.setdefault("outcomes_stamp_memo", {}).clear()


def cacheable() -> bool:
    from flask import session

    return not getattr(current_user, "is_authenticated", False) and not session.get("_flashes")


def key(stamp) -> str:
    raw = f"{request.full_path}|{get_locale()}|{stamp}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def get(k: str) -> bytes | None:
    store = _store()
    with _lock:
        value = store.get(k)
        if value is not None:
            store.move_to_end(k)
        return value


def put(k: str, value: bytes) -> None:
    store = _store()
    with _lock:
        store[k] = value
        store.move_to_end(k)
        while len(store) > _MAX:
            store.popitem(last=False)


def respond(stamp, render, mimetype: str = "text/html; charset=utf-8"):
    """Serve ``render()`` through the cache with an ETag; browsers revalidate each time
    (a withdrawn outcome must disappear at once) and get 304 when nothing changed."""
    from flask import Response

    if not cacheable():
        return render()
    k = key(stamp)
    body = get(k)
    if body is None:
        result = render()
        body = result.encode("utf-8") if isinstance(result, str) else result
        put(k, body)
    response = Response(body, content_type=mimetype)
    response.set_etag(k)
    response.headers["Cache-Control"] = "public, no-cache"
    response.vary.update(("Cookie", "Accept-Language"))
    return response.make_conditional(request)
