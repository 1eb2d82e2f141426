"""Hand-over between agencies (liên thông): commune → department → commune in one transaction per hop,
each agency with its own sub-deadline, the late one recorded as the cause."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import DomainError
from shared_apps.notifications.models import OutboxMessage
from shared_apps.tracking.models import DossierIndex, IndexEvent
from shared_apps.tracking.selectors import dossier_lookup
from tenant_apps.dossiers import services as s
from tenant_apps.dossiers.models import Dossier, DossierEvent
from tenant_apps.dossiers.selectors import control_slip
from tenant_apps.dossiers.services.core import working_time
from tenant_apps.dossiers.services.handover import schema_of

from .conftest import receive_land

pytestmark = pytest.mark.django_db


def hand_over(two, dossier, **extra):
    return s.dossier_hand_over(
        agency=two.commune.agency,
        dossier=dossier,
        to_agency=two.department.agency,
        note="Đề nghị Sở thẩm định",
        acting_user=two.commune.receiving_officer,
        **extra,
    )


def department_decides(two, *, result_number="GCN-0001", late=False):
    dept = two.department
    with schema_of(dept.agency):
        row = Dossier.objects.get()
        if late:  # its sub-deadline passed: pretend it was handed over a week ago
            past = timezone.now() - timedelta(days=3)
            Dossier.objects.filter(pk=row.pk).update(
                due_at=past,
                original_due_at=past,
                received_at=past - timedelta(days=4),
                counted_from=past - timedelta(days=4),
            )
        row = s.dossier_assign(
            agency=dept.agency, dossier=row, specialist=dept.specialist, acting_user=dept.unit_head
        )
        row = s.dossier_appraise(
            agency=dept.agency, dossier=row, opinion="Đủ điều kiện", acting_user=dept.specialist
        )
        row = s.dossier_submit_for_approval(
            agency=dept.agency, dossier=row, leader=dept.leader, acting_user=dept.specialist
        )
        row = s.dossier_approve(agency=dept.agency, dossier=row, acting_user=dept.leader)
        return s.dossier_hand_back(
            agency=dept.agency,
            dossier=row,
            acting_user=dept.leader,
            note="Đã ký Giấy chứng nhận",
            result_number=result_number,
        )


def test_commune_to_department_and_back_on_time(two):
    d = receive_land(two)
    sender = hand_over(two, d)
    assert sender.state == "handed_over" and sender.national_status == 4
    assert sender.handed_to_agency_id == two.department.agency.pk and sender.hop_step == "decide"
    event = sender.events.order_by("-seq").first()
    assert event.action == "hand_over" and event.old_values["state"] == "received"
    assert event.new_values["state"] == "handed_over" and event.receiver_name == two.department.agency.name
    assert connection.schema_name == two.commune.agency.schema_name  # back on the caller's schema

    with schema_of(two.department.agency):
        row = Dossier.objects.get()
        assert row.code == d.code and row.state == "received" and row.pk == sender.handed_to_dossier_id
        assert row.origin_agency_id == two.commune.agency.pk and row.origin_dossier_id == d.pk
        assert row.applicant_name == d.applicant_name and row.procedure_id == d.procedure_id
        assert [c.name for c in row.components.all()] == [c.name for c in d.components.all()]
        # its own sub-deadline: 60 % of the statutory working time, counted from the hand-over
        statutory = working_time(two.commune.agency, d.counted_from, d.original_due_at)
        own = working_time(two.department.agency, row.counted_from, row.due_at)
        assert abs(own.total_seconds() - statutory.total_seconds() * 0.6) < 60
        assert row.due_at == sender.hop_due_at
        assert list(row.events.values_list("action", flat=True)) == ["handover_in"]
    index = DossierIndex.objects.get(code=d.code)
    assert index.agency_id == two.department.agency.pk and index.dossier_id == row.pk
    assert index.origin_agency_id == two.commune.agency.pk and index.national_status == 4

    back = department_decides(two)
    assert (
        back.state == "handed_back" and back.timeliness in ("early", "on_time") and not back.late_agency_code
    )
    d.refresh_from_db()
    assert d.state == "finished" and d.result_number == "GCN-0001" and d.handed_to_agency_id is None
    assert d.timeliness in ("early", "on_time") and not d.late_agency_code
    d = s.dossier_return_result(
        agency=two.commune.agency,
        dossier=d,
        method="counter",
        collected_by="Lê Thị Hoa",
        acting_user=two.commune.receiving_officer,
    )
    assert d.state == "returned"
    index.refresh_from_db()
    assert (
        index.agency_id == two.commune.agency.pk and index.dossier_id == d.pk and index.national_status == 10
    )
    assert list(d.events.values_list("action", flat=True)) == [
        "register",
        "accept",
        "hand_over",
        "result_back",
        "return_result",
    ]
    # the citizen is told where to collect the result: the commune's desk
    assert OutboxMessage.objects.filter(
        dossier_code=d.code, subject__contains="đã có kết quả", body__contains=two.commune.agency.name
    ).exists()


def test_the_control_slip_shows_every_hop_with_its_agency(two):
    d = receive_land(two)
    hand_over(two, d)
    department_decides(two)
    d.refresh_from_db()
    slip = control_slip(dossier=d, agency=two.commune.agency)
    hop = [r for r in slip if r["step"] == "decide"]
    assert len(hop) == 1
    assert hop[0]["agency"] == two.department.agency.name and hop[0]["giver"] == "SO leader"
    assert hop[0]["receiver"] == "Bộ phận một cửa" and hop[0]["due"] == d.hop_due_at
    assert hop[0]["timeliness"] in ("early", "on_time") and hop[0]["step_label"].startswith("Sở thẩm định")
    to_dept = next(r for r in slip if r["receiver"] == two.department.agency.name)
    assert to_dept["agency"] == two.commune.agency.name and to_dept["giver"] == "XA receiving_officer"
    with schema_of(two.department.agency):
        row = Dossier.objects.get()
        inner = control_slip(dossier=row, agency=two.department.agency)
        assert inner[0]["agency"] == two.commune.agency.name and inner[0]["step_label"] == "Nhận liên thông"
        assert {r["agency"] for r in inner[1:]} == {two.department.agency.name}
        assert inner[-1]["receiver"] == two.commune.agency.name


def test_late_at_the_department_records_it_as_the_cause_and_the_apology_names_it(two):
    d = receive_land(two)
    hand_over(two, d)
    past = timezone.now() - timedelta(days=2)
    hop_due = timezone.now() - timedelta(days=3)  # the same sub-deadline the department's row gets
    Dossier.objects.filter(pk=d.pk).update(
        due_at=past,
        original_due_at=past,
        hop_due_at=hop_due,
        step_due_at=hop_due,
        received_at=past - timedelta(days=30),
        counted_from=past - timedelta(days=30),
    )
    back = department_decides(two, late=True)
    assert back.timeliness == "late" and back.late_agency_code == two.department.agency.national_code
    d.refresh_from_db()
    assert d.state == "finished" and d.timeliness == "late"
    assert d.late_agency_code == two.department.agency.national_code
    slip = control_slip(dossier=d, agency=two.commune.agency)
    assert next(r for r in slip if r["step"] == "decide")["timeliness"] == "late"

    d = s.dossier_apologize(
        agency=two.commune.agency,
        dossier=d,
        new_due_at=timezone.now() + timedelta(days=2),
        reason="Sở giải quyết quá hạn",
        acting_user=two.commune.leader,
    )
    assert d.late_agency_code == two.department.agency.national_code  # the apology does not move the blame
    message = OutboxMessage.objects.get(dossier_code=d.code, channel="sms", subject__startswith="Xin lỗi")
    assert two.department.agency.name in message.body

    from tenant_apps.dossiers.documents import apology_pdf
    from tests.dossiers.test_documents import text_of

    text = text_of(apology_pdf(agency=two.commune.agency, dossier=d))
    assert two.department.agency.name in text and "quá hạn" in text


def test_late_at_the_commune_itself_names_the_commune(two):
    d = receive_land(two)
    hand_over(two, d)
    back = department_decides(two)
    assert back.timeliness in ("early", "on_time")
    past = timezone.now() - timedelta(days=2)
    Dossier.objects.filter(pk=d.pk).update(due_at=past)
    d.refresh_from_db()
    d = s.dossier_return_result(
        agency=two.commune.agency,
        dossier=d,
        method="counter",
        collected_by="Lê Thị Hoa",
        acting_user=two.commune.receiving_officer,
    )
    # finished (result back) before the commune's overdue return: the result was on time at the desk
    assert d.late_agency_code in ("", two.commune.agency.national_code)


def test_hand_back_without_a_result_lets_the_commune_continue(two):
    d = receive_land(two)
    d = s.dossier_assign(
        agency=two.commune.agency,
        dossier=d,
        specialist=two.commune.specialist,
        acting_user=two.commune.unit_head,
    )
    s.dossier_hand_over(
        agency=two.commune.agency, dossier=d, to_agency="so-nn-mt", acting_user=two.commune.leader
    )
    dept = two.department
    with schema_of(dept.agency):
        row = Dossier.objects.get()
        s.dossier_hand_back(
            agency=dept.agency, dossier=row, acting_user=dept.unit_head, note="Ý kiến: đồng ý"
        )
    d.refresh_from_db()
    assert d.state == "in_appraisal" and d.holder == two.commune.specialist and not d.result_number
    assert d.events.order_by("-seq").first().action == "take_back"


def test_a_failure_in_the_receiving_half_changes_nothing(two, monkeypatch):
    from tenant_apps.dossiers.services import handover

    d = receive_land(two)
    before = (
        list(DossierEvent.objects.filter(dossier=d).values_list("seq", flat=True)),
        DossierIndex.objects.get(code=d.code).agency_id,
        IndexEvent.objects.count(),
    )

    def broken(*, source, target):
        handover.DossierComponent.objects.create(dossier=target, name="nửa chừng", form="copy")  # written...
        raise RuntimeError("ổ đĩa hỏng")  # ...then the receiving half fails

    monkeypatch.setattr(handover, "copy_components", broken)
    with pytest.raises(RuntimeError):
        hand_over(two, d)
    assert connection.schema_name == two.commune.agency.schema_name
    d.refresh_from_db()
    assert d.state == "received" and d.handed_to_agency_id is None
    after = (
        list(DossierEvent.objects.filter(dossier=d).values_list("seq", flat=True)),
        DossierIndex.objects.get(code=d.code).agency_id,
        IndexEvent.objects.count(),
    )
    assert after == before
    with schema_of(two.department.agency):
        assert not Dossier.objects.exists()


def test_hand_over_refusals_are_clear_and_write_nothing(two):
    d = receive_land(two)
    with pytest.raises(DomainError, match="chính cơ quan"):
        hand_over_to(two, d, two.commune.agency)
    with pytest.raises(DomainError, match="không có bước nào"):
        hand_over_to(two, d, two.commune.agency.__class__.objects.get(slug="xa-b"))
    with pytest.raises(DomainError, match="Không tìm thấy"):
        hand_over_to(two, d, "khong-co")
    assert d.events.count() == 2
    with pytest.raises(DomainError, match="không do cơ quan khác"):
        s.dossier_hand_back(agency=two.commune.agency, dossier=d, acting_user=two.commune.leader)


def hand_over_to(two, d, target):
    return s.dossier_hand_over(
        agency=two.commune.agency, dossier=d, to_agency=target, acting_user=two.commune.receiving_officer
    )


def test_look_up_by_code_follows_the_holder_and_lists_the_hops(two):
    d = receive_land(two)
    hand_over(two, d)
    found = dossier_lookup(code=d.code)
    assert found.entry.agency.name == two.department.agency.name
    agencies = [e["agency"] for e in found.events]
    assert agencies == [two.commune.agency.name] * 3 + [two.department.agency.name]
    assert (
        found.events[2]["label"] == "Chuyển liên thông"
        and found.events[3]["label"] == "Nhận hồ sơ liên thông"
    )
    department_decides(two)
    found = dossier_lookup(code=d.code)
    assert (
        found.entry.agency.name == two.commune.agency.name and found.status_label == "Đã có kết quả, chờ trả"
    )
    labels = [(e["agency"], e["label"]) for e in found.events]
    assert (two.department.agency.name, "Chuyển trả cơ quan gửi") in labels
    assert labels[-1] == (two.commune.agency.name, "Nhận kết quả liên thông")


def test_the_printed_control_slip_names_the_agency_of_every_hop(two):
    from tenant_apps.dossiers.documents import control_slip_pdf
    from tests.dossiers.test_documents import text_of

    d = receive_land(two)
    hand_over(two, d)
    department_decides(two)
    d.refresh_from_db()
    text = text_of(control_slip_pdf(agency=two.commune.agency, dossier=d))
    assert "Cơ quan" in text and d.code in text
    assert two.department.agency.name.split()[0] in text and "SO leader" in text
    assert timezone.localtime(d.hop_due_at).strftime("%H:%M") in text


def test_a_copy_can_be_handed_on_and_each_hand_back_goes_one_hop_back(two):
    from tenants.services import agency_onboard

    tax = agency_onboard(
        name="Thuế cơ sở 1",
        slug="thue-co-so-1",
        kind="department",
        national_code="000.94.03.H31",
        acting_user=None,
    )
    connection.set_tenant(two.commune.agency)  # onboarding left the connection on the public schema
    d = receive_land(two)
    hand_over(two, d)
    dept = two.department
    with schema_of(dept.agency):
        row = Dossier.objects.get()
        row = s.dossier_hand_over(
            agency=dept.agency,
            dossier=row,
            to_agency=tax,
            acting_user=dept.leader,
            note="Xác định nghĩa vụ tài chính",
        )
        assert row.state == "handed_over" and row.handed_to_agency_id == tax.pk
    assert DossierIndex.objects.get(code=d.code).agency_id == tax.pk
    with schema_of(tax):
        third = Dossier.objects.get()
        assert third.origin_agency_id == dept.agency.pk and third.code == d.code
        from shared_apps.accounts.models import Role
        from shared_apps.accounts.services import membership_grant

        membership_grant(agency=tax, user=dept.leader, roles=[Role.LEADER], acting_user=None)
        s.dossier_hand_back(agency=tax, dossier=third, acting_user=dept.leader, note="Đã xác định")
    with schema_of(dept.agency):
        row.refresh_from_db()
        assert row.state == "received" and row.handed_to_agency_id is None
    d.refresh_from_db()
    assert d.state == "handed_over"  # still with the department
    assert DossierIndex.objects.get(code=d.code).agency_id == dept.agency.pk


def test_a_hand_back_after_the_sender_was_merged_goes_to_its_successor(two):
    from tenants.models import Agency
    from tenants.services import agency_onboard

    successor = agency_onboard(
        name="Xã Kế Thừa", slug="xa-ke-thua", kind="commune", national_code="000.94.04.H31", acting_user=None
    )
    connection.set_tenant(two.commune.agency)
    d = receive_land(two)
    hand_over(two, d)
    d.refresh_from_db()
    # what a merger leaves: the successor holds the dossier (same code, its own id), the sender is merged
    with schema_of(successor):
        carried = Dossier.objects.create(
            code=d.code,
            procedure_id=d.procedure_id,
            procedure_version_id=d.procedure_version_id,
            state="handed_over",
            resume_state="received",
            channel=d.channel,
            applicant_name=d.applicant_name,
            received_at=d.received_at,
            counted_from=d.counted_from,
            due_at=d.due_at,
            original_due_at=d.due_at,
            handed_to_agency_id=d.handed_to_agency_id,
            hop_step="decide",
            current_step="decide",
            step_due_at=d.hop_due_at,
            hop_due_at=d.hop_due_at,
        )
    Agency.objects.filter(pk=two.commune.agency.pk).update(status="merged", successor=successor)
    department_decides(two)
    with schema_of(successor):
        carried.refresh_from_db()
        assert carried.state == "finished" and carried.result_number == "GCN-0001"
    index = DossierIndex.objects.get(code=d.code)
    assert index.agency_id == successor.pk and index.dossier_id == carried.pk
