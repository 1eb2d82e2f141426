"""On a 360-px phone in real Chromium: from the procedure page to a submitted dossier through the
online submission pages, each without serious accessibility violations or sideways scrolling."""

import pytest
from django.db import connection
from django.test import override_settings

from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import ARTIFACTS
from tests.committed import committed_agency

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


@pytest.fixture(scope="module")
def online_world(city, django_db_blocker, tmp_path_factory):
    from shared_apps.submissions.models import DraftFile, SubmissionDraft

    root = tmp_path_factory.mktemp("nop-dien-thoai")
    with (
        override_settings(MEDIA_ROOT=root / "media", PRIVATE_MEDIA_ROOT=root / "private"),
        committed_agency(
            django_db_blocker,
            slug="phuong-nop-dien-thoai",
            national_code="000.97.06.H31",
            users={"cd_dien_thoai": []},
            sector_code="ho-tich-dien-thoai",
        ) as made,
    ):
        try:
            yield made
        finally:
            with django_db_blocker.unblock():
                connection.set_schema_to_public()
                DraftFile.objects.filter(draft__agency=made.agency)._raw_delete(using="default")
                SubmissionDraft.objects.filter(agency=made.agency)._raw_delete(using="default")


def check(page, what):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"nop-truc-tuyen-{what.replace(' ', '-')}.png"), full_page=True)
    violations = axe_violations(page)
    assert not violations, f"{what}: {describe(violations)}"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} scrolls sideways by {overflow}px on a 360-px screen"


def test_a_citizen_submits_online_on_a_phone(phone, server_url, online_world, tmp_path):
    files = []
    for name in ("to-khai.pdf", "giay-chung-sinh.pdf"):
        path = tmp_path / name
        path.write_bytes(PDF)
        files.append(path)
    phone.goto(f"{server_url}/tai-khoan/dang-nhap/?next=/thu-tuc/1.001193/")
    phone.get_by_label("Số điện thoại, thư điện tử hoặc tên đăng nhập").fill("cd_dien_thoai")
    phone.get_by_label("Mật khẩu").fill(online_world.password)
    phone.get_by_role("button", name="Đăng nhập").click()
    phone.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    check(phone, "choose agency")
    phone.get_by_label("Cơ quan tiếp nhận hồ sơ").select_option("phuong-nop-dien-thoai")
    phone.get_by_role("button", name="Tiếp tục").click()
    phone.get_by_label("Họ và tên (hoặc tên tổ chức)").fill("Phạm Thị Điện Thoại")
    phone.get_by_label("Số điện thoại").fill("0911222333")
    phone.get_by_label("Tờ khai đăng ký khai sinh").set_input_files(str(files[0]))
    phone.get_by_role("button", name="Lưu nháp").click()
    phone.get_by_text("Đã lưu nháp.").wait_for()
    check(phone, "the form")
    phone.get_by_label("Giấy chứng sinh").set_input_files(str(files[1]))
    phone.get_by_role("button", name="Nộp hồ sơ").click()
    phone.get_by_text("Đã nộp hồ sơ.").wait_for()
    assert "/ho-so-cua-toi/phuong-nop-dien-thoai/" in phone.url
    assert phone.locator("#trang-thai").inner_text() == "Mới đăng ký"
    check(phone, "the dossier page")
    phone.goto(f"{server_url}/nop-truc-tuyen/nhap/")
    check(phone, "my drafts")
