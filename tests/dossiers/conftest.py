from decimal import Decimal
from types import SimpleNamespace

import pytest

from shared_apps.accounts.models import Role, User
from shared_apps.accounts.services import membership_grant
from shared_apps.calendar.services import calendar_city_ensure, calendar_holidays_seed
from shared_apps.catalogue.content import ComponentSpec, FeeSpec
from shared_apps.catalogue.services import sector_ensure
from tenants.services import agency_onboard
from tests.catalogue.conftest import publish

ALL_ROLES = [r.value for r in Role]


@pytest.fixture
def desk(db, city, in_agency):
    """An agency with a published, adopted 3-working-day procedure and one user per role."""
    calendar = calendar_city_ensure()
    calendar_holidays_seed(calendar=calendar, years=range(2025, 2029), acting_user=None)
    sector = sector_ensure(code="ho-tich", name="Hộ tịch", acting_user=None)
    version = publish(
        "1.001193",
        "Đăng ký khai sinh",
        sector,
        time_limit=Decimal("3"),
        components=(
            ComponentSpec("Tờ khai đăng ký khai sinh", "original", 1, True),
            ComponentSpec("Giấy chứng sinh", "original", 1, True),
            ComponentSpec("Giấy tờ chứng minh nơi cư trú", "copy", 1, False),
        ),
        fees=(FeeSpec("Lệ phí", 8000, "UBND xã"),),
    )
    agency = agency_onboard(
        name="Phường Một Cửa",
        slug="phuong-mot-cua",
        kind="ward",
        national_code="000.93.01.H31",
        acting_user=None,
    )
    users = {}
    for role in ALL_ROLES:
        users[role] = User.objects.create_user(
            username=f"desk_{role}", password="x", full_name=f"Người {role}"
        )
        membership_grant(agency=agency, user=users[role], roles=[role], acting_user=None)
    boss = User.objects.create_user(username="desk_all", password="x", full_name="Đủ vai trò")
    membership_grant(agency=agency, user=boss, roles=ALL_ROLES, acting_user=None)
    ns = SimpleNamespace(agency=agency, version=version, boss=boss, **users)
    with in_agency(agency):
        yield ns


APPLICANT = {
    "name": "Nguyễn Văn An",
    "id_number": "031099001234",
    "phone": "0912345678",
    "address": "Thôn 1, đặc khu Bạch Long Vĩ",
}
COMPLETE = {1: {"provided": True, "digitised": True}, 2: {"provided": True}}


def receive(desk, **overrides):
    from tenant_apps.dossiers.services import dossier_receive

    values = dict(
        agency=desk.agency,
        procedure="1.001193",
        applicant=APPLICANT,
        channel="in_person",
        components=COMPLETE,
        acting_user=desk.receiving_officer,
    )
    values.update(overrides)
    return dossier_receive(**values)
