"""Two agencies of the city: a commune and the department that decides some of its procedures.

`1.013978` (land registration) is received by the commune and has a step the department performs
(its share of the time limit); `2.001610` (a department-level procedure) is adopted by the
department only, for receipts on its behalf at the commune's desk."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from shared_apps.accounts.models import Role, User
from shared_apps.accounts.services import membership_grant
from shared_apps.calendar.services import calendar_city_ensure, calendar_holidays_seed
from shared_apps.catalogue.content import ComponentSpec, FeeSpec, StepSpec
from shared_apps.catalogue.services import sector_ensure
from tenants.services import agency_onboard
from tests.catalogue.conftest import publish

ROLES = [r.value for r in Role if r != Role.AGENCY_ADMIN]
INTERAGENCY_STEPS = (
    StepSpec("receive", "Tiếp nhận hồ sơ", "receiving_officer", Decimal("10")),
    StepSpec("assign", "Phân công xử lý", "unit_head", Decimal("10")),
    StepSpec("decide", "Sở thẩm định, cấp Giấy chứng nhận", "leader", Decimal("60"), "department"),
    StepSpec("approve", "Xác nhận kết quả", "leader", Decimal("10")),
    StepSpec("return", "Trả kết quả", "receiving_officer", Decimal("10")),
)
APPLICANT = {
    "name": "Lê Thị Hoa",
    "id_number": "031199004321",
    "phone": "0987654321",
    "address": "Thôn 2, xã Liên Thông",
}
COMPLETE = {1: {"provided": True, "digitised": True}, 2: {"provided": True}}


def _people(agency, prefix):
    users = {}
    for role in ROLES:
        users[role] = User.objects.create_user(
            username=f"{prefix}_{role}", password="x", full_name=f"{prefix.upper()} {role}"
        )
        membership_grant(agency=agency, user=users[role], roles=[role], acting_user=None)
    return SimpleNamespace(agency=agency, **users)


@pytest.fixture
def two(db, city, in_agency):
    calendar_holidays_seed(calendar=calendar_city_ensure(), years=range(2025, 2029), acting_user=None)
    land = sector_ensure(code="dat-dai", name="Đất đai", acting_user=None)
    business = sector_ensure(code="doanh-nghiep", name="Doanh nghiệp", acting_user=None)
    components = (
        ComponentSpec("Đơn đăng ký", "original", 1, True),
        ComponentSpec("Giấy tờ về quyền sử dụng đất", "copy", 1, True),
    )
    land_version = publish(
        "1.013978",
        "Đăng ký đất đai, cấp Giấy chứng nhận lần đầu",
        land,
        time_limit=Decimal("20"),
        components=components,
        steps=INTERAGENCY_STEPS,
        channels=("in_person", "post"),
        online_mode="",
    )
    company_version = publish(
        "2.001610",
        "Đăng ký thành lập doanh nghiệp tư nhân",
        business,
        levels=("department",),
        time_limit=Decimal("3"),
        components=components,
        fees=(FeeSpec("Lệ phí đăng ký doanh nghiệp", 50000, "Sở Tài chính"),),
        channels=("in_person", "post"),
        online_mode="",
    )
    commune = agency_onboard(
        name="Xã Liên Thông",
        slug="xa-lien-thong",
        kind="commune",
        national_code="000.94.01.H31",
        acting_user=None,
    )
    department = agency_onboard(
        name="Sở Nông nghiệp và Môi trường",
        slug="so-nn-mt",
        kind="department",
        national_code="000.94.02.H31",
        acting_user=None,
    )
    ns = SimpleNamespace(
        commune=_people(commune, "xa"),
        department=_people(department, "so"),
        land=land_version,
        company=company_version,
    )
    with in_agency(commune):
        yield ns


def receive_land(two, **overrides):
    from tenant_apps.dossiers.services import dossier_receive

    values = dict(
        agency=two.commune.agency,
        procedure="1.013978",
        applicant=APPLICANT,
        channel="in_person",
        components=COMPLETE,
        acting_user=two.commune.receiving_officer,
    )
    values.update(overrides)
    return dossier_receive(**values)
