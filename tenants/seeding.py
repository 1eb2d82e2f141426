"""Load a city's real administrative units (vietnam-provinces) and its departments as agencies."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from vietnam_provinces import Province, ProvinceCode, VietNamDivisionType, Ward

from shared_apps.accounts.models import Role, User
from shared_apps.accounts.services import membership_grant

from .models import Agency, AgencyKind
from .services import agency_onboard, slug_for_name

# City departments after the 2025 reorganisation (Hải Phòng). The list is data the city can edit
# through the admin afterwards; it only seeds a new installation.
DEPARTMENTS = [
    "Văn phòng Ủy ban nhân dân thành phố",
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Tài chính",
    "Sở Công Thương",
    "Sở Nông nghiệp và Môi trường",
    "Sở Xây dựng",
    "Sở Khoa học và Công nghệ",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Dân tộc và Tôn giáo",
    "Sở Ngoại vụ",
    "Thanh tra thành phố",
    "Ban Quản lý Khu kinh tế",
]

KIND_BY_DIVISION = {
    VietNamDivisionType.PHUONG: AgencyKind.WARD,
    VietNamDivisionType.XA: AgencyKind.COMMUNE,
    VietNamDivisionType.DAC_KHU: AgencyKind.SPECIAL_ZONE,
}

DEMO_AGENCY_SLUGS = ["dac-khu-bach-long-vi", "so-tu-phap"]
DEMO_ROLE_USERS = [
    ("motcua", Role.RECEIVING_OFFICER, "Cán bộ một cửa"),
    ("chuyenvien", Role.SPECIALIST, "Chuyên viên"),
    ("truongphong", Role.UNIT_HEAD, "Trưởng phòng"),
    ("lanhdao", Role.LEADER, "Lãnh đạo"),
    ("quantri", Role.AGENCY_ADMIN, "Quản trị cơ quan"),
]


@dataclass(frozen=True)
class UnitSpec:
    name: str
    slug: str
    kind: str
    national_code: str
    admin_unit_code: str = ""
    is_city: bool = False


def city_units(*, province_code=None, only=None):
    """The agencies of one city: the city itself, its departments and its commune-level units.

    National codes follow 000.00.xx.Hnn: the city 000.00.00.Hnn, departments 000.00.NN.Hnn,
    commune-level units 000.1x.yy.Hnn numbered in order of their administrative-unit code (the real
    codes are to be checked against the national list and can be edited afterwards)."""
    code = int(province_code or settings.CITY_PROVINCE_CODE)
    province = Province.from_code(ProvinceCode(code))
    suffix = settings.CITY_AGENCY_SUFFIX
    city_name = province.name
    specs = [
        UnitSpec(
            name=f"Ủy ban nhân dân {city_name[0].lower()}{city_name[1:]}",
            slug=slug_for_name(city_name),
            kind=AgencyKind.CITY,
            national_code=f"000.00.00.{suffix}",
            admin_unit_code=str(code),
            is_city=True,
        )
    ]
    for i, name in enumerate(DEPARTMENTS, start=1):
        specs.append(
            UnitSpec(
                name=name,
                slug=slug_for_name(name),
                kind=AgencyKind.DEPARTMENT,
                national_code=f"000.00.{i:02d}.{suffix}",
            )
        )
    wards = sorted(Ward.iter_by_province(province.code), key=lambda w: int(w.code))
    units = []
    for i, ward in enumerate(wards, start=1):
        units.append(
            UnitSpec(
                name=ward.name,
                slug=ward.codename.replace("_", "-"),
                kind=KIND_BY_DIVISION[ward.division_type],
                national_code=f"000.{10 + i // 100:02d}.{i % 100:02d}.{suffix}",
                admin_unit_code=str(int(ward.code)),
            )
        )
    # Names that differ only by diacritics (Xã Cẩm Giang / Xã Cẩm Giàng) fold to one slug: both
    # then carry their administrative-unit code.
    seen = {}
    for u in units:
        seen[u.slug] = seen.get(u.slug, 0) + 1
    units = [
        UnitSpec(**{**u.__dict__, "slug": f"{u.slug}-{u.admin_unit_code}"}) if seen[u.slug] > 1 else u
        for u in units
    ]
    if only is not None:
        keep = [u for u in units if u.slug in DEMO_AGENCY_SLUGS]
        rest = [u for u in units if u.slug not in DEMO_AGENCY_SLUGS]
        units = keep + rest[: max(0, only - len(keep))]
    return specs + units


def city_seed(*, acting_user=None, province_code=None, only=None, progress=None):
    """Onboard every unit of `city_units` that is not there yet. Returns (created, skipped)."""
    specs = city_units(province_code=province_code, only=only)
    existing = set(Agency.objects.values_list("slug", flat=True))
    city = Agency.objects.filter(kind=AgencyKind.CITY).first()
    created = skipped = 0
    for spec in specs:
        if spec.slug in existing:
            skipped += 1
        else:
            agency = agency_onboard(
                name=spec.name,
                slug=spec.slug,
                kind=spec.kind,
                national_code=spec.national_code,
                admin_unit_code=spec.admin_unit_code,
                parent=None if spec.is_city else city,
                acting_user=acting_user,
            )
            if spec.is_city:
                city = agency
            created += 1
        if progress is not None:
            progress(spec)
    return created, skipped


def demo_users_ensure(*, reset_passwords=False):
    """Demo logins: a city admin, and one user per role in each demo agency. Returns
    [(username, password or None, description)]; the password is None for users that already
    existed (their password is unchanged) unless reset_passwords."""
    out = []

    def _user(username, full_name, **flags):
        with transaction.atomic():
            user, created = User.objects.get_or_create(
                username=username, defaults={"full_name": full_name, **flags}
            )
            password = None
            if created or reset_passwords:
                password = secrets.token_urlsafe(9)
                user.set_password(password)
                user.save(update_fields=["password"])
        return user, password

    admin, pw = _user(
        "thanhpho.admin",
        "Quản trị Trung tâm CNTT thành phố",
        is_city_admin=True,
        is_staff=True,
        is_superuser=True,
    )
    out.append((admin.username, pw, "Quản trị thành phố (city IT admin) — /admin/"))
    for agency in Agency.objects.filter(slug__in=DEMO_AGENCY_SLUGS).order_by("slug"):
        prefix = "blv" if agency.slug == "dac-khu-bach-long-vi" else agency.slug.replace("-", "")
        for suffix, role, label in DEMO_ROLE_USERS:
            user, pw = _user(f"{prefix}.{suffix}", f"{label} {agency.short_name or agency.name}")
            membership_grant(agency=agency, user=user, roles=[role], acting_user=None)
            out.append((user.username, pw, f"{label} — /{agency.slug}/"))
    return out
