import pytest

pytestmark = pytest.mark.django_db


def test_search_works_without_diacritics(client, catalogue):
    body = client.get("/thu-tuc/", {"q": "dang ky khai sinh"}).content.decode()
    assert "Đăng ký khai sinh" in body
    assert "Đăng ký kết hôn" not in body


def test_search_with_diacritics_and_by_code(client, catalogue):
    assert "Đăng ký kết hôn" in client.get("/thu-tuc/", {"q": "kết hôn"}).content.decode()
    assert "Đăng ký kết hôn" in client.get("/thu-tuc/", {"q": "1.000894"}).content.decode()


def test_filters_by_level_and_online_mode(client, catalogue):
    body = client.get("/thu-tuc/", {"level": "department"}).content.decode()
    assert "công ty TNHH" in body and "Đăng ký khai sinh" not in body
    body = client.get("/thu-tuc/", {"online_mode": "full"}).content.decode()
    assert "công ty TNHH" in body and "Đăng ký kết hôn" not in body


def test_procedure_page_shows_components_fees_and_time_limit(client, catalogue):
    body = client.get("/thu-tuc/2.001610/").content.decode()
    assert "Tờ khai đăng ký khai sinh" in body
    assert "50.000 đồng" in body
    assert "3 ngày làm việc" in body
    assert client.get("/thu-tuc/9.999999/").status_code == 404


def test_catalogue_list_page_query_count_is_pinned(client, catalogue, django_assert_num_queries):
    client.get("/thu-tuc/")
    # procedures with their sector, their published versions, the sector filter
    with django_assert_num_queries(3):
        assert client.get("/thu-tuc/").status_code == 200


def test_catalogue_api_search_and_detail(client, catalogue, django_assert_num_queries):
    client.get("/healthz/")  # warm the agency directory
    with django_assert_num_queries(2):
        rows = client.get("/api/v1/catalogue/procedures/", {"q": "khai sinh"}).json()
    assert [r["national_code"] for r in rows] == ["1.001193"]
    detail = client.get("/api/v1/catalogue/procedures/1.001193/").json()
    assert detail["current"]["time_unit"] == "working_days"
    assert [c["name"] for c in detail["current"]["components"]][0] == "Tờ khai đăng ký khai sinh"
