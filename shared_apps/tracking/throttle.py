"""A fixed-window counter in Redis per client address: enough to make guessing codes pointless.

One round trip and one command per request: a server-side script runs INCR and EXPIRE NX (the window
starts with the first request of the address; EXPIRE NX never extends it) — redis-py's per-command
work (pool, packing, parsing) was a third of a look-up's CPU with the two-command pipeline. With Redis unreachable the look-up still answers
(fail open, with a warning in the log): a citizen is never locked out by our outage.

Several budgets can be counted in that one script (`budgets_exceeded`): the look-up counts the
address, the code (and the proof tries on it) and the whole city in the same round trip."""

import logging

from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger(__name__)

# KEYS: the counters; ARGV: window, limit of each in turn. Counts them in order and stops at the
# first one over its limit (returns its 1-based position; 0 when none is): a caller turned away by
# its address does not eat into the code's or the city's budget.
COUNT_SCRIPT = """
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  redis.call('EXPIRE', key, ARGV[2 * i - 1], 'NX')
  if n > tonumber(ARGV[2 * i]) then return i end
end
return 0
"""
_scripts = {}  # id(connection pool) -> the registered Script (EVALSHA; redis-py reloads it if flushed)


def client_address(request):
    """`request` is a Django request or a WSGI environ (the look-up's fast path has no request)."""
    meta = getattr(request, "META", request)
    # Behind the city's reverse proxy the first X-Forwarded-For hop is the client (production sets
    # TRUSTED_PROXY_HOPS); otherwise the socket's address.
    if settings.TRUSTED_PROXY_HOPS:
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
    return bool(budgets_exceeded(f"{scope}:{client_address(request)}", (limit, window), scope=scope))


def budgets_exceeded(*buckets, scope):
    """Count a request against each budget in turn — `key, (limit, window)` pairs flattened: key,
    budget, key, budget... — in one round trip; the position (1-based) of the first budget exceeded,
    or 0. Keys live under ``throttle:``."""
    keys, budgets = buckets[0::2], buckets[1::2]
    cache = caches["shared"]
    try:
        client = _redis_client(cache)
        if client is None:
            for position, (key, (limit, window)) in enumerate(zip(keys, budgets, strict=True), 1):
                full = f"throttle:{key}"
                if not cache.add(full, 1, window) and cache.incr(full) > limit:
                    return position
            return 0
        # the cache hands out a new client object per call, over one pool per process
        script = _scripts.get(id(client.connection_pool))
        if script is None:
            script = _scripts[id(client.connection_pool)] = client.register_script(COUNT_SCRIPT)
        args = [value for limit, window in budgets for value in (window, limit)]
        return script(keys=[cache.make_key(f"throttle:{k}") for k in keys], args=args, client=client)
    except Exception as exc:  # noqa: BLE001 — Redis down or unreachable: do not lock citizens out
        logger.warning(
            "throttle %s: Redis unavailable, request let through (%s: %s)", scope, type(exc).__name__, exc
        )
        return 0
