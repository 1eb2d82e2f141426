"""Isolation across a hand-over, and the desk's API and pages for the new actions."""

import pytest

from tenant_apps.dossiers.models import Dossier
from tenant_apps.dossiers.services.handover import schema_of

from .conftest import receive_land

pytestmark = pytest.mark.django_db


def test_a_member_of_the_sending_agency_cannot_read_the_receiving_agencys_work(client, two):
    d = receive_land(two)
    client.force_login(two.commune.receiving_officer)
    response = client.post(
        f"/{two.commune.agency.slug}/api/v1/dossiers/{d.pk}/hand-over/",
        {"to_agency": two.department.agency.slug, "note": "Chuyển Sở"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "handed_over" and body["handed_to_agency"] == two.department.agency.slug
    assert body["control_slip"][-1]["receiver"] == two.department.agency.name
    with schema_of(two.department.agency):
        row = Dossier.objects.get()
    # the commune's officer: no membership in the department's schema
    for url in (
        f"/{two.department.agency.slug}/api/v1/dossiers/{row.pk}/",
        f"/{two.department.agency.slug}/ho-so/{row.pk}/",
        f"/{two.department.agency.slug}/api/v1/dossiers/",
    ):
        assert client.get(url).status_code == 403, url
    # the department's own people see it in their queue and can hand it back through the API
    client.force_login(two.department.unit_head)
    listing = client.get(f"/{two.department.agency.slug}/api/v1/dossiers/").json()
    assert [r["code"] for r in listing["results"]] == [d.code]
    detail = client.get(f"/{two.department.agency.slug}/api/v1/dossiers/{row.pk}/").json()
    assert detail["origin_agency"] == two.commune.agency.slug and "hand_back" in detail["allowed_actions"]
    response = client.post(
        f"/{two.department.agency.slug}/api/v1/dossiers/{row.pk}/hand-back/",
        {"note": "Ý kiến của Sở"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "handed_back"
    with schema_of(two.commune.agency):  # the test client's requests moved the connection
        d.refresh_from_db()
        assert d.state == "received" and d.events.order_by("-seq").first().action == "take_back"


def test_hand_over_without_a_receiving_agency_is_a_clear_400(client, two):
    d = receive_land(two)
    client.force_login(two.commune.receiving_officer)
    response = client.post(
        f"/{two.commune.agency.slug}/api/v1/dossiers/{d.pk}/hand-over/", {}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["field"] == "to_agency"


def test_the_dossier_page_offers_the_hand_over_to_the_departments_and_the_slip_names_agencies(client, two):
    d = receive_land(two)
    client.force_login(two.commune.receiving_officer)
    page = client.get(f"/{two.commune.agency.slug}/ho-so/{d.pk}/").content.decode()
    assert "Chuyển liên thông</summary>" in page and two.department.agency.name in page
    assert "Chuyển trả cơ quan gửi</summary>" not in page
    response = client.post(
        f"/{two.commune.agency.slug}/ho-so/{d.pk}/hand-over/",
        {"to_agency": two.department.agency.slug, "note": ""},
        follow=True,
    )
    page = response.content.decode()
    assert "Đang xử lý liên thông tại" in page and "Chuyển liên thông</summary>" not in page
    with schema_of(two.commune.agency):
        d.refresh_from_db()
    assert d.state == "handed_over"


def test_the_receipt_on_behalf_page(client, two):
    client.force_login(two.commune.receiving_officer)
    base = f"/{two.commune.agency.slug}/ho-so/tiep-nhan-thay/"
    page = client.get(base, {"co-quan": two.department.agency.slug, "thu-tuc": "2.001610"}).content.decode()
    assert "Đơn đăng ký" in page and two.department.agency.name in page
    response = client.post(
        base,
        {
            "co-quan": two.department.agency.slug,
            "thu-tuc": "2.001610",
            "applicant_name": "Công ty An Bình",
            "applicant_kind": "organisation",
            "provided_1": "on",
            "provided_2": "on",
            "channel": "in_person",
        },
    )
    assert response.status_code == 302
    with schema_of(two.commune.agency):
        d = Dossier.objects.get()
    assert d.received_on_behalf and d.code.startswith(two.department.agency.national_code)


def test_receipt_on_behalf_through_the_intake_api(client, two):
    client.force_login(two.commune.receiving_officer)
    payload = {
        "procedure": "2.001610",
        "channel": "in_person",
        "deciding_agency": two.department.agency.slug,
        "applicant": {"name": "Công ty An Bình", "kind": "organisation"},
        "components": [{"position": 1, "provided": True}, {"position": 2, "provided": True}],
    }
    response = client.post(
        f"/{two.commune.agency.slug}/api/v1/dossiers/", payload, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"].startswith(two.department.agency.national_code) and body["state"] == "handed_over"
    detail = client.get(f"/{two.commune.agency.slug}/api/v1/dossiers/{body['id']}/").json()
    assert detail["received_on_behalf"] and detail["handed_to_agency"] == two.department.agency.slug
    # without the deciding agency the commune cannot receive a procedure it has not adopted
    response = client.post(
        f"/{two.commune.agency.slug}/api/v1/dossiers/",
        {**payload, "deciding_agency": ""},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["field"] == "procedure"
