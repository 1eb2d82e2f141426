"""Public pages at the city address pass axe-core (WCAG 2.1 A/AA rules) with no serious or critical
violation, on a 360-px phone and on a desktop, and need no horizontal scrolling on the phone."""

import pytest

from tests.browser.axe import axe_violations, describe

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

PUBLIC_PAGES = [
    "/",
    "/thu-tuc/",
    "/tra-cuu/",
    "/tra-cuu/KHONG-CO-MA-NAY/",
    "/tai-khoan/dang-nhap/",
    "/cong-khai/",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_no_serious_accessibility_violation_on_a_phone(phone, server_url, path):
    phone.goto(f"{server_url}{path}")
    violations = axe_violations(phone)
    assert not violations, describe(violations)
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a 360-px screen"


@pytest.mark.parametrize("path", ["/", "/thu-tuc/", "/tra-cuu/"])
def test_public_page_has_no_serious_accessibility_violation_on_a_desktop(page, server_url, path):
    page.goto(f"{server_url}{path}")
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_the_check_itself_catches_an_unlabelled_input(page):
    """Guards the guard: a page with an input that has no label must be reported."""
    page.set_content(
        '<html lang="vi"><head><title>x</title></head><body><main><input type="text"></main></body></html>'
    )
    assert "label" in {v["id"] for v in axe_violations(page)}
