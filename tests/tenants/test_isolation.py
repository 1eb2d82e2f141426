"""An agency's data stays in its workspace: other agencies' members and anonymous visitors get nothing."""

import pytest
from django.core.cache import cache

from tenant_apps.workspace.models import Notice
from tenant_apps.workspace.services import notice_create

pytestmark = pytest.mark.django_db


def test_a_record_created_in_agency_a_is_invisible_from_agency_b(city, in_agency):
    with in_agency(city.a):
        notice_create(agency=city.a, title="Lịch tiếp dân tháng 12", acting_user=city.admin_a)
        assert Notice.objects.filter(title="Lịch tiếp dân tháng 12").count() == 1
    with in_agency(city.b):
        assert Notice.objects.filter(title="Lịch tiếp dân tháng 12").count() == 0


def test_a_member_of_both_agencies_sees_each_agencys_own_records_over_the_api(client, city, in_agency):
    with in_agency(city.a):
        notice_create(agency=city.a, title="Chỉ ở A", acting_user=city.admin_a)
    client.force_login(city.both)
    titles_a = [n["title"] for n in client.get("/phuong-a/api/v1/notices/").json()]
    titles_b = [n["title"] for n in client.get("/xa-b/api/v1/notices/").json()]
    assert "Chỉ ở A" in titles_a
    assert "Chỉ ở A" not in titles_b


def test_a_member_of_a_gets_403_on_b_pages(client, city):
    client.force_login(city.officer_a)
    response = client.get("/xa-b/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "không phải thành viên" in body
    assert "Xã Thử Nghiệm B" not in body.split("<main", 1)[1]


def test_a_member_of_a_gets_403_on_b_api_and_writes_nothing(client, city, in_agency):
    client.force_login(city.officer_a)
    assert client.get("/xa-b/api/v1/notices/").status_code == 403
    response = client.post("/xa-b/api/v1/notices/", {"title": "xâm nhập"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_member"
    with in_agency(city.b):
        assert not Notice.objects.filter(title="xâm nhập").exists()


def test_anonymous_visitor_is_sent_to_log_in(client, city):
    response = client.get("/phuong-a/")
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/dang-nhap/?next=/phuong-a/"


def test_anonymous_api_call_gets_401(client, city):
    response = client.get("/phuong-a/api/v1/workspace/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_member_without_the_role_cannot_post_notices(client, city, in_agency):
    client.force_login(city.officer_a)  # receiving officer: may read, may not post notices
    response = client.post("/phuong-a/api/v1/notices/", {"title": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert "vai trò" in response.json()["detail"]


def test_the_service_refuses_a_non_member_even_without_the_middleware(city, in_agency):
    from core.errors import PermissionRefused

    with in_agency(city.b), pytest.raises(PermissionRefused):
        notice_create(agency=city.b, title="x", acting_user=city.admin_a)


def test_cache_keys_are_per_agency(city, in_agency):
    with in_agency(city.a):
        cache.set("so-ho-so-hom-nay", 42, 30)
        assert cache.get("so-ho-so-hom-nay") == 42
    with in_agency(city.b):
        assert cache.get("so-ho-so-hom-nay") is None
    with in_agency(city.a):
        cache.delete("so-ho-so-hom-nay")


def test_member_posts_a_notice_through_the_page(client, city, in_agency):
    client.force_login(city.admin_a)
    response = client.post("/phuong-a/", {"title": "Họp giao ban", "body": "8:00 thứ Hai"})
    assert response.status_code == 302 and response["Location"] == "/phuong-a/"
    page = client.get("/phuong-a/").content.decode()
    assert "Họp giao ban" in page


def test_workspace_home_query_count_is_pinned(client, city, in_agency, django_assert_num_queries):
    with in_agency(city.a):
        for i in range(5):
            notice_create(agency=city.a, title=f"Thông báo {i}", acting_user=city.admin_a)
    client.force_login(city.admin_a)
    client.get("/phuong-a/")
    # the notices with their authors; session, user and membership come from the cache
    with django_assert_num_queries(1):
        assert client.get("/phuong-a/").status_code == 200
