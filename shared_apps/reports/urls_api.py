"""API routes of the reports: `city` under /api/v1/reports/, `agency` under /<slug>/api/v1/reports/
(the same views; the agency's copies get their own OpenAPI operation ids)."""

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view

from . import api

VIEWS = [
    ("ii06a", api.II06aApi),
    ("indicators", api.IndicatorsApi),
    ("compliance", api.ComplianceApi),
    ("dashboard", api.DashboardApi),
    ("dossiers", api.DossiersApi),
]


def _agency_view(name, view):
    sub = type(f"Agency{view.__name__}", (view,), {"__doc__": view.__doc__})
    return extend_schema_view(get=extend_schema(operation_id=f"agency_reports_{name}"))(sub)


city = [path(f"{name}/", view.as_view(), name=f"reports-{name}") for name, view in VIEWS]
agency = [
    path(f"{name}/", _agency_view(name, view).as_view(), name=f"reports-{name}")
    for name, view in VIEWS
    if name != "compliance"
]
