from datetime import time
from decimal import Decimal

import pytest

from shared_apps.catalogue.content import ComponentSpec, FeeSpec, VersionContent
from shared_apps.catalogue.services import procedure_draft_create, procedure_version_publish, sector_ensure


def content(**overrides):
    values = dict(
        levels=("commune",),
        channels=("in_person", "online"),
        time_limit=Decimal("3"),
        time_unit="working_days",
        online_mode="partial",
        cutoff=time(15, 0),
        legal_basis="Luật Hộ tịch số 60/2014/QH13",
        source="Thử nghiệm",
        components=(
            ComponentSpec("Tờ khai đăng ký khai sinh", "original", 1, True),
            ComponentSpec("Giấy chứng sinh", "original", 1, True),
        ),
        fees=(FeeSpec("Lệ phí đăng ký khai sinh", 0, "UBND cấp xã"),),
    )
    values.update(overrides)
    return VersionContent(**values)


def publish(code, name, sector, **overrides):
    version = procedure_draft_create(
        national_code=code, name=name, sector=sector, content=content(**overrides), acting_user=None
    )
    return procedure_version_publish(version=version, acting_user=None)


@pytest.fixture
def catalogue(db):
    civil = sector_ensure(code="ho-tich", name="Hộ tịch", acting_user=None)
    business = sector_ensure(
        code="doanh-nghiep", name="Thành lập và hoạt động của doanh nghiệp", acting_user=None
    )
    birth = publish("1.001193", "Đăng ký khai sinh", civil)
    marriage = publish("1.000894", "Đăng ký kết hôn", civil, time_limit=Decimal("5"), online_mode="")
    company = publish(
        "2.001610",
        "Đăng ký thành lập công ty TNHH một thành viên",
        business,
        levels=("department",),
        time_limit=Decimal("3"),
        online_mode="full",
        fees=(FeeSpec("Lệ phí đăng ký doanh nghiệp", 50000, "Sở Tài chính"),),
    )
    return {"birth": birth, "marriage": marriage, "company": company, "civil": civil}
