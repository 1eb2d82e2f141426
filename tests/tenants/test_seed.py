import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from tenants.models import Agency, AgencyKind
from tenants.seeding import city_units
from tenants.services import NATIONAL_CODE_RE

pytestmark = pytest.mark.django_db


def test_hai_phong_has_its_real_114_units_plus_city_and_departments():
    units = city_units(province_code=31)
    kinds = [u.kind for u in units]
    assert kinds.count(AgencyKind.CITY) == 1
    assert kinds.count(AgencyKind.DEPARTMENT) == 15
    commune_level = [
        u for u in units if u.kind in (AgencyKind.WARD, AgencyKind.COMMUNE, AgencyKind.SPECIAL_ZONE)
    ]
    assert len(commune_level) == 114
    assert kinds.count(AgencyKind.WARD) == 45 and kinds.count(AgencyKind.COMMUNE) == 67
    zones = {u.name for u in units if u.kind == AgencyKind.SPECIAL_ZONE}
    assert zones == {"Đặc khu Bạch Long Vĩ", "Đặc khu Cát Hải"}
    assert len({u.slug for u in units}) == len(units)
    assert len({u.national_code for u in units}) == len(units)
    assert all(NATIONAL_CODE_RE.match(u.national_code) for u in units)
    assert all(re.fullmatch(r"[a-z0-9-]+", u.slug) for u in units)


def test_seed_city_small_demo_is_idempotent_and_its_logins_work(city, tmp_path, capsys):
    logins = tmp_path / "logins.txt"
    call_command("seed_city", only=2, demo=True, logins_file=str(logins), verbosity=0)
    assert Agency.objects.filter(slug="dac-khu-bach-long-vi", kind=AgencyKind.SPECIAL_ZONE).exists()
    assert Agency.objects.filter(kind=AgencyKind.DEPARTMENT).count() == 15
    count = Agency.objects.count()
    call_command("seed_city", only=2, demo=True, logins_file=str(logins), verbosity=0)
    assert Agency.objects.count() == count
    rows = [line.split() for line in logins.read_text(encoding="utf-8").splitlines()[2:] if line.strip()]
    by_name = {r[0]: r[1] for r in rows}
    login = RequestFactory().post("/tai-khoan/dang-nhap/")  # the lockout guard judges a login by its request
    assert authenticate(login, username="blv.motcua", password=by_name["blv.motcua"]) is not None
    assert authenticate(login, username="thanhpho.admin", password=by_name["thanhpho.admin"]).is_city_admin
