"""A dossier moved to another agency leaves the source's working queue (page, API, deadline watch),
stays readable there marked "đã chuyển sang …", and no action on it is taken there; the target works it.
A merged agency's workspace is visibly read-only: a banner and no action forms."""

import pytest
from django.db import connection
from django.utils import timezone

from shared_apps.accounts.models import Role
from tenant_apps.dossiers.models import Dossier
from tenant_apps.dossiers.sla import sla_watch_agency
from tenants.split import dossier_location, dossiers_move

pytestmark = pytest.mark.django_db


def action_form(slug, pk):
    return f'method="post" action="/{slug}/ho-so/{pk}/'


def api_codes(client, slug):
    response = client.get(f"/{slug}/api/v1/dossiers/", {"so_dong": 200})
    assert response.status_code == 200, response.content[:500]
    return {row["code"] for row in response.json()["results"]}


@pytest.fixture
def moved(communes, city, client):
    """xa-mot's received dossier (and the one in appraisal) moved to xa-hai."""
    xa_mot, xa_hai, _ = communes.agencies
    received = communes.dossiers["xa-mot"]["received"]
    in_appraisal = communes.dossiers["xa-mot"]["in_appraisal"]
    client.force_login(communes.staff["xa-mot"][Role.UNIT_HEAD])
    before = client.get(f"/xa-mot/ho-so/{received.pk}/").content.decode()
    assert action_form("xa-mot", received.pk) in before  # the unit head could assign it here
    assert received.code in client.get("/xa-mot/ho-so/?cua-toi=0").content.decode()
    assert (
        dossiers_move(
            source=xa_mot,
            target=xa_hai,
            dossier_ids=[received.pk, in_appraisal.pk],
            acting_user=city.city_admin,
            reason="Điều chỉnh địa giới",
        )
        == 2
    )
    return received, in_appraisal


def test_a_moved_dossier_leaves_the_source_queue_page_and_api(communes, client, moved):
    received, in_appraisal = moved
    staying = communes.dossiers["xa-mot"]["awaiting_approval"]
    client.force_login(communes.staff["xa-mot"][Role.UNIT_HEAD])

    page = client.get("/xa-mot/ho-so/?cua-toi=0").content.decode()
    assert received.code not in page and in_appraisal.code not in page
    assert staying.code in page
    codes = api_codes(client, "xa-mot")
    assert received.code not in codes and in_appraisal.code not in codes and staying.code in codes
    # the state filter does not bring it back either
    assert received.code not in client.get("/xa-mot/ho-so/?cua-toi=0&trang-thai=received").content.decode()


def test_a_search_by_code_in_the_source_still_finds_it_marked_where_it_went(communes, client, moved):
    received, _ = moved
    client.force_login(communes.staff["xa-mot"][Role.UNIT_HEAD])
    page = client.get("/xa-mot/ho-so/", {"cua-toi": "0", "q": received.code}).content.decode()
    assert received.code in page and "đã chuyển sang Xã Hai" in page


def test_the_source_dossier_page_says_where_it_went_and_offers_no_action(communes, client, moved):
    received, _ = moved
    client.force_login(communes.staff["xa-mot"][Role.UNIT_HEAD])
    response = client.get(f"/xa-mot/ho-so/{received.pk}/")
    body = response.content.decode()
    assert response.status_code == 200 and received.code in body
    assert "Hồ sơ đã chuyển sang Xã Hai" in body
    _, new_id = dossier_location(agency=communes.agencies[0], dossier_id=received.pk)
    assert f'href="/xa-hai/ho-so/{new_id}/"' in body
    assert action_form("xa-mot", received.pk) not in body
    assert "Chuyển sang Xã Hai: Điều chỉnh địa giới" in body  # the history stays readable
    detail = client.get(f"/xa-mot/api/v1/dossiers/{received.pk}/").json()
    assert detail["code"] == received.code and detail["allowed_actions"] == []


def test_an_action_on_a_moved_dossier_in_the_source_is_refused(communes, client, moved):
    received, _ = moved
    xa_mot = communes.agencies[0]
    client.force_login(communes.staff["xa-mot"][Role.UNIT_HEAD])
    specialist = communes.staff["xa-mot"][Role.SPECIALIST].username

    page = client.post(f"/xa-mot/ho-so/{received.pk}/assign/", {"specialist": specialist}, follow=True)
    assert page.status_code == 200
    assert f"Hồ sơ {received.code} đã chuyển sang Xã Hai" in page.content.decode()
    api = client.post(
        f"/xa-mot/api/v1/dossiers/{received.pk}/assign/",
        {"specialist": specialist},
        content_type="application/json",
    )
    assert api.status_code == 409 and api.json()["code"] == "dossier_moved"
    assert "đã chuyển sang Xã Hai" in api.json()["detail"]

    connection.set_tenant(xa_mot)
    row = Dossier.objects.get(pk=received.pk)
    assert row.state == "received"
    assert list(row.events.order_by("seq").values_list("action", flat=True))[-1] == "transfer_out"
    connection.set_schema_to_public()


def test_the_target_queue_lists_the_moved_dossier_and_works_it(communes, client, moved):
    received, in_appraisal = moved
    client.force_login(communes.staff["xa-hai"][Role.UNIT_HEAD])
    page = client.get("/xa-hai/ho-so/?cua-toi=0").content.decode()
    assert received.code in page and in_appraisal.code in page
    assert {received.code, in_appraisal.code} <= api_codes(client, "xa-hai")
    _, new_id = dossier_location(agency=communes.agencies[0], dossier_id=received.pk)
    assert action_form("xa-hai", new_id) in client.get(f"/xa-hai/ho-so/{new_id}/").content.decode()


def test_the_source_deadline_watch_leaves_a_moved_dossier_to_the_target(communes, moved):
    received, in_appraisal = moved
    xa_mot = communes.agencies[0]
    connection.set_tenant(xa_mot)
    try:
        sla_watch_agency(agency=xa_mot, now=timezone.now() + timezone.timedelta(days=365))
        flagged = dict(Dossier.objects.values_list("pk", "notified_overdue_at"))
    finally:
        connection.set_schema_to_public()
    assert flagged[received.pk] is None and flagged[in_appraisal.pk] is None
    assert flagged[communes.dossiers["xa-mot"]["awaiting_approval"].pk] is not None


def test_a_merged_agency_shows_a_read_only_banner_and_no_action_form(communes, city, client):
    from tenants.merge import agencies_merge

    returned = communes.dossiers["xa-hai"]["returned"]
    finished = communes.dossiers["xa-hai"]["finished"]
    officer = communes.staff["xa-hai"][Role.RECEIVING_OFFICER]
    client.force_login(officer)
    assert action_form("xa-hai", finished.pk) in client.get(f"/xa-hai/ho-so/{finished.pk}/").content.decode()
    agencies_merge(sources=["xa-hai"], target="xa-mot", acting_user=city.city_admin)
    connection.set_schema_to_public()
    client.force_login(officer)

    banner = "Cơ quan đã sáp nhập vào Xã Một — chỉ xem"
    queue = client.get("/xa-hai/ho-so/?cua-toi=0")
    body = queue.content.decode()
    assert queue.status_code == 200 and banner in body
    assert 'href="/xa-hai/ho-so/tiep-nhan/"' not in body  # no intake button
    for dossier in (returned, finished):
        page = client.get(f"/xa-hai/ho-so/{dossier.pk}/")
        body = page.content.decode()
        assert page.status_code == 200 and banner in body and dossier.code in body
        assert action_form("xa-hai", dossier.pk) not in body
    intake = client.get("/xa-hai/ho-so/tiep-nhan/")
    assert intake.status_code == 200 and banner in intake.content.decode()
    assert 'class="card intake"' not in intake.content.decode()
    # an active agency shows no banner
    client.force_login(communes.staff["xa-mot"][Role.RECEIVING_OFFICER])
    assert "chỉ xem" not in client.get("/xa-mot/ho-so/").content.decode()
