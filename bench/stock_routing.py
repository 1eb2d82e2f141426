"""Bench-only glue for measuring django-tenants' stock TenantSubfolderMiddleware (bench/routing.py).

`StockSubfolderMiddleware` is the stock middleware, unchanged for /<TENANT_SUBFOLDER_PREFIX>/<slug>/...
requests (one Domain row per agency, domain = slug, as the stock middleware needs), plus:
  * /_bypass/... is served like AgencyPathMiddleware's bypass, so the stock server has the same
    no-routing baseline in the same process;
  * it sets request.agency / request.agency_prefix from request.tenant afterwards, because our views
    and middleware read those (two attribute stores: noise).
"""

from django.conf import settings
from django.db import connection
from django_tenants.middleware.subfolder import TenantSubfolderMiddleware

from config.urls_public import urlpatterns as public_urlpatterns
from config.urls_tenant import urlpatterns as tenant_urlpatterns

# ROOT_URLCONF of the stock server: the stock middleware prefixes every pattern of ROOT_URLCONF with
# <prefix>/<slug>/, so this is the workspace followed by the city pages (as our directory builds it).
urlpatterns = [*tenant_urlpatterns, *public_urlpatterns]


class StockSubfolderMiddleware(TenantSubfolderMiddleware):
    def process_request(self, request):
        bypass = settings.ROUTING_BYPASS_PREFIX
        if request.path_info.startswith(bypass):
            connection.set_schema_to_public()
            request.agency = None
            request.agency_prefix = ""
            request.tenant = connection.tenant
            request.urlconf = settings.ROUTING_BYPASS_URLCONF
            return None
        response = super().process_request(request)
        tenant = getattr(request, "tenant", None)
        request.agency = tenant if tenant is not None and not tenant.is_public else None
        request.agency_prefix = (
            f"/{settings.TENANT_SUBFOLDER_PREFIX}/{tenant.domain_subfolder}/" if request.agency else ""
        )
        return response
