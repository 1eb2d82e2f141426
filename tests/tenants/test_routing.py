import pytest
from django.urls import reverse

from tenants.models import AgencyStatus
from tenants.services import agency_set_status

pytestmark = pytest.mark.django_db


def test_portal_home_lists_agencies_by_kind(client, city):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Phường Thử Nghiệm A" in body and "/phuong-a/" in body
    assert "Xã Thử Nghiệm B" in body


def test_portal_search_matches_without_diacritics(client, city):
    body = client.get("/", {"q": "thu nghiem a"}).content.decode()
    assert "Phường Thử Nghiệm A" in body
    assert "Xã Thử Nghiệm B" not in body


def test_workspace_routing_costs_no_query_once_the_directory_is_warm(client, city, django_assert_num_queries):
    client.get("/phuong-a/ping/")
    with django_assert_num_queries(0):
        response = client.get("/phuong-a/ping/")
    assert response.content.decode() == "ok phuong-a\n"


def test_portal_home_query_count_is_pinned(client, city, django_assert_num_queries):
    client.get("/")
    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200


def test_unknown_agency_slug_gets_the_404_page(client, city):
    response = client.get("/khong-ton-tai/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_suspended_agency_shows_a_clear_page(client, city):
    agency_set_status(agency=city.a, status=AgencyStatus.SUSPENDED, reason="Bảo trì", acting_user=None)
    client.force_login(city.officer_a)
    response = client.get("/phuong-a/")
    assert response.status_code == 503
    body = response.content.decode()
    assert "tạm ngừng hoạt động" in body and "Bảo trì" in body
    assert client.get("/phuong-a/api/v1/workspace/").status_code == 503


def test_reopened_agency_is_served_again(client, city):
    agency_set_status(agency=city.a, status=AgencyStatus.SUSPENDED, acting_user=None)
    assert client.get("/phuong-a/ping/").status_code == 503
    agency_set_status(agency=city.a, status=AgencyStatus.ACTIVE, acting_user=None)
    assert client.get("/phuong-a/ping/").status_code == 200


def test_urls_reversed_inside_a_workspace_carry_the_agency_path(client, city):
    client.force_login(city.officer_a)
    response = client.get("/phuong-a/")
    assert response.status_code == 200
    assert reverse("workspace:home", urlconf=response.wsgi_request.urlconf) == "/phuong-a/"
    assert reverse("portal-home", urlconf=response.wsgi_request.urlconf) == "/"


def test_reserved_paths_are_never_agencies(client, city):
    assert client.get("/healthz/").json() == {"status": "ok"}
    assert client.get("/api/v1/agencies/").status_code == 200


def test_agency_directory_picks_up_a_change_made_in_another_process(city):
    """Another process changed an agency: it bumps the shared version; this process reloads."""
    from tenants.directory import directory
    from tenants.models import Agency

    assert directory.by_slug("phuong-a").name == "Phường Thử Nghiệm A"
    Agency.objects.filter(pk=city.a.pk).update(name="Phường A (đổi tên)")  # no signal: like another process
    assert directory.by_slug("phuong-a").name == "Phường Thử Nghiệm A"
    directory.bump()
    assert directory.by_slug("phuong-a").name == "Phường A (đổi tên)"
