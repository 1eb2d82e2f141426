import pytest
from django.utils import timezone

from shared_apps.accounts.models import AccountEvent, OneTimeCode, User
from shared_apps.notifications.models import OutboxMessage
from tests.accounts.conftest import PASSWORD, mail_code, sms_code

pytestmark = pytest.mark.django_db


def test_sign_up_by_phone_sends_a_code_by_sms_and_the_code_logs_the_citizen_in(client, signup_phone):
    phone, code = signup_phone("+84 912-345-678")
    user = User.objects.get(phone="0912345678")
    assert phone == "0912345678"
    assert not user.is_active and user.pending_verification and user.phone_verified_at is None
    assert client.get("/tai-khoan/").status_code == 302  # not logged in yet
    page = client.get("/tai-khoan/xac-thuc/").content.decode()
    assert "091****678" in page and 'autocomplete="one-time-code"' in page

    response = client.post("/tai-khoan/xac-thuc/", {"code": code, "action": "confirm"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active and not user.pending_verification and user.phone_verified_at is not None
    assert client.get("/api/v1/me/").json()["full_name"] == "Nguyễn Văn An"
    assert list(AccountEvent.objects.filter(user=user).values_list("kind", flat=True).order_by("id")) == [
        "signup",
        "signup_verified",
    ]


def test_the_code_goes_through_the_outbox_and_is_only_stored_hashed(client, signup_phone):
    phone, code = signup_phone()
    row = OneTimeCode.objects.get(recipient=phone)
    message = OutboxMessage.objects.get(recipient=phone)
    assert message.channel == "sms" and message.status == "sent"
    assert code not in message.body and "******" in message.body  # the sent row keeps no code
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.expires_at - row.created_at == timezone.timedelta(minutes=10)


def test_sign_up_by_email_through_the_api(client, city):
    response = client.post(
        "/api/v1/accounts/signup/",
        {"full_name": "Trần Thị Bình", "contact": "Binh.Tran@Example.VN", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["channel"] == "email" and body["sent_to"] == "b***@example.vn"
    code = mail_code("binh.tran@example.vn")

    verified = client.post(
        "/api/v1/accounts/verify/",
        {"verification": body["verification"], "code": code},
        content_type="application/json",
    )

    assert verified.status_code == 200 and verified.json()["email_verified"] is True
    user = User.objects.get(email="binh.tran@example.vn")
    assert user.is_active and user.email_verified_at is not None
    assert client.get("/api/v1/me/").status_code == 200  # the session is logged in


def test_a_wrong_code_is_refused_and_counted(client, signup_phone):
    phone, code = signup_phone()
    wrong = "000000" if code != "000000" else "111111"
    response = client.post("/tai-khoan/xac-thuc/", {"code": wrong, "action": "confirm"})
    body = response.content.decode()
    assert response.status_code == 200 and "Mã xác thực không đúng. Bạn còn 4 lần thử." in body
    assert 'aria-describedby="id_code-error"' in body and 'id="id_code-error"' in body
    assert OneTimeCode.objects.get(recipient=phone).attempts == 1
    assert not User.objects.get(phone=phone).is_active


def test_an_expired_code_is_refused(client, signup_phone):
    phone, code = signup_phone()
    OneTimeCode.objects.filter(recipient=phone).update(
        expires_at=timezone.now() - timezone.timedelta(seconds=1)
    )
    body = client.post("/tai-khoan/xac-thuc/", {"code": code, "action": "confirm"}).content.decode()
    assert "Mã đã hết hạn" in body
    assert not User.objects.get(phone=phone).is_active


def test_after_five_wrong_codes_even_the_right_one_is_refused(client, signup_phone):
    phone, code = signup_phone()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post("/tai-khoan/xac-thuc/", {"code": wrong, "action": "confirm"})
    body = client.post("/tai-khoan/xac-thuc/", {"code": code, "action": "confirm"}).content.decode()
    assert "sai quá 5 lần" in body
    assert OneTimeCode.objects.get(recipient=phone).attempts == 5
    assert not User.objects.get(phone=phone).is_active


def test_a_new_code_after_the_cooldown_replaces_the_old_one(client, signup_phone, settings):
    phone, first = signup_phone()
    # within the cooldown: refused
    client.post("/tai-khoan/xac-thuc/", {"action": "resend"})
    assert "Vui lòng chờ" in client.get("/tai-khoan/xac-thuc/").content.decode()
    settings.ACCOUNTS_OTP_RESEND_COOLDOWN_SECONDS = 0
    client.post("/tai-khoan/xac-thuc/", {"action": "resend"})
    second = sms_code(phone)
    row = OneTimeCode.objects.get(recipient=phone)
    assert row.sends == 2 and row.attempts == 0
    if first != second:
        assert (
            "không đúng"
            in client.post("/tai-khoan/xac-thuc/", {"code": first, "action": "confirm"}).content.decode()
        )
    assert client.post("/tai-khoan/xac-thuc/", {"code": second, "action": "confirm"}).status_code == 302
    assert User.objects.get(phone=phone).is_active


def test_sends_are_rate_limited_per_address_and_per_client(client, city, settings):
    settings.ACCOUNTS_OTP_RESEND_COOLDOWN_SECONDS = 0
    settings.ACCOUNTS_OTP_SENDS_PER_IP_PER_HOUR = 2
    answers = [
        client.post(
            "/api/v1/accounts/signup/",
            {"full_name": "Lê Văn C", "contact": f"09123450{i:02d}", "password": PASSWORD},
            content_type="application/json",
        )
        for i in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert "quá nhiều" in answers[2].json()["detail"]
    assert not User.objects.filter(phone="0912345002").exists()  # nothing half-written

    settings.ACCOUNTS_OTP_SENDS_PER_IP_PER_HOUR = 100
    settings.ACCOUNTS_OTP_SENDS_PER_RECIPIENT_PER_HOUR = 2
    verification = answers[0].json()["verification"]
    resends = [
        client.post(
            "/api/v1/accounts/resend/", {"verification": verification}, content_type="application/json"
        ).status_code
        for _ in range(2)
    ]
    assert resends == [200, 429]


def test_a_phone_or_email_with_a_verified_account_cannot_sign_up_again(client, signup_phone):
    phone, code = signup_phone("0912345678")
    client.post("/tai-khoan/xac-thuc/", {"code": code, "action": "confirm"})
    client.post("/tai-khoan/dang-xuat/")
    response = client.post(
        "/tai-khoan/dang-ky/",
        {"full_name": "Người khác", "contact": "+84912345678", "password": PASSWORD, "password2": PASSWORD},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "đã được dùng cho một tài khoản khác" in body
    assert 'aria-describedby="id_contact-help id_contact-error"' in body
    assert User.objects.filter(phone=phone).count() == 1


def test_email_duplicates_are_found_whatever_the_case(client, city):
    User.objects.create_user(username="official_x", email="Can.Bo@HaiPhong.gov.vn", password="x")
    response = client.post(
        "/api/v1/accounts/signup/",
        {"full_name": "A", "contact": "can.bo@haiphong.gov.vn", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "duplicate"


def test_a_pending_sign_up_is_taken_over_by_whoever_receives_the_new_code(client, signup_phone, settings):
    settings.ACCOUNTS_OTP_RESEND_COOLDOWN_SECONDS = 0
    phone, _first = signup_phone(name="Người đầu")
    phone, second = signup_phone(name="Người sau")
    assert User.objects.filter(phone=phone).count() == 1
    assert client.post("/tai-khoan/xac-thuc/", {"code": second, "action": "confirm"}).status_code == 302
    assert User.objects.get(phone=phone).full_name == "Người sau"


def test_weak_passwords_get_vietnamese_messages(client, city):
    response = client.post(
        "/tai-khoan/dang-ky/",
        {"full_name": "Phạm D", "contact": "0987654321", "password": "12345", "password2": "12345"},
    )
    body = response.content.decode()
    assert "Mật khẩu quá ngắn" in body and "hoàn toàn là số" in body
    assert not User.objects.filter(phone="0987654321").exists()


def test_bad_phone_numbers_are_refused(client, city):
    response = client.post(
        "/api/v1/accounts/signup/",
        {"full_name": "A", "contact": "12345", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["field"] == "contact"


def test_officials_without_phone_or_email_do_not_collide(city):
    User.objects.create_user(username="blank_1", password="x")
    User.objects.create_user(username="blank_2", password="x")
    assert User.objects.filter(phone="", email="").count() >= 2


def test_signup_page_is_labelled_and_vietnamese(client, city):
    body = client.get("/tai-khoan/dang-ky/").content.decode()
    for field in ("full_name", "contact", "password", "password2"):
        assert f'<label for="id_{field}">' in body
    assert "Số điện thoại hoặc thư điện tử" in body
