"""A fixed-window counter in Redis per client address: enough to make guessing codes pointless."""

from django.conf import settings
from django.core.cache import caches


def client_address(request):
    # Behind the city's reverse proxy the first X-Forwarded-For hop is the client (production sets
    # TRUSTED_PROXY_HOPS); otherwise the socket's address.
    if getattr(settings, "TRUSTED_PROXY_HOPS", 0):
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            return forwarded[-settings.TRUSTED_PROXY_HOPS]
    return request.META.get("REMOTE_ADDR", "")


def throttle_exceeded(*, scope, request, limit, window=60):
    """Count this request; True once `limit` requests were made in the current window."""
    key = f"throttle:{scope}:{client_address(request)}"
    cache = caches["shared"]
    try:
        if cache.add(key, 1, window):
            return False
        return cache.incr(key) > limit
    except Exception:  # Redis down: do not lock citizens out
        return False
