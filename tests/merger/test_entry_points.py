"""The merger behind the API, the command and the admin; a merged agency stays readable, never writable."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from shared_apps.accounts.models import Role
from tenants.models import Agency, AgencyStatus

pytestmark = pytest.mark.django_db


def test_the_api_runs_a_dry_run_by_default_and_merges_when_asked(communes, city, client):
    client.force_login(city.city_admin)
    url = "/api/v1/agencies/merge/"
    response = client.post(
        url, {"sources": ["xa-hai", "xa-ba"], "into": "xa-mot"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["dry_run"] is True and body["carried"] == 14
    assert body["sources"][0]["carried_by_state"]["in_appraisal"] == 1
    assert Agency.objects.get(slug="xa-hai").status == AgencyStatus.ACTIVE

    response = client.post(url, {"sources": ["xa-hai"], "into": "xa-hai"}, content_type="application/json")
    assert response.status_code == 400 and "kế thừa" in response.json()["detail"]

    response = client.post(
        url,
        {
            "sources": ["xa-hai", "xa-ba"],
            "new_agency": {
                "name": "Xã Hai Ba",
                "kind": "commune",
                "national_code": "000.94.08.H31",
                "slug": "xa-hai-ba",
            },
            "dry_run": False,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["target"] == "xa-hai-ba" and response.json()["carried"] == 14
    assert Agency.objects.get(slug="xa-hai").successor.slug == "xa-hai-ba"


def test_the_api_is_for_city_admins_only(communes, client):
    client.force_login(communes.staff["xa-mot"][Role.AGENCY_ADMIN])
    response = client.post(
        "/api/v1/agencies/merge/", {"sources": ["xa-hai"], "into": "xa-mot"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Agency.objects.get(slug="xa-hai").status == AgencyStatus.ACTIVE


def test_the_command_merges_into_a_new_agency_with_a_report(communes):
    out = StringIO()
    call_command(
        "merge_agencies",
        "xa-mot",
        "xa-hai",
        "--new-name",
        "Xã Mới",
        "--new-slug",
        "xa-moi",
        "--national-code",
        "000.94.07.H31",
        stdout=out,
        stderr=StringIO(),
    )
    text = out.getvalue()
    report = json.loads(text[: text.rindex("}") + 1])
    assert report["carried"] == 14 and report["target_is_new"]
    assert Agency.objects.get(slug="xa-mot").successor.slug == "xa-moi"


def test_the_command_dry_run_changes_nothing(communes):
    out = StringIO()
    call_command("merge_agencies", "xa-mot", "--into", "xa-ba", "--dry-run", stdout=out, stderr=StringIO())
    assert "Would carry 7 dossiers into xa-ba" in out.getvalue()
    assert Agency.objects.get(slug="xa-mot").status == AgencyStatus.ACTIVE


def test_the_admin_action_shows_the_dry_run_then_merges_on_confirmation(communes, city, client):
    client.force_login(city.city_admin)
    city.city_admin.is_staff = city.city_admin.is_superuser = True
    city.city_admin.save()
    ids = [str(a.pk) for a in communes.agencies[1:]]
    xa_mot = communes.agencies[0]
    base = {"action": "merge_selected", "_selected_action": ids}
    page = client.post("/admin/tenants/agency/", base)
    assert page.status_code == 200 and "Sáp nhập cơ quan" in page.content.decode()
    page = client.post(
        "/admin/tenants/agency/", {**base, "apply": "1", "into": xa_mot.pk, "new_kind": "commune"}
    )
    html = page.content.decode()
    assert "Kết quả chạy thử" in html and "Xác nhận sáp nhập" in html
    assert Agency.objects.get(slug="xa-hai").status == AgencyStatus.ACTIVE
    done = client.post(
        "/admin/tenants/agency/", {**base, "confirm": "1", "into": xa_mot.pk, "new_kind": "commune"}
    )
    assert done.status_code == 302
    assert Agency.objects.get(slug="xa-hai").successor_id == xa_mot.pk


def test_a_merged_agency_is_readable_by_its_members_under_its_old_name_and_writable_by_nobody(
    communes, city, client
):
    from tenants.merge import agencies_merge

    agencies_merge(sources=["xa-hai"], target="xa-mot", acting_user=city.city_admin)
    returned = communes.dossiers["xa-hai"]["returned"]
    client.force_login(communes.staff["xa-hai"][Role.RECEIVING_OFFICER])
    page = client.get(f"/xa-hai/ho-so/{returned.pk}/")
    assert page.status_code == 200 and returned.code in page.content.decode()
    api = client.get(f"/xa-hai/api/v1/dossiers/{returned.pk}/")
    assert api.status_code == 200 and api.json()["code"] == returned.code
    write = client.post(
        f"/xa-hai/ho-so/{communes.dossiers['xa-hai']['finished'].pk}/return-result/",
        {"method": "counter", "collected_by": "Ai đó"},
    )
    assert write.status_code == 410
    connection.set_schema_to_public()

    client.force_login(city.outsider)
    closed = client.get("/xa-hai/ho-so/")
    assert closed.status_code == 410 and "Xã Một" in closed.content.decode()  # where it went
    client.logout()
    assert client.get("/xa-hai/").status_code == 410
