"""Login by phone, e-mail or username; Argon2; lockout per login whatever the client address, with a
notice to the account's owner."""

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
    # another login from this address is not locked
    User.objects.create_user(username="cd-other", password=PASSWORD, phone="0907777777")
    assert login(client, "0907777777").status_code == 302


def test_failures_spread_over_addresses_lock_the_login_everywhere(client, citizen):
    for i in range(5):
        login(client, "0901234567", "sai-mat-khau", ip=f"10.9.0.{i}")
    # the right password from a fresh address is refused too: the lock is on the login
    assert login(client, "0901234567", ip="10.9.1.1").status_code == 429
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_the_owner_is_told_of_the_lockout_through_the_outbox(client, citizen):
    from shared_apps.notifications.models import OutboxMessage

    for i in range(7):  # the attempts past the limit do not send it again
        login(client, "hoang.e@example.vn", "sai-mat-khau", ip=f"10.8.0.{i}")
    notices = list(OutboxMessage.objects.filter(dedupe_key__startswith="login-lockout:"))
    assert len(notices) == 1
    notice = notices[0]
    assert notice.recipient in ("hoang.e@example.vn", "0901234567")
    assert "15 phút" in notice.body and "sai-mat-khau" not in notice.body


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
