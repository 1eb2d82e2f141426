"""Receipt regardless of administrative boundary (phi địa giới): the commune's desk receives a dossier
the department decides; the code is the department's, the dossier lands in its queue, the receipt is
printed at the commune and the result is returned there."""

import pytest
from django.db import connection

from core.errors import DomainError
from shared_apps.notifications.models import OutboxMessage
from shared_apps.tracking.models import DossierIndex
from shared_apps.tracking.selectors import dossier_lookup
from tenant_apps.dossiers import services as s
from tenant_apps.dossiers.models import Dossier
from tenant_apps.dossiers.selectors import dossier_queue
from tenant_apps.dossiers.services.handover import schema_of

from .conftest import APPLICANT, COMPLETE

pytestmark = pytest.mark.django_db


def receive_for_department(two, **overrides):
    values = dict(
        agency=two.commune.agency,
        deciding_agency=two.department.agency,
        procedure="2.001610",
        applicant=APPLICANT,
        channel="in_person",
        components=COMPLETE,
        acting_user=two.commune.receiving_officer,
        request_summary="Thành lập doanh nghiệp",
    )
    values.update(overrides)
    return s.dossier_receive_on_behalf(**values)


def test_the_commune_receives_with_the_departments_code_and_it_lands_in_the_departments_queue(two):
    d = receive_for_department(two)
    assert d.code.startswith(two.department.agency.national_code + "-") and d.code.endswith("-0001")
    assert d.state == "handed_over" and d.received_on_behalf and d.due_at > d.received_at
    assert list(d.events.values_list("action", flat=True)) == ["register", "accept", "hand_over"]
    assert connection.schema_name == two.commune.agency.schema_name
    with schema_of(two.department.agency):
        row = dossier_queue().get()
        assert (
            row.code == d.code and row.state == "received" and row.origin_agency_id == two.commune.agency.pk
        )
        assert row.due_at == d.due_at and row.received_on_behalf
        assert list(row.events.values_list("action", flat=True)) == ["receive_on_behalf"]
        assert row.components.filter(provided=True).count() == 2
    # the next dossier of the department, received at its own desk, continues its series
    with schema_of(two.department.agency):
        own = s.dossier_receive(
            agency=two.department.agency,
            procedure="2.001610",
            applicant=APPLICANT,
            channel="in_person",
            components=COMPLETE,
            acting_user=two.department.receiving_officer,
        )
        assert own.code.endswith("-0002")
    assert DossierIndex.objects.get(code=d.code).agency_id == two.department.agency.pk
    # the citizen's receipt message names the commune's desk with the code and the appointment
    sms = OutboxMessage.objects.get(dossier_code=d.code, channel="sms")
    assert two.commune.agency.name in sms.body and d.code in sms.body


def test_the_receipt_is_printed_at_the_commune_and_names_the_deciding_department(two):
    from tenant_apps.dossiers.documents import receipt_pdf
    from tests.dossiers.test_documents import text_of

    d = receive_for_department(two)
    text = text_of(receipt_pdf(agency=two.commune.agency, dossier=d))
    assert d.code in text and two.commune.agency.name in text and two.department.agency.name in text


def test_the_result_comes_back_to_the_commune_which_returns_it(two):
    d = receive_for_department(two)
    dept = two.department
    with schema_of(dept.agency):
        row = Dossier.objects.get()
        row = s.dossier_assign(
            agency=dept.agency, dossier=row, specialist=dept.specialist, acting_user=dept.unit_head
        )
        row = s.dossier_appraise(
            agency=dept.agency, dossier=row, opinion="Hợp lệ", acting_user=dept.specialist
        )
        row = s.dossier_submit_for_approval(agency=dept.agency, dossier=row, acting_user=dept.specialist)
        row = s.dossier_approve(agency=dept.agency, dossier=row, acting_user=dept.leader)
        s.dossier_hand_back(
            agency=dept.agency, dossier=row, acting_user=dept.receiving_officer, result_number="0201234567"
        )
    d.refresh_from_db()
    assert d.state == "finished" and d.result_number == "0201234567"
    d = s.dossier_return_result(
        agency=two.commune.agency,
        dossier=d,
        method="counter",
        collected_by="Lê Thị Hoa",
        acting_user=two.commune.receiving_officer,
    )
    assert d.state == "returned"
    found = dossier_lookup(code=d.code)
    assert found.entry.agency.name == two.commune.agency.name and found.entry.national_status == 10
    assert [e["agency"] for e in found.events].count(two.department.agency.name) >= 2


def test_a_procedure_the_department_does_not_decide_is_refused_and_nothing_is_written(two):
    with pytest.raises(DomainError, match=two.department.agency.name):
        receive_for_department(two, procedure="1.013978")  # a commune-level procedure
    assert not Dossier.objects.exists()
    with schema_of(two.department.agency):
        assert not Dossier.objects.exists()
    assert not DossierIndex.objects.exists()


def test_only_a_receiving_officer_of_the_commune_may_receive_on_behalf(two):
    from core.errors import PermissionRefused

    with pytest.raises(PermissionRefused):
        receive_for_department(two, acting_user=two.department.receiving_officer)
