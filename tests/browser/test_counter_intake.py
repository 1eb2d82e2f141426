"""An officer at the counter logs in, takes in a complete dossier through the checklist, and prints
the receipt with its appointment — in real headless Chromium."""

import pytest
from pypdf import PdfReader

from tests.committed import committed_agency

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


@pytest.fixture(scope="module")
def counter(city, django_db_blocker):
    with committed_agency(
        django_db_blocker,
        slug="phuong-quay",
        national_code="000.95.01.H31",
        users={"quay_motcua": ["receiving_officer"]},
        sector_code="ho-tich-quay",
    ) as world:
        yield world


def test_counter_intake_and_receipt(page, server_url, counter, tmp_path):
    slug = counter.agency.slug
    page.goto(f"{server_url}/{slug}/ho-so/tiep-nhan/")
    assert "/tai-khoan/dang-nhap/" in page.url
    page.get_by_label("Tên đăng nhập").fill("quay_motcua")
    page.get_by_label("Mật khẩu").fill(counter.password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"**/{slug}/ho-so/tiep-nhan/")

    page.get_by_label("Thủ tục").select_option("1.001193")
    page.get_by_label("Có: Giấy chứng sinh").wait_for()  # the checklist arrived through htmx
    page.get_by_label("Có: Tờ khai đăng ký khai sinh").check()
    page.get_by_label("Số hóa: Tờ khai đăng ký khai sinh").check()
    page.get_by_label("Có: Giấy chứng sinh").check()
    page.get_by_label("Họ và tên / Tên tổ chức").fill("Lê Thị Hồng Nhung")
    page.get_by_label("Số điện thoại").fill("0901234567")
    page.get_by_label("Địa chỉ").fill("Thôn Bắc, đặc khu Bạch Long Vĩ")
    page.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    page.wait_for_url(f"**/{slug}/ho-so/*/")

    assert "Đã tiếp nhận hồ sơ 000.95.01.H31-" in page.content()
    code = page.locator("dd strong").first.inner_text()
    assert code.startswith("000.95.01.H31-")

    link = page.get_by_role("link", name="In: Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    href = link.get_attribute("href")
    response = page.request.get(f"{server_url}{href}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(response.body())
    text = "\n".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert code in text and "Lê Thị Hồng Nhung" in text and "Giấy chứng sinh" in text
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "receipt.pdf").write_bytes(response.body())
