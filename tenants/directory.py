"""The agency directory: which agency a request belongs to, without a database round trip.

Each process keeps an in-memory snapshot of every agency (slug -> Agency, custom domain -> Agency).
A version key in the shared Redis cache says when the snapshot is stale: any agency change bumps it
after commit, and a process compares its snapshot's version with it at most once every
AGENCY_DIRECTORY_CHECK_SECONDS. The process that made the change drops its own snapshot at once.
With Redis unreachable, a snapshot older than FALLBACK_RELOAD_SECONDS is reloaded from PostgreSQL.
"""

from __future__ import annotations

import threading
from types import ModuleType

from django.conf import settings
from django.urls import include, path

from config.versioned import SharedVersion

VERSION_KEY = "agency-directory:version"
FALLBACK_RELOAD_SECONDS = 30.0


class AgencyDirectory:
    def __init__(self):
        self._lock = threading.Lock()
        self._by_slug: dict = {}
        self._by_domain: dict = {}
        self._aliases: dict = {}  # old slug (before a rename) -> Agency
        self._urlconfs: dict[str, ModuleType] = {}
        self.version = SharedVersion(
            VERSION_KEY,
            check_seconds=lambda: settings.AGENCY_DIRECTORY_CHECK_SECONDS,
            fallback_seconds=FALLBACK_RELOAD_SECONDS,
        )

    # -- reads ------------------------------------------------------------------------------------
    def by_slug(self, slug):
        self._refresh_if_needed()
        return self._by_slug.get(slug)

    def by_domain(self, host):
        self._refresh_if_needed()
        return self._by_domain.get(host)

    def by_alias(self, slug):
        """The agency a renamed path now belongs to (old slug -> Agency), or None."""
        self._refresh_if_needed()
        return self._aliases.get(slug)

    def all(self):
        self._refresh_if_needed()
        return list(self._by_slug.values())

    # -- invalidation -----------------------------------------------------------------------------
    def invalidate_local(self):
        self.version.invalidate_local()

    def bump(self):
        """Tell every process that the directory changed (called after commit)."""
        self.version.bump()

    # -- internals --------------------------------------------------------------------------------
    def _refresh_if_needed(self):
        if self.version.changed():
            self._load()
            self.version.loaded()

    def _load(self):
        from django.db import connection

        from .models import Agency, AgencySlugAlias, Domain

        with self._lock:
            previous = connection.tenant if hasattr(connection, "tenant") else None
            public = settings.PUBLIC_SCHEMA_NAME
            if getattr(connection, "schema_name", public) != public:
                connection.set_schema_to_public()
            agencies = list(Agency.objects.all())
            by_id = {a.pk: a for a in agencies}
            by_domain = {
                d.domain: by_id[d.tenant_id]
                for d in Domain.objects.only("domain", "tenant_id")
                if d.tenant_id in by_id
            }
            aliases = {
                a.slug: by_id[a.agency_id]
                for a in AgencySlugAlias.objects.only("slug", "agency_id")
                if a.agency_id in by_id
            }
            if previous is not None and previous.schema_name != public:
                connection.set_tenant(previous)
            self._by_slug = {a.slug: a for a in agencies}
            self._by_domain = by_domain
            self._aliases = aliases

    def urlconf_for(self, slug):
        """A URLconf with the agency's workspace under /<slug>/ and the city's pages at the root.

        Built once per slug and kept, so Django's resolver caches stay warm (the stock subfolder
        middleware clears every URL cache on every request)."""
        return self._urlconf(slug, prefix=f"{slug}/")

    def root_urlconf_for_domain(self, slug):
        """URLconf for an agency reached on its own custom domain: the workspace at the root."""
        return self._urlconf(f"@domain:{slug}", prefix="")

    def _urlconf(self, key, *, prefix):
        module = self._urlconfs.get(key)
        if module is None:
            from importlib import import_module

            tenant = import_module(settings.TENANT_URLCONF)
            public = import_module(settings.PUBLIC_SCHEMA_URLCONF)
            name = key.replace("-", "_").replace("@", "").replace(":", "_")
            module = ModuleType(f"{settings.TENANT_URLCONF}__{name}")
            workspace = [path(prefix, include(tenant.urlpatterns))] if prefix else list(tenant.urlpatterns)
            module.urlpatterns = [*workspace, *public.urlpatterns]
            for handler in ("handler400", "handler403", "handler404", "handler500"):
                if hasattr(public, handler):
                    setattr(module, handler, getattr(public, handler))
            self._urlconfs[key] = module
        return module


directory = AgencyDirectory()
