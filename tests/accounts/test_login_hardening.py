"""Login by phone, e-mail or username; Argon2; throttling and lockout by (login, client address)."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher

from shared_apps.accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "Bien-Xanh-2026"


@pytest.fixture
def citizen(city):
    return User.objects.create_user(
        username="cd-test-login",
        password=PASSWORD,
        full_name="Hoàng Văn E",
        phone="0901234567",
        email="hoang.e@example.vn",
    )


def login(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post("/tai-khoan/dang-nhap/", {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.parametrize(
    "typed", ["0901234567", "+84 901 234 567", "84901234567", "Hoang.E@Example.VN", "cd-test-login"]
)
def test_a_citizen_logs_in_with_phone_email_or_username(client, citizen, typed):
    response = login(client, typed)
    assert response.status_code == 302
    assert client.get("/api/v1/me/").json()["username"] == "cd-test-login"


def test_an_unverified_sign_up_cannot_log_in_with_its_password(client, city):
    User.objects.create_user(
        username="cd-pending",
        password=PASSWORD,
        phone="0907654321",
        is_active=False,
        pending_verification=True,
    )
    response = login(client, "0907654321")
    assert response.status_code == 200 and "không đúng" in response.content.decode()


def test_argon2_is_the_first_hasher_outside_the_tests():
    from django.utils.module_loading import import_string

    from config.settings import base

    hasher = import_string(base.PASSWORD_HASHERS[0])()
    assert isinstance(hasher, Argon2PasswordHasher) and hasher.algorithm == "argon2"
    encoded = hasher.encode("mat-khau", hasher.salt())
    assert encoded.startswith("argon2$") and hasher.verify("mat-khau", encoded)
    assert not hasher.verify("mat-khau-khac", encoded)
    assert "$argon2id$v=19$m=19456,t=2,p=1$" in encoded


def test_five_failures_lock_that_login_from_that_address(client, citizen, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert login(client, "0901234567", "sai-mat-khau").status_code == 200
    locked = login(client, "+84901234567", "sai-mat-khau")  # another notation counts for the same login
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Tạm khoá đăng nhập" in body and "15 phút" in body
    # even the right password is refused while locked
    assert login(client, "0901234567").status_code == 429
    assert client.get("/api/v1/me/").status_code in (401, 403)
    # another address, or another login from this one, is not locked
    assert login(client, "0901234567", ip="10.0.0.2").status_code == 302


def test_the_city_admin_unlocks_a_locked_login(client, citizen):
    from axes.utils import reset

    for _ in range(5):
        login(client, "0901234567", "sai-mat-khau")
    assert login(client, "0901234567").status_code == 429
    reset(username="0901234567")  # what the admin's "Access attempts" delete / axes_reset_username do
    assert login(client, "0901234567").status_code == 302


def test_a_success_resets_the_failure_count(client, citizen):
    for _ in range(4):
        login(client, "0901234567", "sai-mat-khau")
    assert login(client, "0901234567").status_code == 302
    client.post("/tai-khoan/dang-xuat/")
    for _ in range(4):
        assert login(client, "0901234567", "sai-mat-khau").status_code == 200
    assert login(client, "0901234567").status_code == 302


def test_the_login_page_offers_sign_up_and_vneid(client, city):
    body = client.get("/tai-khoan/dang-nhap/").content.decode()
    assert "Đăng nhập bằng VNeID" in body and "/tai-khoan/dang-ky/" in body
    assert "Số điện thoại, thư điện tử hoặc tên đăng nhập" in body


def test_login_lookups_by_phone_and_email_use_the_partial_unique_indexes(city):
    from django.db import connection

    from shared_apps.accounts.selectors import users_with_email, users_with_phone

    with connection.cursor() as cursor:
        cursor.execute(
            "SET LOCAL enable_seqscan = off"
        )  # the test table is tiny: make the planner show its hand
    assert "user_email_ci_unique" in users_with_email("Hoang.E@Example.VN").explain()
    assert "user_phone_unique" in users_with_phone("0901234567").explain()
