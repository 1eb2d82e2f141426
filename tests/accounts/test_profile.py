import datetime as dt

import pytest

from shared_apps.accounts.models import AccountEvent, User
from shared_apps.accounts.selectors import profile_prefill
from tests.accounts.conftest import mail_code, sms_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen(city):
    from django.utils import timezone

    return User.objects.create_user(
        username="cd-profile",
        password="x",
        full_name="Vũ Thị F",
        phone="0911111111",
        phone_verified_at=timezone.now(),
    )


def form(user, **changes):
    values = {
        "full_name": user.full_name,
        "id_number": user.id_number,
        "address": user.address,
        "phone": user.phone,
        "email": user.email,
        "date_of_birth": user.date_of_birth.strftime("%d/%m/%Y") if user.date_of_birth else "",
    }
    return {**values, **changes}


def test_the_profile_saves_name_id_number_birth_date_and_address(client, citizen):
    client.force_login(citizen)
    response = client.post(
        "/tai-khoan/",
        form(
            citizen,
            full_name="Vũ Thị Phương",
            id_number="031190001234",
            date_of_birth="02/09/1990",
            address="12 Lạch Tray, Ngô Quyền",
        ),
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert (citizen.full_name, citizen.id_number, citizen.date_of_birth, citizen.address) == (
        "Vũ Thị Phương",
        "031190001234",
        dt.date(1990, 9, 2),
        "12 Lạch Tray, Ngô Quyền",
    )
    event = AccountEvent.objects.get(user=citizen, kind="profile_updated")
    assert event.old["full_name"] == "Vũ Thị F" and event.new["id_number"] == "031190001234"
    assert 'value="02/09/1990"' in client.get("/tai-khoan/").content.decode()


def test_a_bad_id_number_is_refused_next_to_its_input(client, citizen):
    client.force_login(citizen)
    body = client.post("/tai-khoan/", form(citizen, id_number="12345")).content.decode()
    assert "gồm đúng 12 chữ số" in body
    assert 'aria-describedby="id_id_number-error"' in body and 'id="id_id_number-error"' in body
    citizen.refresh_from_db()
    assert citizen.id_number == ""


def test_a_new_phone_changes_only_after_its_code_is_entered(client, citizen):
    client.force_login(citizen)
    response = client.post("/tai-khoan/", form(citizen, phone="+84 922 222 222"))
    assert response["Location"] == "/tai-khoan/xac-thuc/"
    citizen.refresh_from_db()
    assert citizen.phone == "0911111111"  # not yet
    code = sms_code("0922222222")
    assert client.post("/tai-khoan/xac-thuc/", {"code": code, "action": "confirm"}).status_code == 302
    citizen.refresh_from_db()
    assert citizen.phone == "0922222222" and citizen.phone_verified_at is not None
    event = AccountEvent.objects.get(user=citizen, kind="contact_verified")
    assert event.old["phone"] == "0911111111" and event.new["phone"] == "0922222222"


def test_a_new_email_is_verified_through_the_api(client, citizen):
    client.force_login(citizen)
    answer = client.patch(
        "/api/v1/accounts/profile/", {"email": "Vu.F@Example.VN"}, content_type="application/json"
    )
    assert answer.status_code == 200, answer.json()
    [verification] = answer.json()["verifications"]
    assert answer.json()["profile"]["email"] == ""
    code = mail_code("vu.f@example.vn")
    verified = client.post(
        "/api/v1/accounts/verify/",
        {"verification": verification["verification"], "code": code},
        content_type="application/json",
    )
    assert verified.status_code == 200 and verified.json()["email"] == "vu.f@example.vn"
    assert verified.json()["email_verified"] is True


def test_someone_else_cannot_confirm_a_change_of_contact(client, citizen, city):
    client.force_login(citizen)
    [verification] = client.patch(
        "/api/v1/accounts/profile/", {"email": "f2@example.vn"}, content_type="application/json"
    ).json()["verifications"]
    code = mail_code("f2@example.vn")
    client.force_login(city.outsider)
    answer = client.post(
        "/api/v1/accounts/verify/",
        {"verification": verification["verification"], "code": code},
        content_type="application/json",
    )
    assert answer.status_code == 403
    citizen.refresh_from_db()
    assert citizen.email == ""


def test_a_phone_of_another_account_is_refused(client, citizen, city):
    User.objects.create_user(username="cd-other", password="x", phone="0933333333")
    client.force_login(citizen)
    body = client.post("/tai-khoan/", form(citizen, phone="0933333333")).content.decode()
    assert "đã được dùng cho một tài khoản khác" in body


def test_the_last_contact_cannot_be_removed(client, citizen):
    client.force_login(citizen)
    body = client.post("/tai-khoan/", form(citizen, phone="")).content.decode()
    assert "ít nhất một số điện thoại hoặc thư điện tử" in body


def test_prefill_gives_exactly_the_submission_form_keys(citizen):
    citizen.id_number, citizen.address, citizen.email = "031190001234", "5 Điện Biên Phủ", "f@example.vn"
    assert profile_prefill(user=citizen) == {
        "kind": "person",
        "name": "Vũ Thị F",
        "id_number": "031190001234",
        "address": "5 Điện Biên Phủ",
        "phone": "0911111111",
        "email": "f@example.vn",
    }


def test_prefill_for_an_anonymous_visitor_is_blank():
    from django.contrib.auth.models import AnonymousUser

    assert profile_prefill(user=AnonymousUser()) == {
        "kind": "person",
        "name": "",
        "id_number": "",
        "address": "",
        "phone": "",
        "email": "",
    }
