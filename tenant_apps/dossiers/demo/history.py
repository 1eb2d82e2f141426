"""A believable history for the demo city: about two hundred dossiers over the past months at Đặc khu
Bạch Long Vĩ, a few wards and departments, in every state, written through the real services with
the clock set to past instants (clock.py). One transaction: all of it or nothing; a city whose
Bạch Long Vĩ already has a dossier is left alone (running it again adds nothing)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError, PermissionRefused
from shared_apps.tracking.models import DossierIndex
from tenants.models import Agency, AgencyKind

from ..models import Channel
from ..plans import intake_plan
from ..services.core import calendar_for
from ..services.handover import schema_of
from .clock import services_clock
from .desk import Case, Desk
from .people import applicant, demo_citizens_ensure, demo_staff_ensure
from .scenarios import QUICK, SCENARIOS, Days, Story

DEMO_ZONE = "dac-khu-bach-long-vi"
LAND = "1.013978"  # land registration: its cadastral step is a department's (liên thông)
LAND_DEPARTMENT = "so-nong-nghiep-va-moi-truong"
COMMUNE_PROCEDURES = (
    "1.001193",  # khai sinh
    "1.000894",  # kết hôn
    "1.004873",  # xác nhận tình trạng hôn nhân
    "1.004859",  # thay đổi, cải chính hộ tịch
    "1.001612",  # thành lập hộ kinh doanh
    "2.000720",  # thay đổi đăng ký hộ kinh doanh
    "1.013225",  # giấy phép xây dựng
    "1.001776",  # trợ cấp xã hội
    "1.004837",  # giám hộ
)
DEPARTMENT_PROCEDURES = {
    LAND_DEPARTMENT: ("1.012783", "1.012786", "1.013831"),
    "so-tai-chinh": ("2.001610", "2.002011"),
    "so-noi-vu": ("1.014199", "1.014200", "1.014201"),
    "so-y-te": ("1.012292",),
}
SIZES = {"zone": 70, "ward": 32, "department": 9}  # about 200 dossiers in all
WARDS = 3
PAST_SPAN = 105  # working days back: about five months
LATE = {"late", "late_apology"}  # stories that need their appointment passed


@dataclass
class DemoReport:
    skipped: bool = False
    dossiers: int = 0
    agencies: list = field(default_factory=list)
    states: Counter = field(default_factory=Counter)


def demo_history_exists():
    return DossierIndex.all_rows.filter(Q(agency__slug=DEMO_ZONE) | Q(origin_agency__slug=DEMO_ZONE)).exists()


def _demo_agencies():
    """[(agency, procedure codes, size kind)]: the zone, the first wards, the departments."""
    zone = Agency.objects.filter(slug=DEMO_ZONE).first()
    if zone is None:
        raise DomainError(_("Chưa có Đặc khu Bạch Long Vĩ: hãy chạy seed_city trước."))
    out = [(zone, COMMUNE_PROCEDURES, "zone")]
    wards = Agency.objects.filter(kind=AgencyKind.WARD).order_by("national_code")[:WARDS]
    out += [(w, COMMUNE_PROCEDURES, "ward") for w in wards]
    departments = {a.slug: a for a in Agency.objects.filter(slug__in=DEPARTMENT_PROCEDURES)}
    out += [
        (departments[s], codes, "department")
        for s, codes in DEPARTMENT_PROCEDURES.items()
        if s in departments
    ]
    return out


def _limits(agency, codes, earliest):
    """{code: working days} of the procedures the agency can take since `earliest` (adopted, in force,
    a limit in working days, received at the counter)."""
    out = {}
    with schema_of(agency):
        for code in codes:
            try:
                plan = intake_plan(agency=agency, procedure_code=code, at=earliest)
            except DomainError:
                continue
            if plan.time_unit == "working_days" and Channel.IN_PERSON in plan.channels:
                out[code] = (int(plan.time_limit), plan.online_open and Channel.ONLINE in plan.channels)
    return out


def _channel(rnd, kind, online_ok):
    if kind == "online" or (kind == "any" and online_ok and rnd.random() < 0.35):
        return Channel.ONLINE
    return Channel.POST if rnd.random() < 0.12 else Channel.IN_PERSON


def _receipt_day(rnd, name, last, limit, need):
    """The working day a dossier is received on: a story of the past ends by yesterday (`last`);
    one that overruns its appointment starts early enough for that; a current one within time is
    received a few days ago (`overdue`: long enough ago to be late now)."""
    if SCENARIOS[name][1]:
        latest = last - need - 1 - (limit + 4 if name in LATE else 0)
        return rnd.randint(last - PAST_SPAN, latest)
    if name == "overdue":
        return last - (limit + rnd.randint(2, 6))
    latest = last - need
    return rnd.randint(min(max(last - max(limit - 2, 0), 1), latest), latest)


def _seed_agency(desk, agency, codes, size, *, citizens, department, today, serial, every=False):
    rnd = random.Random(agency.slug)
    days = Days(calendar_for(agency), today)
    last = len(days) - 1
    limits = _limits(agency, codes, days.at(last - PAST_SPAN - 1, 8))
    land = _limits(agency, [LAND], days.at(last - PAST_SPAN - 1, 8)) if department else {}
    if not limits:
        return 0
    names = [n for n, spec in SCENARIOS.items() if spec[4] is None or land]
    weights = [SCENARIOS[n][0] for n in names]
    longer = [c for c, (limit, _o) in limits.items() if limit >= 3] or list(limits)
    made = 0
    for n in range(size):
        # at the zone every scenario once first (all the states are there even in a small run)
        name = names[n] if every and n < len(names) else rnd.choices(names, weights)[0]
        _w, _past, need, kind, needs = SCENARIOS[name]
        pool = list(land) if needs else (list(limits) if name in QUICK else longer)
        code = rnd.choice(pool)
        limit, online_ok = (land if needs else limits)[code]
        channel = _channel(rnd, kind, online_ok)
        if channel == Channel.ONLINE and not online_ok:
            continue
        serial[0] += 1
        citizen, person = citizens[serial[0] % len(citizens)] if channel == Channel.ONLINE else (None, None)
        case = Case(agency=agency, procedure=code, applicant=person or applicant(serial[0], agency))
        story = Story(
            desk,
            case,
            days,
            rnd,
            channel=channel,
            citizen=citizen,
            key=f"demo-{agency.pk}-{n:05d}",
            department=department,
        )
        getattr(story, name)(_receipt_day(rnd, name, last, limit, need))
        made += 1
    return made


def demo_history_seed(*, acting_user=None, scale=1.0, today=None):
    """Write the demo history unless Bạch Long Vĩ already has a dossier. `scale` shrinks or grows
    the number of dossiers per agency (every scenario still runs once at the zone); `today` is the
    day the history leads up to (default: today). Returns a DemoReport."""
    if acting_user is not None and not (acting_user.is_superuser or acting_user.is_city_admin):
        raise PermissionRefused(_("Chỉ quản trị thành phố được tạo dữ liệu dùng thử."))
    report = DemoReport()
    if demo_history_exists():
        report.skipped = True
        return report
    today = today or timezone.localdate()
    plan = _demo_agencies()
    department = next((a for a, _c, _k in plan if a.slug == LAND_DEPARTMENT), None)
    start = timezone.now() - timedelta(days=1)
    try:
        with transaction.atomic(), services_clock(start) as clock:
            citizens = demo_citizens_ensure()
            staff = {a.pk: demo_staff_ensure(a) for a, _c, _k in plan}
            desk = Desk(clock, staff)
            serial = [0]
            for agency, codes, kind in plan:
                size = max(1, round(SIZES[kind] * scale))
                if kind == "zone":
                    size = max(size, len(SCENARIOS))
                dept = department if kind != "department" else None
                report.dossiers += _seed_agency(
                    desk,
                    agency,
                    codes,
                    size,
                    citizens=citizens,
                    department=dept,
                    today=today,
                    serial=serial,
                    every=kind == "zone",
                )
                report.agencies.append(agency.slug)
    finally:
        connection.set_schema_to_public()
    slugs = report.agencies
    rows = DossierIndex.objects.filter(Q(agency__slug__in=slugs) | Q(origin_agency__slug__in=slugs))
    report.states = Counter(rows.values_list("state", flat=True))
    return report


LOOKUP_LABELS = (
    ("in_progress", "Đang xử lý / in progress"),
    ("returned", "Đã trả kết quả / result returned"),
    ("apologised", "Quá hạn, đã xin lỗi / late, apology given"),
)


def demo_lookup_codes():
    """[(key, label, code)]: three of Bạch Long Vĩ's dossiers worth looking up by code — one in
    progress, one returned, one late with an apology (fewer when the history lacks one)."""
    rows = DossierIndex.objects.filter(
        Q(agency__slug=DEMO_ZONE) | Q(origin_agency__slug=DEMO_ZONE), code__isnull=False
    ).order_by("-received_at", "-pk")
    picks = {
        "in_progress": rows.filter(state="in_appraisal", agency__slug=DEMO_ZONE).first(),
        "returned": rows.filter(state="returned", apologised=False, supplement_count=0).first(),
        "apologised": rows.filter(apologised=True).order_by("-national_status", "-received_at").first(),
    }
    return [(key, label, picks[key].code) for key, label in LOOKUP_LABELS if picks[key] is not None]
