"""The OpenAPI document covers the city API and every agency operation, and generates cleanly."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_openapi_document_lists_city_and_agency_operations(client, city):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert "/api/v1/agencies/" in paths and "/api/v1/catalogue/procedures/" in paths
    assert "/{agency_slug}/api/v1/dossiers/" in paths
    operations = {
        op["operationId"] for item in paths.values() for op in item.values() if isinstance(op, dict)
    }
    from tenant_apps.dossiers.lifecycle import Action

    assert {f"dossier_{a.value}" for a in Action} <= operations


def test_openapi_generation_has_no_warnings(capsys):
    call_command(
        "spectacular",
        "--urlconf",
        "config.urls_openapi",
        "--validate",
        "--fail-on-warn",
        "--file",
        "/dev/null",
    )
