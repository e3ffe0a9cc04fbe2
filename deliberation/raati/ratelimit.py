"""A moving-window rate limiter for one process, with the ``hit`` interface of limits'
``MovingWindowRateLimiter``.

Used when there is no shared storage (no ``REDIS_URL``: the embedded default, one process).
limits' memory storage starts a timer thread (a greenlet under gevent) every few hits to
expire old entries, which showed up in the room's profile at 30 messages a second; here each
key keeps a deque of its hit times and drops the old ones when it is hit.
"""
from __future__ import annotations

import threading
import time
from collections import deque


class LocalMovingWindow:
    def __init__(self, clock=time.monotonic):
        self._hits: dict[str, deque] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def hit(self, item, *identifiers, cost: int = 1) -> bool:
        """Take ``cost`` from ``item``'s allowance for these identifiers, if the last
        ``item.get_expiry()`` seconds leave room for it; refused hits are not counted."""
        key = item.key_for(*identifiers)
        now = self._clock()
        start = now - item.get_expiry()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                hits = self._hits[key] = deque()
            while hits and hits[0] <= start:
                hits.popleft()
            if len(hits) + cost > item.amount:
                return False
            hits.extend([now] * cost)
            return True
