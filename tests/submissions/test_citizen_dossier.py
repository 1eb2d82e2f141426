"""The citizen follows an online dossier at the city address: accepted (code, appointment, receipt),
asked to supplement (the officer's note; supplement online and the dossier moves on), refused (the
reason). Only the owner sees it."""

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import DomainError
from shared_apps.catalogue.models import Procedure
from shared_apps.submissions import services
from shared_apps.tracking.models import DossierIndex
from tenant_apps.dossiers import services as desk_services
from tenant_apps.dossiers.models import Dossier

from .conftest import PDF, pdf

pytestmark = pytest.mark.django_db


def submitted(desk, citizen):
    """A dossier the citizen submitted online with the two required files (back on the agency's schema)."""
    connection.set_schema_to_public()
    draft = services.draft_create(
        procedure=Procedure.objects.get(national_code="1.001193"), agency=desk.agency, acting_user=citizen
    )
    for position in (1, 2):
        services.draft_attach(draft=draft, position=position, upload=pdf(), acting_user=citizen)
    draft, _created = services.draft_submit(draft=draft, acting_user=citizen)
    connection.set_tenant(desk.agency)
    return Dossier.objects.get(pk=draft.dossier_id), f"/ho-so-cua-toi/{desk.agency.slug}/{draft.dossier_id}/"


def act(desk, service, **kwargs):
    """A desk action, on the agency's schema (a page request leaves the connection on public)."""
    connection.set_tenant(desk.agency)
    return getattr(desk_services, service)(agency=desk.agency, **kwargs)


def test_the_citizen_sees_the_acceptance_with_code_appointment_and_receipt(client, desk, citizen):
    dossier, url = submitted(desk, citizen)
    client.force_login(citizen)
    before = client.get(url).content.decode()
    assert "Mới đăng ký" in before and "Chưa cấp" in before and "giay-tiep-nhan.pdf" not in before
    assert client.get(url + "giay-tiep-nhan.pdf").status_code == 404
    act(desk, "dossier_accept", dossier=dossier, acting_user=desk.receiving_officer)
    dossier.refresh_from_db()
    page = client.get(url).content.decode()
    assert "Đã tiếp nhận" in page and dossier.code in page
    assert timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y") in page
    receipt = client.get(url + "giay-tiep-nhan.pdf")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF")


def test_asked_to_supplement_at_intake_the_citizen_supplements_online_and_the_desk_sees_it_again(
    client, desk, citizen, in_agency
):
    dossier, url = submitted(desk, citizen)
    act(
        desk,
        "dossier_request_intake_supplement",
        dossier=dossier,
        acting_user=desk.receiving_officer,
        items=[{"name": "Giấy tờ chứng minh nơi cư trú", "reason": "bản chụp bị mờ"}],
    )
    client.force_login(citizen)
    page = client.get(url).content.decode()
    assert "Chờ bổ sung để tiếp nhận" in page and "bản chụp bị mờ" in page and "Gửi bổ sung" in page
    response = client.post(url + "bo-sung/", {"tep-3": pdf("cu-tru.pdf"), "ghi-chu": "Đã chụp lại rõ hơn"})
    assert response.status_code == 302 and response["Location"] == url
    with in_agency(desk.agency):
        dossier.refresh_from_db()
        assert dossier.state == "new"  # back in the desk's queue as newly registered
        component = dossier.components.get(position=3)
        assert component.provided and component.file.read() == PDF
        resubmit = dossier.events.get(action="resubmit")
        assert resubmit.actor == citizen and resubmit.note == "Đã chụp lại rõ hơn"
        assert resubmit.old_values["state"] == "intake_supplement" and resubmit.new_values["state"] == "new"
        attached = dossier.events.filter(action="component_attached").order_by("-seq").first()
        assert attached.old_values["file"] is False and attached.new_values["position"] == 3
    entry = DossierIndex.objects.get(agency=desk.agency, dossier_id=dossier.pk)
    assert entry.national_status == 1 and entry.events.filter(action="resubmit").exists()
    act(desk, "dossier_accept", dossier=dossier, acting_user=desk.receiving_officer)
    assert "Đã tiếp nhận" in client.get(url).content.decode()


def test_asked_to_supplement_during_processing_the_supplement_ends_the_pause(
    client, desk, citizen, in_agency
):
    dossier, url = submitted(desk, citizen)
    officer = desk.receiving_officer
    act(desk, "dossier_accept", dossier=dossier, acting_user=officer)
    act(desk, "dossier_assign", dossier=dossier, specialist=desk.specialist, acting_user=desk.unit_head)
    act(
        desk,
        "dossier_request_supplement",
        dossier=dossier,
        acting_user=desk.specialist,
        reason="Giấy chứng sinh: thiếu dấu giáp lai",
    )
    client.force_login(citizen)
    page = client.get(url).content.decode()
    assert "Yêu cầu bổ sung" in page and "thiếu dấu giáp lai" in page
    assert client.post(url + "bo-sung/", {"tep-2": pdf("chung-sinh-moi.pdf")}).status_code == 302
    with in_agency(desk.agency):
        dossier.refresh_from_db()
        assert dossier.state == "in_appraisal" and dossier.paused_since is None and not dossier.resume_state
        assert dossier.pauses.get().ended_at is not None
        event = dossier.events.get(action="supplement_received")
        assert event.old_values["state"] == "supplement_requested" and event.actor == citizen
    assert DossierIndex.objects.get(agency=desk.agency, dossier_id=dossier.pk).national_status == 4


def test_the_citizen_sees_a_refusal_and_its_reason(client, desk, citizen):
    dossier, url = submitted(desk, citizen)
    act(
        desk,
        "dossier_refuse",
        dossier=dossier,
        acting_user=desk.receiving_officer,
        reason="Thủ tục không thuộc thẩm quyền của phường",
    )
    client.force_login(citizen)
    page = client.get(url).content.decode()
    assert "Từ chối tiếp nhận" in page and "không thuộc thẩm quyền" in page and "Gửi bổ sung" not in page
    refused = client.post(url + "bo-sung/", {"tep-3": pdf()}, follow=True)
    assert "không ở trạng thái chờ bổ sung" in refused.content.decode()


def test_a_refused_file_writes_nothing(desk, citizen):
    dossier, _url = submitted(desk, citizen)
    act(
        desk,
        "dossier_request_intake_supplement",
        dossier=dossier,
        acting_user=desk.receiving_officer,
        items=[{"name": "Giấy tờ chứng minh nơi cư trú", "reason": "thiếu"}],
    )
    seq = dossier.events.count()
    with pytest.raises(DomainError) as refused:
        act(
            desk,
            "dossier_supplement_online",
            dossier=dossier,
            acting_user=citizen,
            note="",
            uploads={3: pdf("cu-tru.pdf", b"MZ\x90 program"), 1: pdf()},
        )
    assert refused.value.code == "file_type"
    dossier.refresh_from_db()
    assert dossier.state == "intake_supplement" and dossier.events.count() == seq
    assert not dossier.components.get(position=3).file


def test_only_the_owner_sees_the_dossier_its_receipt_and_may_supplement(client, desk, citizen, other_citizen):
    dossier, url = submitted(desk, citizen)
    act(desk, "dossier_accept", dossier=dossier, acting_user=desk.receiving_officer)
    assert client.get(url).status_code == 302
    client.force_login(other_citizen)
    assert client.get(url).status_code == 404
    assert client.get(url + "giay-tiep-nhan.pdf").status_code == 404
    assert client.post(url + "bo-sung/", {"tep-3": pdf()}).status_code == 404
    assert client.get(f"/ho-so-cua-toi/khong-co/{dossier.pk}/").status_code == 404
    client.force_login(citizen)
    assert client.get(url).status_code == 200


def test_my_dossiers_links_each_dossier_to_its_page(client, desk, citizen, django_assert_max_num_queries):
    _dossier, url = submitted(desk, citizen)
    submitted(desk, citizen)
    client.force_login(citizen)
    client.get("/healthz/")
    with django_assert_max_num_queries(4):
        page = client.get("/ho-so-cua-toi/").content.decode()
    assert url in page and page.count("/ho-so-cua-toi/phuong-mot-cua/") == 2
