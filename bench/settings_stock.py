"""Bench settings with django-tenants' stock subfolder routing instead of AgencyPathMiddleware
(bench/routing.py only). URLs: /t/<slug>/ping/ (routed by the stock middleware), /_bypass/ping/."""

from config.settings.bench import *  # noqa: F401,F403
from config.settings.bench import MIDDLEWARE

TENANT_SUBFOLDER_PREFIX = "t"
ROOT_URLCONF = "bench.stock_routing"
MIDDLEWARE = [
    "bench.stock_routing.StockSubfolderMiddleware" if m == "tenants.middleware.AgencyPathMiddleware" else m
    for m in MIDDLEWARE
]  # same position as ours (after SecurityMiddleware), so the rest of the stack is identical
