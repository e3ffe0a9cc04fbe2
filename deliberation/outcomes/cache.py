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
