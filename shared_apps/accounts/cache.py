"""Who is asking, without a PostgreSQL round trip per request: the user and their membership of the
agency are read through the city-wide cache. Every save or delete of a user or membership drops its
key at once and again after commit (so another process cannot re-cache the old row in between);
entries also expire after a few minutes."""

from __future__ import annotations

from django.core.cache import caches
from django.db import transaction

TTL = 300
NONE = "-"  # cached "no membership" (outsiders knocking on a workspace)


def _cache():
    return caches["shared"]


def user_key(user_id):
    return f"user:{user_id}"


def membership_key(user_id, agency_id):
    return f"membership:{user_id}:{agency_id}"


def cached(key, load):
    try:
        value = _cache().get(key)
    except Exception:  # the cache is an optimisation: PostgreSQL stays the truth
        return load()
    if value is None:
        value = load()
        try:
            _cache().set(key, NONE if value is None else value, TTL)
        except Exception:
            pass
        return value
    return None if value == NONE else value


def forget(key):
    def drop():
        try:
            _cache().delete(key)
        except Exception:
            pass

    drop()
    transaction.on_commit(drop)
