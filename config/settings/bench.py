"""Settings for bench/ scripts: production-like (DEBUG off) plus the routing bypass used as the
baseline of bench/routing.py."""

from .base import *  # noqa: F401,F403

DEBUG = False
ROUTING_BYPASS_PREFIX = "/_bypass/"
ROUTING_BYPASS_URLCONF = "config.urls_bypass"
# The onboarding bench fills the spare-schema pool itself when it measures the pool path.
SCHEMA_POOL_SIZE = 0
