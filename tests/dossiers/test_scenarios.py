"""One scenario per path of a dossier's life, through the services (what the desk pages and the API call)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import DomainError, PermissionRefused
from shared_apps.calendar import deadlines
from shared_apps.tracking.models import DossierIndex
from tenant_apps.dossiers import services as s
from tenant_apps.dossiers.models import Dossier, DossierPause
from tenant_apps.dossiers.selectors import control_slip
from tenant_apps.dossiers.services.core import calendar_for, compute_due

from .conftest import APPLICANT, receive

pytestmark = pytest.mark.django_db


def test_receive_assign_appraise_approve_return_on_time(desk):
    d = receive(desk)
    assert d.code.startswith("000.93.01.H31-") and d.code.endswith("-0001")
    assert d.state == "received" and d.due_at > d.received_at
    index = DossierIndex.objects.get(code=d.code)
    assert index.national_status == 2 and index.agency_id == desk.agency.pk

    d = s.dossier_assign(
        agency=desk.agency, dossier=d, specialist=desk.specialist, acting_user=desk.unit_head
    )
    assert d.state == "in_appraisal" and d.holder == desk.specialist
    d = s.dossier_appraise(agency=desk.agency, dossier=d, opinion="Đủ điều kiện", acting_user=desk.specialist)
    d = s.dossier_submit_for_approval(
        agency=desk.agency, dossier=d, leader=desk.leader, acting_user=desk.specialist
    )
    d = s.dossier_approve(agency=desk.agency, dossier=d, acting_user=desk.leader)
    d = s.dossier_record_result(
        agency=desk.agency, dossier=d, result_number="123/TLKS", acting_user=desk.leader
    )
    assert d.state == "finished" and d.timeliness in ("early", "on_time")
    d = s.dossier_return_result(
        agency=desk.agency,
        dossier=d,
        method="counter",
        collected_by="Nguyễn Văn An",
        acting_user=desk.receiving_officer,
    )
    assert d.state == "returned"
    assert DossierIndex.objects.get(code=d.code).national_status == 10
    actions = list(d.events.values_list("action", flat=True))
    assert actions == [
        "register",
        "accept",
        "assign",
        "appraise",
        "submit_for_approval",
        "approve",
        "record_result",
        "return_result",
    ]
    slip = control_slip(dossier=d)
    assert [row["step"] for row in slip] == ["receive", "assign", "appraise", "approve", "return"]
    assert slip[0]["giver"] == "Người receiving_officer" and slip[0]["receiver"] == "Trưởng đơn vị"
    assert slip[1]["giver"] == "Người unit_head" and slip[1]["receiver"] == "Người specialist"
    assert slip[4]["giver"] == "Người receiving_officer" and slip[4]["receiver"] == "Nguyễn Văn An"
    assert all(row["timeliness"] in ("early", "on_time") for row in slip)


def test_every_event_keeps_old_and_new_values(desk):
    d = receive(desk)
    d = s.dossier_assign(
        agency=desk.agency, dossier=d, specialist=desk.specialist, acting_user=desk.unit_head
    )
    event = d.events.order_by("-seq").first()
    assert event.old_values["state"] == "received" and event.new_values["state"] == "in_appraisal"
    assert event.new_values["holder_id"] == desk.specialist.pk and event.actor == desk.unit_head


def age(dossier, days):
    """Pretend the dossier was received `days` ago (the clock cannot be moved in a real database)."""
    delta = timedelta(days=days)
    Dossier.objects.filter(pk=dossier.pk).update(received_at=dossier.received_at - delta)
    dossier.refresh_from_db()
    agency = dossier._agency
    result, due = compute_due(agency=agency, dossier=dossier)
    Dossier.objects.filter(pk=dossier.pk).update(
        counted_from=result.counted_from, due_at=due, original_due_at=due
    )
    dossier.refresh_from_db()
    return dossier


def test_supplement_during_processing_pauses_the_clock_by_exactly_the_pause(desk):
    d = receive(desk)
    d._agency = desk.agency
    d = age(d, 10)
    d = s.dossier_assign(
        agency=desk.agency, dossier=d, specialist=desk.specialist, acting_user=desk.unit_head
    )
    due_before = d.due_at
    d = s.dossier_request_supplement(
        agency=desk.agency, dossier=d, reason="Thiếu giấy chứng sinh bản chính", acting_user=desk.specialist
    )
    assert d.state == "supplement_requested" and d.resume_state == "in_appraisal"
    assert DossierIndex.objects.get(code=d.code).is_paused
    pause = DossierPause.objects.get(dossier=d)
    # the pause began soon after the clock started (well before the appointment)
    DossierPause.objects.filter(pk=pause.pk).update(started_at=d.counted_from + timedelta(minutes=30))
    pause.refresh_from_db()
    d = s.dossier_supplement_received(agency=desk.agency, dossier=d, acting_user=desk.receiving_officer)
    assert d.state == "in_appraisal"
    pause.refresh_from_db()
    cal = calendar_for(desk.agency)
    paused = deadlines.working_time_between(
        calendar=cal, start=timezone.localtime(pause.started_at), end=timezone.localtime(pause.ended_at)
    )
    moved = deadlines.working_time_between(
        calendar=cal, start=timezone.localtime(due_before), end=timezone.localtime(d.due_at)
    )
    assert paused > timedelta(0)
    assert moved == paused


def test_more_than_one_supplement_request_counts_as_late(desk):
    d = receive(desk)
    d = s.dossier_assign(
        agency=desk.agency, dossier=d, specialist=desk.specialist, acting_user=desk.unit_head
    )
    for _ in range(2):
        d = s.dossier_request_supplement(
            agency=desk.agency, dossier=d, reason="Bổ sung", acting_user=desk.specialist
        )
        d = s.dossier_supplement_received(agency=desk.agency, dossier=d, acting_user=desk.receiving_officer)
    d = s.dossier_appraise(agency=desk.agency, dossier=d, opinion="Đạt", acting_user=desk.specialist)
    d = s.dossier_submit_for_approval(agency=desk.agency, dossier=d, acting_user=desk.specialist)
    d = s.dossier_approve(agency=desk.agency, dossier=d, acting_user=desk.leader)
    d = s.dossier_record_result(agency=desk.agency, dossier=d, result_number="1", acting_user=desk.leader)
    assert d.supplement_count == 2 and d.timeliness == "late"


def test_refusal_at_intake(desk):
    from tenant_apps.dossiers.services import dossier_refuse, dossier_register

    d = dossier_register(
        agency=desk.agency,
        procedure="1.001193",
        applicant=APPLICANT,
        channel="in_person",
        components={1: {"provided": True}},
        acting_user=desk.receiving_officer,
    )
    assert d.code is None and d.state == "new"
    with pytest.raises(DomainError, match="lý do"):
        dossier_refuse(agency=desk.agency, dossier=d, reason=" ", acting_user=desk.receiving_officer)
    d = dossier_refuse(
        agency=desk.agency, dossier=d, reason="Không thuộc thẩm quyền", acting_user=desk.receiving_officer
    )
    assert d.state == "refused" and d.code is None and d.closing_reason == "Không thuộc thẩm quyền"
    assert DossierIndex.objects.get(agency_id=desk.agency.pk, dossier_id=d.pk).national_status == 3


def test_incomplete_at_intake_is_asked_to_supplement_once(desk):
    from tenant_apps.dossiers.services import (
        dossier_accept,
        dossier_register,
        dossier_request_intake_supplement,
        dossier_resubmit,
    )

    d = dossier_register(
        agency=desk.agency,
        procedure="1.001193",
        applicant=APPLICANT,
        channel="in_person",
        components={1: {"provided": True}},
        acting_user=desk.receiving_officer,
    )
    with pytest.raises(DomainError, match="Giấy chứng sinh"):
        dossier_accept(agency=desk.agency, dossier=d, acting_user=desk.receiving_officer)
    d = dossier_request_intake_supplement(
        agency=desk.agency,
        dossier=d,
        acting_user=desk.receiving_officer,
        items=[{"name": "Giấy chứng sinh", "reason": "Chưa có bản chính"}],
    )
    assert d.state == "intake_supplement"
    d = dossier_resubmit(
        agency=desk.agency, dossier=d, acting_user=desk.receiving_officer, components={2: {"provided": True}}
    )
    with pytest.raises(DomainError, match="một lần"):
        dossier_request_intake_supplement(
            agency=desk.agency, dossier=d, acting_user=desk.receiving_officer, items=[{"name": "x"}]
        )
    d = dossier_accept(
        agency=desk.agency, dossier=Dossier.objects.get(pk=d.pk), acting_user=desk.receiving_officer
    )
    assert d.state == "received" and d.code


def test_overdue_apology_gives_a_new_appointment_once(desk):
    d = receive(desk)
    d = s.dossier_assign(
        agency=desk.agency, dossier=d, specialist=desk.specialist, acting_user=desk.unit_head
    )
    with pytest.raises(DomainError, match="chưa quá hạn"):
        s.dossier_apologize(
            agency=desk.agency,
            dossier=d,
            new_due_at=timezone.now() + timedelta(days=3),
            reason="x",
            acting_user=desk.leader,
        )
    Dossier.objects.filter(pk=d.pk).update(due_at=timezone.now() - timedelta(hours=1))
    new_due = timezone.now() + timedelta(days=5)
    d = s.dossier_apologize(
        agency=desk.agency, dossier=d, new_due_at=new_due, reason="Chờ xác minh", acting_user=desk.leader
    )
    assert d.due_at == new_due and d.apology_count == 1 and d.late_agency_code == desk.agency.national_code
    Dossier.objects.filter(pk=d.pk).update(due_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(DomainError, match="một lần"):
        s.dossier_apologize(
            agency=desk.agency, dossier=d, new_due_at=new_due, reason="x", acting_user=desk.leader
        )
    assert d.events.filter(action="apologize").count() == 1


def test_withdrawal_at_the_citizens_request(desk):
    d = receive(desk)
    d = s.dossier_withdraw(
        agency=desk.agency, dossier=d, reason="Đơn rút hồ sơ ngày 26/11", acting_user=desk.receiving_officer
    )
    assert d.state == "withdrawn"
    assert DossierIndex.objects.get(code=d.code).national_status == 7


def test_stop_with_notice(desk):
    d = receive(desk)
    d = s.dossier_assign(
        agency=desk.agency, dossier=d, specialist=desk.specialist, acting_user=desk.unit_head
    )
    d = s.dossier_request_financial_obligation(
        agency=desk.agency, dossier=d, reason="Nộp lệ phí", acting_user=desk.specialist
    )
    assert DossierIndex.objects.get(code=d.code).national_status == 6
    d = s.dossier_stop(
        agency=desk.agency,
        dossier=d,
        reason="Quá thời hạn thực hiện nghĩa vụ tài chính",
        acting_user=desk.leader,
    )
    assert d.state == "stopped" and not d.pauses.filter(ended_at__isnull=True).exists()


def test_roles_are_checked_by_the_services(desk):
    d = receive(desk)
    with pytest.raises(PermissionRefused):
        s.dossier_assign(
            agency=desk.agency, dossier=d, specialist=desk.specialist, acting_user=desk.specialist
        )
    with pytest.raises(DomainError, match="vai trò"):
        s.dossier_assign(agency=desk.agency, dossier=d, specialist=desk.leader, acting_user=desk.unit_head)


def test_receiving_an_incomplete_dossier_is_refused_and_writes_nothing(desk):
    before = Dossier.objects.count()
    with pytest.raises(DomainError, match="Giấy chứng sinh"):
        receive(desk, components={1: {"provided": True}})
    assert Dossier.objects.count() == before
