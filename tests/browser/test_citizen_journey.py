"""The citizen's whole journey in real headless Chromium, a phone for the citizen and a desktop for the
desk: sign up (the code arrives by SMS through the outbox) → submit a dossier online with two uploads
→ the desk accepts it → the citizen looks it up by code on the phone → the result is returned → the
citizen rates the service. Screenshots of every step in test-artifacts/journey-*.png."""

import json
import re

import pytest
from django.db import connection
from django.test import override_settings

from tests.accounts.conftest import PASSWORD, code_from, deliver
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import ARTIFACTS
from tests.committed import committed_agency

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

PHONE = "0977345678"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SLUG = "phuong-hanh-trinh"


@pytest.fixture(scope="module")
def journey_world(city, django_db_blocker, tmp_path_factory):
    root = tmp_path_factory.mktemp("hanh-trinh")
    with (
        override_settings(MEDIA_ROOT=root / "media", PRIVATE_MEDIA_ROOT=root / "private"),
        committed_agency(
            django_db_blocker,
            slug=SLUG,
            national_code="000.97.07.H31",
            sector_code="ho-tich-hanh-trinh",
            users={"can_bo_hanh_trinh": ["receiving_officer", "unit_head", "specialist", "leader"]},
        ) as made,
    ):
        yield made
    _forget_citizen(django_db_blocker)  # after the agency's own rows (the citizen's draft among them)


def _forget_citizen(django_db_blocker):
    """The server thread committed the citizen's account and messages: remove them."""
    from axes.models import AccessAttempt, AccessLog

    from shared_apps.accounts.models import AccountEvent, OneTimeCode, User
    from shared_apps.notifications.models import OutboxMessage, SmsMessage

    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        users = list(User.objects.filter(phone=PHONE))
        names = [u.username for u in users] + [PHONE, "can_bo_hanh_trinh"]
        AccessLog.objects.filter(username__in=names).delete()
        AccessAttempt.objects.filter(username__in=names).delete()
        OutboxMessage.objects.filter(recipient=PHONE)._raw_delete(using="default")
        SmsMessage.objects.filter(phone=PHONE)._raw_delete(using="default")
        for model in (AccountEvent, OneTimeCode):
            model.objects.filter(user__in=users)._raw_delete(using="default")
        User.objects.filter(pk__in=[u.pk for u in users])._raw_delete(using="default")


def shot(pg, step, *, axe=True):
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"journey-{step}.png"), full_page=True)
    if axe:
        violations = axe_violations(pg)
        assert not violations, f"{step}: {describe(violations)}"


def test_sign_up_submit_accept_look_up_return_and_rate(browser, phone, server_url, journey_world, tmp_path):
    from shared_apps.notifications.models import SmsMessage

    # 1. the citizen signs up on the phone; the one-time code arrives by SMS
    phone.goto(f"{server_url}/tai-khoan/dang-ky/")
    phone.get_by_label("Họ và tên").fill("Vũ Thị Hành Trình")
    phone.get_by_label("Số điện thoại hoặc thư điện tử").fill(PHONE)
    phone.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    phone.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    phone.get_by_role("button", name="Đăng ký").click()
    phone.wait_for_url("**/tai-khoan/xac-thuc/")
    shot(phone, "1-verify")
    deliver()
    phone.get_by_label("Mã xác thực (6 chữ số)").fill(
        code_from(SmsMessage.objects.filter(phone=PHONE).latest("id").body)
    )
    phone.get_by_role("button", name="Xác thực").click()
    phone.wait_for_url("**/tai-khoan/")

    # 2. submits online with two uploads
    files = []
    for name in ("to-khai.pdf", "giay-chung-sinh.pdf"):
        path = tmp_path / name
        path.write_bytes(PDF)
        files.append(str(path))
    phone.goto(f"{server_url}/thu-tuc/1.001193/")
    phone.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    phone.get_by_label("Cơ quan tiếp nhận hồ sơ").select_option(SLUG)
    phone.get_by_role("button", name="Tiếp tục").click()
    assert (
        phone.get_by_label("Họ và tên (hoặc tên tổ chức)").input_value() == "Vũ Thị Hành Trình"
    )  # pre-filled
    phone.get_by_label("Tờ khai đăng ký khai sinh").set_input_files(files[0])
    phone.get_by_label("Giấy chứng sinh").set_input_files(files[1])
    shot(phone, "2-form")
    phone.get_by_role("button", name="Nộp hồ sơ").click()
    phone.get_by_text("Đã nộp hồ sơ.").wait_for()
    assert phone.locator("#trang-thai").inner_text() == "Mới đăng ký"
    dossier_page = phone.url
    dossier_id = int(dossier_page.rstrip("/").rsplit("/", 1)[1])
    shot(phone, "3-submitted")

    # 3. the desk accepts it (desktop), and works it to the result through the agency API
    desk_context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    desk = desk_context.new_page()
    desk.goto(f"{server_url}/{SLUG}/ho-so/{dossier_id}/")
    desk.get_by_label("Tên đăng nhập", exact=False).first.fill("can_bo_hanh_trinh")
    desk.get_by_label("Mật khẩu").fill(journey_world.password)
    desk.get_by_role("button", name="Đăng nhập").click()
    desk.wait_for_url(f"**/{SLUG}/ho-so/{dossier_id}/")
    assert "Giấy chứng sinh" in desk.content()
    accept = desk.locator("details.action").filter(
        has=desk.locator("summary", has_text=re.compile(r"^Tiếp nhận$"))
    )
    accept.locator("summary").click()
    with desk.expect_navigation():
        accept.get_by_role("button", name="Tiếp nhận", exact=True).click()
    shot(desk, "4-desk-accepted", axe=False)
    token = next(c["value"] for c in desk_context.cookies() if c["name"] == "csrftoken")

    def act(action, body=None):
        response = desk.request.post(
            f"{server_url}/{SLUG}/api/v1/dossiers/{dossier_id}/{action}/",
            data=json.dumps(body or {}),
            headers={"Content-Type": "application/json", "X-CSRFToken": token},
        )
        assert response.status == 200, (action, response.status, response.text()[:300])
        return response.json()

    detail = act("assign", {"specialist": "can_bo_hanh_trinh"})
    code = detail["code"]
    assert code.startswith("000.97.07.H31-")

    # 4. the citizen looks it up by code on the phone
    phone.goto(f"{server_url}/tra-cuu/")
    phone.get_by_label("Mã hồ sơ (in trên giấy hẹn)").fill(code)
    phone.get_by_label(
        "Số điện thoại hoặc số giấy tờ tùy thân đã khai (đầy đủ, để xem thủ tục, cơ quan và người nộp)"
    ).fill(PHONE)
    phone.get_by_role("button", name="Tra cứu").click()
    phone.wait_for_url(f"**/tra-cuu/{code}/**")
    assert "Vũ Thị Hành Trình" in phone.content() and journey_world.agency.name in phone.content()
    shot(phone, "5-lookup")

    # 5. the result is made and returned
    act("appraise", {"opinion": "Đủ điều kiện"})
    act("submit-for-approval", {})
    act("approve", {})
    act("record-result", {"result_number": "123/GKS"})
    returned = act("return-result", {"method": "counter", "collected_by": "Vũ Thị Hành Trình"})
    assert returned["state"] == "returned"
    desk_context.close()

    # 6. the citizen sees it returned and rates the service
    phone.goto(dossier_page)
    assert "Đã trả kết quả" in phone.locator("#trang-thai").inner_text()
    phone.goto(f"{server_url}/danh-gia/{code}/")
    phone.get_by_text("Hài lòng", exact=True).click()
    phone.get_by_label("Ý kiến góp ý (không bắt buộc)").fill("Nhanh, không phải đi lại.")
    # logged in as the dossier's owner: no proof of the last digits is asked
    assert phone.get_by_label("4 số cuối điện thoại hoặc giấy tờ tùy thân của người nộp").count() == 0
    shot(phone, "6-rating")
    phone.get_by_role("button", name="Gửi đánh giá").click()
    phone.wait_for_url(f"**/danh-gia/{code}/cam-on/")
    shot(phone, "7-thanks")

    from shared_apps.ratings.models import Rating

    rating = Rating.objects.get(entry__code=code)
    assert rating.value == "satisfied" and rating.comment == "Nhanh, không phải đi lại."
