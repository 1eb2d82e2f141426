"""Only for the OpenAPI document: the city API plus the agency API under /{agency_slug}/."""

from django.urls import include, path

from . import urls_public, urls_tenant

urlpatterns = [
    path("api/v1/", include((urls_public.api_v1, "api"))),
    path("<slug:agency_slug>/api/v1/", include((urls_tenant.api_v1, "agency-api"))),
]
