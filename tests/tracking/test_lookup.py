"""A citizen looks a dossier up by code at the city address, without knowing which agency holds it."""

import pytest

from tests.dossiers.conftest import receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(desk):
    return receive(desk)


def test_the_receipt_qr_code_leads_to_the_look_up_page(client, desk, dossier, django_assert_num_queries):
    from tenant_apps.dossiers.documents import lookup_url

    path = lookup_url(dossier).split("127.0.0.1:8000", 1)[-1] + "?xac-minh=0912345678"
    client.get("/healthz/")
    # ONE statement (the index row, its agency and the public timeline), after switching this test's
    # connection (left on the agency's schema by the fixture) back to the public schema
    with django_assert_num_queries(2):
        response = client.get(path)
    body = response.content.decode()
    assert response.status_code == 200
    assert dossier.code in body and "Đăng ký khai sinh" in body and "Phường Một Cửa" in body
    assert "Đã tiếp nhận" in body and "Tiếp nhận" in body


def test_personal_data_is_hidden_without_proof(client, dossier):
    body = client.get(f"/tra-cuu/{dossier.code}/").content.decode()
    assert "Nguyễn Văn An" not in body and "Ẩn" in body
    for proof in ("0912345678", "031099001234"):
        assert (
            "Nguyễn Văn An" in client.get(f"/tra-cuu/{dossier.code}/", {"xac-minh": proof}).content.decode()
        )
    assert (
        "Nguyễn Văn An"
        not in client.get(f"/tra-cuu/{dossier.code}/", {"xac-minh": "0912340000"}).content.decode()
    )
    api = client.get(f"/api/v1/lookup/{dossier.code}/").json()
    assert api["verified"] is False and api["applicant_name"] is None and api["national_status"] == 2
    assert (
        client.get(f"/api/v1/lookup/{dossier.code}/", {"proof": "0912345678"}).json()["applicant_name"]
        == "Nguyễn Văn An"
    )


def test_an_unknown_code_is_clearly_not_found(client, desk):
    response = client.get("/tra-cuu/000.00.00.H31-000000-9999/")
    assert response.status_code == 404 and "Không tìm thấy hồ sơ" in response.content.decode()
    assert client.get("/api/v1/lookup/KHONG-CO/").json()["code"] == "not_found"


def test_a_burst_of_guesses_is_throttled(client, desk, settings):
    settings.LOOKUP_RATE_PER_MINUTE = 5
    statuses = [client.get(f"/api/v1/lookup/000.00.00.H31-261126-{i:04d}/").status_code for i in range(8)]
    assert statuses[:5] == [404] * 5 and statuses[5:] == [429] * 3
    assert client.get("/tra-cuu/000.00.00.H31-261126-0001/").status_code == 429


def test_the_form_sends_to_the_code_page(client, dossier):
    response = client.get("/tra-cuu/", {"ma": dossier.code, "xac-minh": "5678"})
    assert response.status_code == 302 and response["Location"] == f"/tra-cuu/{dossier.code}/?xac-minh=5678"
