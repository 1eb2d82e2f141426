"""Once a web process has loaded the project: move its long-lived objects out of the garbage
collector's reach.

Django's settings, apps, models, URLconfs and views live as long as the process. Python's full
(oldest-generation) collection scans them all each time it runs, and a page that allocates a lot (the
city dashboard: 1,000 agency rows and their JSON) triggers such collections: they were the slow tail
of that response (bench/RESULTS.md §8: p95 119 ms with the collector as is, 61–70 ms with the objects
frozen; the median, 53 ms, does not move). `gc.freeze()` keeps collecting everything allocated
afterwards (requests) as before."""

import gc

from django.conf import settings


def freeze_startup_objects():
    """Import every URLconf (and so every view) now, collect, then freeze what is alive."""
    from django.urls import get_resolver

    urlconfs = (
        settings.ROOT_URLCONF,
        settings.PUBLIC_SCHEMA_URLCONF,
        settings.TENANT_URLCONF,
        settings.ROUTING_BYPASS_URLCONF,
    )
    for urlconf in urlconfs:
        if urlconf:
            get_resolver(urlconf).url_patterns  # noqa: B018  (imports the module and its views)
    gc.collect()
    gc.freeze()
