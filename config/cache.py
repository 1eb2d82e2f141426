"""Django's Redis cache backend, keeping one redis-py client per connection pool, and degrading
when Redis is unreachable.

Django builds a new `redis.Redis` object for every cache call; with redis-py 5+ that construction
(response-callback tables of a few hundred entries) costs more than the Redis round trip itself.
A client over a connection pool is thread-safe, so one per pool is enough.

The cache is an optimisation: PostgreSQL is the truth. When Redis cannot be reached (connection
refused or lost, timeout, still loading after a restart), reads answer a miss and writes do nothing,
so every caller — Django's cached_db sessions included, which do not guard their cache writes —
falls back to the database instead of failing the request. `incr`/`decr` and `clear` still raise:
a counter has no sensible "degraded" answer, so their callers decide (the throttle fails open).
`last_call_failed()` tells a caller that cares (config.versioned) that the miss was an outage.
Failures are logged at most once a minute per process."""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)  # BusyLoadingError is a ConnectionError
LOG_EVERY_SECONDS = 60.0
_last_logged = 0.0


def _log_outage(operation, exc):
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= LOG_EVERY_SECONDS:
        _last_logged = now
        log.warning(
            "cache unreachable (%s: %s): answering from the database until it returns", operation, exc
        )


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


def _degrading(name, fallback):
    """Wrap RedisCache.<name>: on an outage, log and return fallback(*args, **kwargs)."""
    method = getattr(RedisCache, name)

    def wrapper(self, *args, **kwargs):
        self._failed = False
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE as exc:
            self._failed = True
            _log_outage(name, exc)
            return fallback(*args, **kwargs)

    wrapper.__name__ = name
    wrapper.__doc__ = method.__doc__
    return wrapper


def _default(key, default=None, *args, **kwargs):
    return default


class FastRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._failed = False

    def last_call_failed(self):
        """True when this instance's last call (instances are per thread) met an unreachable Redis."""
        return self._failed

    get = _degrading("get", _default)
    get_many = _degrading("get_many", lambda keys, *a, **k: {})
    has_key = _degrading("has_key", lambda *a, **k: False)
    set = _degrading("set", lambda *a, **k: None)
    add = _degrading("add", lambda *a, **k: False)
    touch = _degrading("touch", lambda *a, **k: False)
    delete = _degrading("delete", lambda *a, **k: False)
    set_many = _degrading("set_many", lambda data, *a, **k: list(data))
    delete_many = _degrading("delete_many", lambda *a, **k: None)
