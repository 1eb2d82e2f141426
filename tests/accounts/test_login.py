import pytest

pytestmark = pytest.mark.django_db


def test_login_page_is_vietnamese_first(client, city):
    body = client.get("/tai-khoan/dang-nhap/").content.decode()
    assert '<html lang="vi">' in body and "Đăng nhập" in body


def test_login_page_in_english_when_chosen(client, city):
    client.cookies["django_language"] = "en"
    body = client.get("/tai-khoan/dang-nhap/").content.decode()
    assert '<html lang="en">' in body and "Log in" in body


def test_one_login_opens_every_agency_the_user_belongs_to(client, city):
    response = client.post("/tai-khoan/dang-nhap/", {"username": "both_ab", "password": city.password})
    assert response.status_code == 302
    assert client.get("/phuong-a/").status_code == 200
    assert client.get("/xa-b/").status_code == 200


def test_login_goes_back_to_the_workspace_that_asked(client, city):
    response = client.post(
        "/tai-khoan/dang-nhap/?next=/phuong-a/",
        {"username": "officer_a", "password": city.password, "next": "/phuong-a/"},
    )
    assert response["Location"] == "/phuong-a/"


def test_wrong_password_gets_a_clear_message(client, city):
    response = client.post("/tai-khoan/dang-nhap/", {"username": "officer_a", "password": "sai"})
    assert response.status_code == 200
    assert "không đúng" in response.content.decode()


def test_me_api_lists_memberships(client, city):
    client.force_login(city.both)
    data = client.get("/api/v1/me/").json()
    assert sorted(m["slug"] for m in data["memberships"]) == ["phuong-a", "xa-b"]


def test_a_revoked_membership_takes_effect_on_the_next_request(client, city):
    from shared_apps.accounts.models import Membership

    client.force_login(city.officer_a)
    assert client.get("/phuong-a/").status_code == 200  # now cached
    membership = Membership.objects.get(user=city.officer_a, agency=city.a)
    membership.is_active = False
    membership.save()
    assert client.get("/phuong-a/").status_code == 403


def test_a_deactivated_user_is_logged_out_on_the_next_request(client, city):
    client.force_login(city.officer_b)
    assert client.get("/xa-b/").status_code == 200
    city.officer_b.is_active = False
    city.officer_b.save()
    assert client.get("/xa-b/").status_code == 302
    city.officer_b.is_active = True
    city.officer_b.save()


def test_pages_are_vietnamese_whatever_the_browser_language(client, city):
    body = client.get("/tai-khoan/dang-nhap/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in body
