"""Drafts: choose an agency, fill, upload, save and resume, submit once whatever the clicks; only
the owner ever sees a draft or its files."""

import pytest
from django.db import connection

from core.errors import DomainError, PermissionRefused
from shared_apps.catalogue.models import Procedure
from shared_apps.submissions import services
from shared_apps.submissions.models import DraftStatus, SubmissionDraft
from shared_apps.submissions.selectors import agencies_offering
from shared_apps.tracking.models import DossierIndex
from tenant_apps.adoption.models import ProcedureAdoption
from tenant_apps.dossiers.models import Dossier
from tenants.services import agency_onboard

from .conftest import PDF, PNG, ooxml, pdf

pytestmark = pytest.mark.django_db
WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def birth():
    return Procedure.objects.get(national_code="1.001193")


def in_schema(agency, fn):
    previous = connection.tenant
    connection.set_tenant(agency)
    try:
        return fn()
    finally:
        connection.set_tenant(previous)


def new_draft(desk, citizen):
    connection.set_schema_to_public()
    return services.draft_create(procedure=birth(), agency=desk.agency, acting_user=citizen)


def test_the_competent_agency_and_cross_boundary_receivers_are_offered(desk):
    connection.set_schema_to_public()
    department = agency_onboard(
        name="Sở Tư pháp Thử",
        slug="so-tu-phap-thu",
        kind="department",
        national_code="000.94.01.H31",
        acting_user=None,
    )
    closed = agency_onboard(
        name="Xã Không Nhận",
        slug="xa-khong-nhan",
        kind="commune",
        national_code="000.94.02.H31",
        acting_user=None,
    )
    in_schema(department, lambda: ProcedureAdoption.objects.get_or_create(procedure=birth()))  # its choice
    in_schema(
        closed, lambda: ProcedureAdoption.objects.filter(procedure=birth()).update(online_intake_open=False)
    )
    offered = {o.agency.slug: o.competent for o in agencies_offering(procedure=birth())}
    assert offered == {"phuong-mot-cua": True, "so-tu-phap-thu": False}


def test_a_procedure_without_online_mode_offers_no_agency_and_has_no_button(client, desk):
    from tests.catalogue.conftest import publish

    connection.set_schema_to_public()
    publish("1.000894", "Đăng ký kết hôn", desk.version.procedure.sector, online_mode="")
    marriage = Procedure.objects.get(national_code="1.000894")
    assert agencies_offering(procedure=marriage) == []
    assert "Nộp hồ sơ trực tuyến" not in client.get("/thu-tuc/1.000894/").content.decode()
    assert client.get("/nop-truc-tuyen/1.000894/").status_code == 404
    assert "Nộp hồ sơ trực tuyến" in client.get("/thu-tuc/1.001193/").content.decode()


def test_a_draft_is_prefilled_from_the_profile_and_only_at_an_offering_agency(desk, citizen, city):
    draft = new_draft(desk, citizen)
    assert draft.applicant["name"] == "Trần Thị Bình" and draft.applicant["phone"] == "0987654321"
    assert draft.applicant["email"] == "binh@example.vn" and draft.applicant["kind"] == "person"
    with pytest.raises(DomainError) as refused:
        services.draft_create(procedure=birth(), agency=city.a, acting_user=citizen)  # has not adopted it
    assert refused.value.field == "agency"


def test_the_pages_take_a_citizen_from_the_procedure_to_a_submitted_dossier(client, desk, citizen, in_agency):
    client.force_login(citizen)
    choose = client.get("/nop-truc-tuyen/1.001193/")
    assert choose.status_code == 200 and "Phường Một Cửa" in choose.content.decode()
    created = client.post("/nop-truc-tuyen/1.001193/", {"co-quan": "phuong-mot-cua"})
    assert created.status_code == 302
    draft = SubmissionDraft.objects.get(owner=citizen)
    assert created["Location"] == f"/nop-truc-tuyen/nhap/{draft.pk}/"
    form = client.get(created["Location"]).content.decode()
    assert 'value="Trần Thị Bình"' in form and 'for="tep-1"' in form and "bắt buộc" in form
    saved = client.post(
        created["Location"],
        {
            "nguoi-nop-name": "Trần Thị Bình",
            "nguoi-nop-phone": "0987654321",
            "nguoi-nop-kind": "person",
            "nguoi-nop-address": "Số 5 Lạch Tray",
            "noi-dung": "Đăng ký khai sinh cho con",
            "tep-1": pdf("to-khai.pdf"),
            "hanh-dong": "luu",
        },
    )
    assert saved.status_code == 302 and saved["Location"] == created["Location"]
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFT and draft.applicant["address"] == "Số 5 Lạch Tray"
    assert [f.position for f in draft.files.all()] == [1]
    # resumed later: the data and the file are there
    resumed = client.get(created["Location"]).content.decode()
    assert "Số 5 Lạch Tray" in resumed and "to-khai.pdf" in resumed and "Đăng ký khai sinh cho con" in resumed
    missing = client.post(created["Location"], {"nguoi-nop-name": "Trần Thị Bình", "hanh-dong": "nop"})
    assert missing.status_code == 400 and "Giấy chứng sinh" in missing.content.decode()
    submitted = client.post(
        created["Location"],
        {"nguoi-nop-name": "Trần Thị Bình", "hanh-dong": "nop", "tep-2": pdf("chung-sinh.pdf")},
    )
    draft.refresh_from_db()
    assert draft.status == DraftStatus.SUBMITTED and draft.dossier_id
    assert (
        submitted.status_code == 302
        and submitted["Location"] == f"/ho-so-cua-toi/phuong-mot-cua/{draft.dossier_id}/"
    )
    page = client.get(submitted["Location"]).content.decode()
    assert "Mới đăng ký" in page and "Đăng ký khai sinh" in page
    with in_agency(desk.agency):
        dossier = Dossier.objects.get(pk=draft.dossier_id)
        assert dossier.state == "new" and dossier.channel == "online" and dossier.owner_user_id == citizen.pk
        assert (
            dossier.applicant_address == "Số 5 Lạch Tray"
            and dossier.request_summary == "Đăng ký khai sinh cho con"
        )
        files = {c.position: c for c in dossier.components.all()}
        assert files[1].file.read() == PDF and files[1].provided and files[1].digitised
        assert files[2].file_type == "application/pdf" and not files[3].file
        attached = dossier.events.filter(action="component_attached")
        assert attached.count() == 2 and attached.first().old_values == {
            "file": False,
            "digitised": True,
            "provided": True,
        }
    assert DossierIndex.objects.get(agency=desk.agency, dossier_id=draft.dossier_id).national_status == 1
    assert not draft.files.exists()  # the draft's copies are gone once the agency has the files


def test_a_double_submit_makes_one_dossier(client, desk, citizen, in_agency):
    draft = new_draft(desk, citizen)
    services.draft_attach(draft=draft, position=1, upload=pdf(), acting_user=citizen)
    services.draft_attach(draft=draft, position=2, upload=pdf(), acting_user=citizen)
    client.force_login(citizen)
    url = f"/nop-truc-tuyen/nhap/{draft.pk}/"
    first = client.post(url, {"nguoi-nop-name": "Trần Thị Bình", "hanh-dong": "nop"})
    second = client.post(url, {"nguoi-nop-name": "Trần Thị Bình", "hanh-dong": "nop"})
    assert first["Location"] == second["Location"]
    again, created = services.draft_submit(draft=draft, acting_user=citizen)
    assert created is False
    with in_agency(desk.agency):
        assert Dossier.objects.count() == 1
        assert Dossier.objects.get().idempotency_key == draft.idempotency_key == again.idempotency_key


def test_a_failed_submit_leaves_the_draft_intact(desk, citizen, in_agency):
    draft = new_draft(desk, citizen)
    for position in (1, 2):
        services.draft_attach(draft=draft, position=position, upload=pdf(), acting_user=citizen)
    with in_agency(desk.agency):
        ProcedureAdoption.objects.filter(procedure__national_code="1.001193").update(online_intake_open=False)
    with pytest.raises(DomainError):
        services.draft_submit(draft=draft, acting_user=citizen)
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFT and draft.dossier_id is None
    assert [f.file.read() for f in draft.files.all()] == [PDF, PDF]
    with in_agency(desk.agency):
        assert Dossier.objects.count() == 0


def test_the_draft_files_are_private_and_checked_by_content(desk, citizen, settings, media):
    draft = new_draft(desk, citizen)
    row = services.draft_attach(draft=draft, position=1, upload=pdf("cmnd.pdf"), acting_user=citizen)
    assert str(media / "private") in row.file.path and "cmnd" not in row.file.name
    with pytest.raises(ValueError):
        row.file.url  # noqa: B018  (no public URL exists)
    with pytest.raises(DomainError) as refused:
        services.draft_attach(
            draft=draft, position=2, upload=pdf("gia.pdf", b"MZ\x90 program"), acting_user=citizen
        )
    assert refused.value.code == "file_type"
    row = services.draft_attach(
        draft=draft, position=2, upload=pdf("don.docx", ooxml(WORD)), acting_user=citizen
    )
    assert row.content_type.endswith("wordprocessingml.document")
    settings.UPLOAD_MAX_DOSSIER_BYTES = len(PDF) + 10
    with pytest.raises(DomainError) as too_much:
        services.draft_attach(draft=draft, position=3, upload=pdf("anh.png", PNG), acting_user=citizen)
    assert too_much.value.code == "dossier_too_large"


def test_only_the_owner_reaches_a_draft_and_its_files(client, desk, citizen, other_citizen):
    draft = new_draft(desk, citizen)
    services.draft_attach(draft=draft, position=1, upload=pdf(), acting_user=citizen)
    urls = [f"/nop-truc-tuyen/nhap/{draft.pk}/", f"/nop-truc-tuyen/nhap/{draft.pk}/tep/1/"]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: log in first
    client.force_login(other_citizen)
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(f"/nop-truc-tuyen/nhap/{draft.pk}/xoa/").status_code == 404
    assert client.post(urls[0], {"nguoi-nop-name": "Kẻ lạ", "hanh-dong": "nop"}).status_code == 404
    with pytest.raises(PermissionRefused):
        services.draft_submit(draft=draft, acting_user=other_citizen)
    client.force_login(citizen)
    download = client.get(urls[1])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFT and draft.applicant["name"] == "Trần Thị Bình"


def test_my_drafts_list_and_discard(client, desk, citizen, django_assert_max_num_queries):
    drafts = [new_draft(desk, citizen) for _ in range(3)]
    services.draft_attach(draft=drafts[0], position=1, upload=pdf(), acting_user=citizen)
    client.force_login(citizen)
    client.get("/healthz/")
    with django_assert_max_num_queries(4):  # session user, the drafts with procedure and agency
        page = client.get("/nop-truc-tuyen/nhap/")
    assert page.content.decode().count("Tiếp tục soạn") == 3
    assert "/nop-truc-tuyen/nhap/" in client.get("/ho-so-cua-toi/").content.decode()
    name = drafts[0].files.get().file.name
    assert client.post(f"/nop-truc-tuyen/nhap/{drafts[0].pk}/xoa/").status_code == 302
    assert not SubmissionDraft.objects.filter(pk=drafts[0].pk).exists()
    assert client.get("/nop-truc-tuyen/nhap/").content.decode().count("Tiếp tục soạn") == 2
    assert name  # (the file itself goes after commit)


def test_removing_a_file_keeps_the_rest_of_the_draft(client, desk, citizen):
    draft = new_draft(desk, citizen)
    services.draft_attach(draft=draft, position=1, upload=pdf(), acting_user=citizen)
    services.draft_attach(draft=draft, position=2, upload=pdf(), acting_user=citizen)
    services.draft_update(draft=draft, acting_user=citizen, request_summary="Khai sinh cho con thứ hai")
    client.force_login(citizen)
    url = f"/nop-truc-tuyen/nhap/{draft.pk}/"
    assert 'form="xoa-tep-form" name="xoa-tep" value="1"' in client.get(url).content.decode()
    assert client.post(url, {"xoa-tep": "1"}).status_code == 302
    draft.refresh_from_db()
    assert [f.position for f in draft.files.all()] == [2]
    assert draft.request_summary == "Khai sinh cho con thứ hai" and draft.applicant["name"] == "Trần Thị Bình"
