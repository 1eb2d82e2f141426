"""Benchmark-only URLconf: the agency workspace URLs under /_bypass/, served without tenant routing
(see ROUTING_BYPASS_PREFIX). Never used unless a bench settings module enables it."""

from django.urls import include, path

from . import urls_tenant

urlpatterns = [path("_bypass/", include(urls_tenant.urlpatterns))]
