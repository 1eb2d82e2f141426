"""A fixed-window counter in Redis per client address: enough to make guessing codes pointless.

One round trip per request: INCR and EXPIRE NX in one pipeline (the window starts with the first
request of the address; EXPIRE NX never extends it). With Redis unreachable the look-up still answers
(fail open, with a warning in the log): a citizen is never locked out by our outage."""

import logging

from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger(__name__)


def client_address(request):
    """`request` is a Django request or a WSGI environ (the look-up's fast path has no request)."""
    meta = getattr(request, "META", request)
    # Behind the city's reverse proxy the first X-Forwarded-For hop is the client (production sets
    # TRUSTED_PROXY_HOPS); otherwise the socket's address.
    if getattr(settings, "TRUSTED_PROXY_HOPS", 0):
        forwarded = [a.strip() for a in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            return forwarded[-settings.TRUSTED_PROXY_HOPS]
    return meta.get("REMOTE_ADDR", "")


def _redis_client(cache):
    """The redis-py client behind a Django Redis cache, or None for another backend (locmem in dev)."""
    inner = getattr(cache, "_cache", None)
    get_client = getattr(inner, "get_client", None)
    return get_client(None, write=True) if get_client is not None else None


def throttle_exceeded(*, scope, request, limit, window=60):
    """Count this request; True once `limit` requests were made in the current window."""
    cache = caches["shared"]
    key = f"throttle:{scope}:{client_address(request)}"
    try:
        client = _redis_client(cache)
        if client is None:
            if cache.add(key, 1, window):
                return False
            return cache.incr(key) > limit
        full_key = cache.make_key(key)
        pipe = client.pipeline(transaction=False)
        pipe.incr(full_key)
        pipe.expire(full_key, window, nx=True)
        count, _expiry_set = pipe.execute()
        return count > limit
    except Exception as exc:  # noqa: BLE001 — Redis down or unreachable: do not lock citizens out
        logger.warning("throttle %s: Redis unavailable, request let through (%s: %s)", scope,
                       type(exc).__name__, exc)
        return False
