"""The report API writes its big row lists directly (shared_apps.reports.api.table_json and
compliance_json): the JSON must be exactly what the declared serializers would write."""

import json

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from shared_apps.reports import api
from shared_apps.reports.dashboard import dashboard_get, report_table
from shared_apps.reports.periods import Period
from shared_apps.reports.scopes import scope_resolve, update_compliance

pytestmark = pytest.mark.django_db


def as_json(data):
    return json.loads(JSONRenderer().render(data))


@pytest.mark.parametrize("by", ["agency", "procedure", "sector"])
def test_the_table_rows_are_what_the_serializer_writes(known, by):
    table = report_table(scope=scope_resolve(""), period=Period.parse("2025-Q1"), by=by)
    assert table.rows
    assert as_json(api.table_json(table)) == as_json(api.TableSerializer(api.table_data(table)).data)


def test_the_compliance_rows_are_what_the_serializer_writes(known):
    result = update_compliance(now=timezone.now())
    assert result["rows"]
    assert as_json(api.compliance_json(result)) == as_json(
        api.ComplianceSerializer(api.compliance_data(result)).data
    )


def test_the_dashboard_is_what_its_serializer_writes(client, known, city):
    client.force_login(city.city_admin)
    body = client.get("/api/v1/reports/dashboard/?period=2025-Q1").json()
    scope = scope_resolve("")
    data = dashboard_get(scope=scope, period=Period.parse("2025-Q1"))
    expected = api.DashboardSerializer(
        {
            "table": api.table_data(data["table"]),
            "trend": api.trend_data(data["trend"]),
            "indicators": api.indicators_data(scope, data["indicators"]),
            "compliance": api.compliance_data(data["compliance"]),
        }
    ).data
    expected = as_json(expected)
    for part in (body, expected):  # computed a moment apart
        part["table"].pop("as_of")
    assert body == expected and body["table"]["rows"]
