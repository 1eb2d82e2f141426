"""Three communes holding dossiers in every state, built with the real desk services."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from shared_apps.accounts.models import Role, User
from shared_apps.accounts.services import membership_grant
from shared_apps.calendar.services import calendar_city_ensure, calendar_holidays_seed
from shared_apps.catalogue.content import ComponentSpec, FeeSpec
from shared_apps.catalogue.services import sector_ensure
from tenant_apps.dossiers import services as s
from tenant_apps.dossiers.models import Dossier
from tenants.services import agency_onboard
from tests.catalogue.conftest import publish

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ALL_ROLES = [r.value for r in Role]
APPLICANT = {"name": "Trần Thị Bình", "id_number": "031099004321", "phone": "0987654321", "address": "Thôn 2"}
COMPLETE = {1: {"provided": True}, 2: {"provided": True}}
STATES = [
    "new",
    "received",
    "in_appraisal",
    "awaiting_approval",
    "supplement_requested",
    "financial_obligation",
    "finished",
    "returned",
    "refused",
    "withdrawn",
]


def _build(agency, staff, state, *, key):
    """One dossier of `agency` brought to `state` through the services."""
    officer, head, spec, leader = (
        staff[Role.RECEIVING_OFFICER],
        staff[Role.UNIT_HEAD],
        staff[Role.SPECIALIST],
        staff[Role.LEADER],
    )
    a = agency
    if state == "new":  # online, both components with their files (provided online means a file)
        d, _created = s.dossier_submit_online_with_files(
            agency=a,
            procedure="1.001193",
            applicant=APPLICANT,
            files=[
                (
                    position,
                    SimpleUploadedFile(f"giay-to-{position}.pdf", PDF, "application/pdf"),
                    "application/pdf",
                )
                for position in COMPLETE
            ],
            acting_user=staff["citizen"],
            idempotency_key=key,
        )
        connection.set_tenant(a)
        return d
    if state == "refused":
        d = s.dossier_register(
            agency=a,
            procedure="1.001193",
            applicant=APPLICANT,
            channel="in_person",
            components={},
            acting_user=officer,
        )
        return s.dossier_refuse(agency=a, dossier=d, reason="Không thuộc thẩm quyền", acting_user=officer)
    d = s.dossier_receive(
        agency=a,
        procedure="1.001193",
        applicant=APPLICANT,
        channel="in_person",
        components=COMPLETE,
        acting_user=officer,
    )
    s.dossier_component_attach(
        agency=a,
        dossier=d,
        position=1,
        acting_user=officer,
        upload=SimpleUploadedFile("to-khai.pdf", PDF, "application/pdf"),
    )
    if state == "received":
        return d
    if state == "withdrawn":
        return s.dossier_withdraw(agency=a, dossier=d, reason="Công dân xin rút", acting_user=officer)
    d = s.dossier_assign(agency=a, dossier=d, specialist=spec, acting_user=head)
    if state == "in_appraisal":
        return d
    if state == "supplement_requested":
        return s.dossier_request_supplement(agency=a, dossier=d, reason="Thiếu bản chính", acting_user=spec)
    if state == "financial_obligation":
        return s.dossier_request_financial_obligation(
            agency=a, dossier=d, reason="Nộp lệ phí", acting_user=spec
        )
    d = s.dossier_appraise(agency=a, dossier=d, opinion="Đủ điều kiện", acting_user=spec)
    d = s.dossier_submit_for_approval(agency=a, dossier=d, leader=leader, acting_user=spec)
    if state == "awaiting_approval":
        return d
    d = s.dossier_approve(agency=a, dossier=d, acting_user=leader)
    d = s.dossier_record_result(agency=a, dossier=d, result_number="12/KS", acting_user=leader)
    if state == "finished":
        return d
    return s.dossier_return_result(
        agency=a, dossier=d, method="counter", collected_by="Trần Thị Bình", acting_user=officer
    )


@pytest.fixture
def communes(db, city, settings, tmp_path):
    """Three communes (xa-mot, xa-hai, xa-ba), each with one dossier per state in STATES, plus a
    member present in two of them and a commune-level procedure they all adopted."""
    settings.MEDIA_ROOT = str(tmp_path)
    calendar_holidays_seed(calendar=calendar_city_ensure(), years=range(2025, 2029), acting_user=None)
    sector = sector_ensure(code="ho-tich", name="Hộ tịch", acting_user=None)
    publish(
        "1.001193",
        "Đăng ký khai sinh",
        sector,
        time_limit=Decimal("3"),
        online_mode="full",
        components=(
            ComponentSpec("Tờ khai đăng ký khai sinh", "original", 1, True),
            ComponentSpec("Giấy chứng sinh", "original", 1, True),
        ),
        fees=(FeeSpec("Lệ phí", 8000, "UBND xã"),),
    )
    citizen = User.objects.create_user(username="cong_dan", password="x", full_name="Trần Thị Bình")
    shared = User.objects.create_user(username="can_bo_chung", password="x", full_name="Cán bộ hai xã")
    agencies, staff_of = [], {}
    for n, (slug, name) in enumerate(
        [("xa-mot", "Xã Một"), ("xa-hai", "Xã Hai"), ("xa-ba", "Xã Ba")], start=1
    ):
        agency = agency_onboard(
            name=name, slug=slug, kind="commune", national_code=f"000.94.0{n}.H31", acting_user=None
        )
        staff = {"citizen": citizen}
        for role in ALL_ROLES:
            staff[role] = User.objects.create_user(
                username=f"{slug}_{role}", password="x", full_name=f"{name} {role}"
            )
            membership_grant(agency=agency, user=staff[role], roles=[role], acting_user=None)
        agencies.append(agency)
        staff_of[slug] = staff
    membership_grant(agency=agencies[0], user=shared, roles=[Role.SPECIALIST], acting_user=None)
    membership_grant(agency=agencies[1], user=shared, roles=[Role.LEADER], acting_user=None)
    dossiers = {}
    for agency in agencies:
        connection.set_tenant(agency)
        dossiers[agency.slug] = {
            state: _build(agency, staff_of[agency.slug], state, key=f"khoa-{agency.slug}-0001")
            for state in STATES
        }
        connection.set_schema_to_public()
    return SimpleNamespace(
        agencies=agencies, staff=staff_of, dossiers=dossiers, citizen=citizen, shared=shared
    )


def history(agency):
    """{code or id: [(seq, action, from, to, note, old, new) ...]} of every dossier of the agency."""
    connection.set_tenant(agency)
    try:
        out = {}
        for d in Dossier.objects.prefetch_related("events").order_by("id"):
            out[d.code or f"{d.applicant_name}#{d.idempotency_key}"] = [
                (e.seq, e.action, e.from_state, e.to_state, e.note, e.old_values, e.new_values, e.at)
                for e in d.events.all()
            ]
        return out
    finally:
        connection.set_schema_to_public()


def dossier_rows(agency):
    connection.set_tenant(agency)
    try:
        return {d.pk: d for d in Dossier.objects.prefetch_related("components", "pauses", "events")}
    finally:
        connection.set_schema_to_public()
