import pytest

from tenant_apps.dossiers.models import Dossier

from .conftest import APPLICANT, receive

pytestmark = pytest.mark.django_db


def intake_payload(**overrides):
    payload = {
        "procedure": "1.001193",
        "channel": "in_person",
        "applicant": APPLICANT,
        "components": [
            {"position": 1, "provided": True, "digitised": True},
            {"position": 2, "provided": True},
        ],
        "request_summary": "Đăng ký khai sinh cho con",
    }
    payload.update(overrides)
    return payload


def test_counter_intake_through_the_api_and_the_whole_path(client, desk):
    base = f"/{desk.agency.slug}/api/v1/dossiers/"
    client.force_login(desk.receiving_officer)
    response = client.post(base, intake_payload(), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "received" and body["code"].endswith("-0001") and body["national_status"] == 2
    pk = body["id"]
    steps = [
        (desk.unit_head, "assign", {"specialist": "desk_specialist"}),
        (desk.specialist, "appraise", {"opinion": "Hồ sơ hợp lệ"}),
        (desk.specialist, "submit-for-approval", {"leader": "desk_leader"}),
        (desk.leader, "approve", {}),
        (desk.leader, "record-result", {"result_number": "15/2026/KS"}),
        (desk.receiving_officer, "return-result", {"method": "counter", "collected_by": "Nguyễn Văn An"}),
    ]
    for user, action, payload in steps:
        client.force_login(user)
        response = client.post(f"{base}{pk}/{action}/", payload, content_type="application/json")
        assert response.status_code == 200, (action, response.content)
    body = response.json()
    assert body["state"] == "returned" and body["national_status"] == 10
    assert [row["step"] for row in body["control_slip"]] == [
        "receive",
        "assign",
        "appraise",
        "approve",
        "return",
    ]


def test_an_incomplete_intake_is_refused_with_the_missing_items(client, desk):
    client.force_login(desk.receiving_officer)
    response = client.post(
        f"/{desk.agency.slug}/api/v1/dossiers/",
        intake_payload(components=[{"position": 1, "provided": True}]),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "incomplete" and "Giấy chứng sinh" in response.json()["detail"]
    assert not Dossier.objects.exists()


def test_bad_input_gets_clear_messages(client, desk):
    client.force_login(desk.receiving_officer)
    base = f"/{desk.agency.slug}/api/v1/dossiers/"
    response = client.post(base, intake_payload(applicant={"name": ""}), content_type="application/json")
    assert response.status_code == 400 and "applicant" in response.json()
    response = client.post(base, intake_payload(procedure="9.999999"), content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "procedure"
    response = client.post(
        base, intake_payload(components=[{"position": 9, "provided": True}]), content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["field"] == "components"


def test_a_role_without_the_permission_gets_403(client, desk):
    dossier = receive(desk)
    client.force_login(desk.specialist)
    response = client.post(
        f"/{desk.agency.slug}/api/v1/dossiers/{dossier.pk}/assign/",
        {"specialist": "desk_specialist"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_the_dossier_list_api_query_count_does_not_grow(client, desk, django_assert_num_queries):
    client.force_login(desk.receiving_officer)
    url = f"/{desk.agency.slug}/api/v1/dossiers/"
    receive(desk)
    client.get(url)
    # count and page; session, user and membership come from the cache
    with django_assert_num_queries(2) as small:
        assert client.get(url).json()["count"] == 1
    for _ in range(12):
        receive(desk)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).json()["count"] == 13


def test_filters_of_the_queue(client, desk):
    from django.utils import timezone

    overdue = receive(desk)
    Dossier.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - timezone.timedelta(hours=2))
    receive(desk)
    client.force_login(desk.receiving_officer)
    url = f"/{desk.agency.slug}/api/v1/dossiers/"
    assert [r["id"] for r in client.get(url, {"overdue": "1"}).json()["results"]] == [overdue.pk]
    assert client.get(url, {"q": overdue.code}).json()["count"] == 1
    assert client.get(url, {"state": "returned"}).json()["count"] == 0
