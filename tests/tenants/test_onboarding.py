import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from core.errors import AgencyAlreadyExists, PermissionRefused
from shared_apps.accounts.models import Membership
from tenants.models import Agency, AgencyEvent
from tenants.schema import schema_describe, schema_exists
from tenants.services import agency_onboard, agency_onboarded

pytestmark = pytest.mark.django_db


def onboard(**overrides):
    values = dict(name="Phường Mới", kind="ward", national_code="000.91.01.H31", acting_user=None)
    values.update(overrides)
    return agency_onboard(**values)


def test_a_cloned_schema_equals_a_freshly_migrated_one(city):
    """Same tables, columns, types, defaults, indexes, constraints, sequences and migration records."""
    cloned = onboard(slug="phuong-clone")
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA migrated_ref")
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name="migrated_ref",
        executor="standard",
        interactive=False,
        verbosity=0,
    )
    connection.set_schema_to_public()
    a = schema_describe(cloned.schema_name)
    b = schema_describe("migrated_ref")
    assert a["tables"], "the template must not be empty"
    assert a["migrations"] and {m[0] for m in a["migrations"]} >= {"workspace", "tenants", "accounts"}
    for key in b:
        assert a[key] == b[key], f"{key} differs between clone and migrate"


def test_onboarding_creates_schema_event_and_admin_membership(city):
    agency = onboard(slug="phuong-moi", admin_user=city.outsider)
    assert schema_exists(agency.schema_name)
    assert Membership.objects.get(user=city.outsider, agency=agency).roles == ["agency_admin"]
    event = AgencyEvent.objects.get(agency=agency)
    assert event.action == "onboarded" and event.new_values["slug"] == "phuong-moi"


def test_the_same_agency_twice_is_refused_and_nothing_is_half_made(city):
    onboard(slug="phuong-moi")
    before = Agency.objects.count()
    with pytest.raises(AgencyAlreadyExists, match="đã được tiếp nhận"):
        onboard(slug="phuong-moi", national_code="000.91.02.H31")
    with pytest.raises(AgencyAlreadyExists):
        onboard(slug="phuong-khac", national_code="000.91.01.H31")
    assert Agency.objects.count() == before
    assert not schema_exists("ag_phuong_khac")


def test_a_failure_during_onboarding_leaves_nothing_behind(city):
    def explode(**kwargs):
        raise RuntimeError("injected failure after the schema was cloned")

    agency_onboarded.connect(explode, dispatch_uid="test-explode")
    try:
        with pytest.raises(RuntimeError, match="injected"):
            onboard(slug="phuong-hong")
    finally:
        agency_onboarded.disconnect(dispatch_uid="test-explode")
    assert not Agency.objects.filter(slug="phuong-hong").exists()
    assert not schema_exists("ag_phuong_hong")
    assert not AgencyEvent.objects.filter(new_values__slug="phuong-hong").exists()


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("slug", {"slug": "admin"}),
        ("slug", {"slug": "Có Dấu"}),
        ("national_code", {"national_code": "12345"}),
        ("kind", {"kind": "galaxy"}),
        ("name", {"name": "  "}),
    ],
)
def test_bad_input_is_refused_with_a_message_per_field(city, field, overrides):
    with pytest.raises(ValidationError) as info:
        onboard(**overrides)
    assert field in info.value.message_dict


def test_only_city_admins_may_onboard(city):
    with pytest.raises(PermissionRefused):
        onboard(slug="phuong-x", acting_user=city.officer_a)


def test_onboarding_api_for_city_admin(client, city):
    client.force_login(city.city_admin)
    payload = {
        "name": "Xã Đảo Mới",
        "kind": "commune",
        "national_code": "000.91.05.H31",
        "admin_username": "officer_a",
    }
    response = client.post("/api/v1/agencies/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "xa-dao-moi"
    assert response.json()["workspace_url"] == "/xa-dao-moi/"
    again = client.post("/api/v1/agencies/", payload, content_type="application/json")
    assert again.status_code == 409
    assert "đã được tiếp nhận" in again.json()["detail"]
    # the new workspace is served at once, to its admin
    client.force_login(city.officer_a)
    assert client.get("/xa-dao-moi/api/v1/workspace/").json()["roles"] == ["agency_admin"]


def test_onboarding_api_refuses_other_users_and_bad_input(client, city):
    client.force_login(city.officer_a)
    payload = {"name": "Xã Lạ", "kind": "commune", "national_code": "000.91.06.H31"}
    assert client.post("/api/v1/agencies/", payload, content_type="application/json").status_code == 403
    client.force_login(city.city_admin)
    bad = client.post("/api/v1/agencies/", {**payload, "national_code": "x"}, content_type="application/json")
    assert bad.status_code == 400
    assert "national_code" in bad.json()


def test_onboarding_command(city, capsys):
    call_command("onboard_agency", "Phường Lệnh", kind="ward", national_code="000.91.07.H31")
    assert "Onboarded Phường Lệnh at /phuong-lenh/" in capsys.readouterr().out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="đã được tiếp nhận"):
        call_command("onboard_agency", "Phường Lệnh", kind="ward", national_code="000.91.07.H31")


def test_onboarding_through_the_django_admin(client, city):
    from shared_apps.accounts.models import User

    root = User.objects.create_superuser("root", password="x-very-secret-1")
    client.force_login(root)
    response = client.post(
        "/admin/tenants/agency/add/",
        {
            "name": "Phường Quản Trị",
            "slug": "phuong-quan-tri",
            "kind": "ward",
            "national_code": "000.91.08.H31",
            "short_name": "",
            "admin_unit_code": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agency = Agency.objects.get(slug="phuong-quan-tri")
    assert schema_exists(agency.schema_name)
