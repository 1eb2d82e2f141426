"""Process-local snapshots kept fresh by a version key in the shared Redis cache.

A writer calls `bump()` after commit; readers call `changed()` which asks Redis at most once every
`check_seconds` whether the version moved. With Redis unreachable, `changed()` answers True once
the snapshot is older than `fallback_seconds`, so processes still converge."""

from __future__ import annotations

import logging
import time
import uuid

from django.core.cache import caches

log = logging.getLogger(__name__)


class SharedVersion:
    def __init__(self, key, *, check_seconds=1.0, fallback_seconds=30.0):
        self.key = key
        self.check_seconds = check_seconds
        self.fallback_seconds = fallback_seconds
        self._seen = None
        self._checked_at = 0.0
        self._loaded_at = 0.0
        self._stale = True

    def _check_seconds(self):
        return self.check_seconds() if callable(self.check_seconds) else self.check_seconds

    def invalidate_local(self):
        self._stale = True

    def bump(self):
        self._stale = True
        try:
            caches["shared"].set(self.key, uuid.uuid4().hex, None)
        except Exception:
            log.warning("could not publish a new version of %s", self.key, exc_info=True)

    def changed(self):
        """True when the snapshot must be (re)loaded; the caller then calls `loaded()`."""
        now = time.monotonic()
        if not self._stale and now - self._checked_at < self._check_seconds():
            return False
        self._checked_at = now
        try:
            cache = caches["shared"]
            version = cache.get(self.key)
            # config.cache answers a miss instead of raising when Redis is down: ask it which it was
            reachable = not getattr(cache, "last_call_failed", lambda: False)()
        except Exception:
            log.warning("shared cache unreachable for %s", self.key, exc_info=True)
            version, reachable = None, False
        if self._stale:
            self._pending = version
            return True
        if not reachable:
            self._pending = self._seen
            return now - self._loaded_at > self.fallback_seconds
        if version != self._seen:
            self._pending = version
            return True
        return False

    def loaded(self):
        self._seen = getattr(self, "_pending", None)
        self._loaded_at = time.monotonic()
        self._stale = False
