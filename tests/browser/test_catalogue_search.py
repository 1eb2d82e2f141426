"""A citizen finds a procedure by typing without diacritics, on a computer and on a phone."""

import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


@pytest.fixture(scope="module")
def committed_catalogue(city, django_db_blocker):
    """The starter-style catalogue, committed so the server thread sees it; removed afterwards."""
    from shared_apps.catalogue.models import (
        CatalogueEvent,
        Component,
        Fee,
        Procedure,
        ProcedureVersion,
        ProcessStep,
        Sector,
    )
    from tests.catalogue.conftest import publish

    with django_db_blocker.unblock():
        from shared_apps.catalogue.services import sector_ensure

        civil = sector_ensure(code="ho-tich-browser", name="Hộ tịch", acting_user=None)
        publish("1.001193", "Đăng ký khai sinh", civil)
        publish("1.000894", "Đăng ký kết hôn", civil)
    yield
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        # Raw deletes: the ORM's collector would look for adoptions in agency schemas.
        for model in (CatalogueEvent, Component, Fee, ProcessStep, ProcedureVersion, Procedure):
            model.objects.all()._raw_delete(using="default")
        Sector.objects.filter(code="ho-tich-browser")._raw_delete(using="default")


def test_search_without_diacritics_in_the_browser(page, server_url, committed_catalogue):
    page.goto(f"{server_url}/")
    page.get_by_role("link", name="Thủ tục hành chính").first.click()
    page.get_by_label("Tên hoặc mã thủ tục (có dấu hoặc không dấu)").fill("dang ky khai sinh")
    page.get_by_role("button", name="Tìm thủ tục").click()
    page.wait_for_url("**/thu-tuc/?*")
    results = page.locator("ul.procedures li")
    assert results.count() == 1
    assert "Đăng ký khai sinh" in results.first.inner_text()
    results.first.get_by_role("link").click()
    assert page.locator("h1").inner_text() == "Đăng ký khai sinh"
    assert "Giấy chứng sinh" in page.content()


def test_search_on_a_phone(phone, server_url, committed_catalogue):
    phone.goto(f"{server_url}/thu-tuc/?q=ket+hon")
    assert "Đăng ký kết hôn" in phone.locator("ul.procedures").inner_text()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide on a 360px phone"
