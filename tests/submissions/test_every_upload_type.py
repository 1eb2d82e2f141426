"""Issue #21, item 3: every file type the upload forms advertise goes all the way — attached at the
desk, and uploaded by a citizen, submitted and accepted — and a failed save leaves no file behind.
The types come from the forms' accept list: a new type is tested as soon as it is advertised (and
fails here until it has a sample below)."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from config import uploads
from shared_apps.catalogue.models import Procedure
from shared_apps.submissions import services
from shared_apps.submissions.models import SubmissionDraft
from tenant_apps.dossiers.models import Dossier
from tests.dossiers.conftest import receive

from .conftest import JPEG, PDF, PNG, odf, ole2, ooxml

pytestmark = pytest.mark.django_db

MAIN = "application/vnd.openxmlformats-officedocument.{}.main+xml"
SAMPLES = {
    ".pdf": PDF,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".docx": ooxml(MAIN.format("wordprocessingml.document")),
    ".xlsx": ooxml(MAIN.format("spreadsheetml.sheet")),
    ".pptx": ooxml(MAIN.format("presentationml.presentation")),
    ".odt": odf(uploads.ODT),
    ".ods": odf(uploads.ODS),
    ".doc": ole2("WordDocument"),
    ".xls": ole2("Workbook"),
}
ADVERTISED = uploads.ACCEPT.split(",")


def sample(extension):
    assert extension in SAMPLES, f"the forms advertise {extension}: add a sample file for it here"
    return SimpleUploadedFile(f"giay-to{extension}", SAMPLES[extension], "application/octet-stream")


def stored_files(root):
    return sorted(p for p in Path(root).rglob("*") if p.is_file())


def expected_type(extension):
    return next(
        kind
        for kind, ext in uploads.EXTENSIONS.items()
        if ext == extension or extension == ".jpeg" and ext == ".jpg"
    )


def test_the_upload_forms_advertise_the_accept_list(client, desk, citizen):
    connection.set_schema_to_public()
    draft = services.draft_create(
        procedure=Procedure.objects.get(national_code="1.001193"), agency=desk.agency, acting_user=citizen
    )
    client.force_login(citizen)
    page = client.get(f"/nop-truc-tuyen/nhap/{draft.pk}/").content.decode()
    advertised = set(re.findall(r'type="file"[^>]*accept="([^"]*)"', page))
    assert advertised == {uploads.ACCEPT}


@pytest.mark.parametrize("extension", ADVERTISED)
def test_the_desk_attaches_every_advertised_type(client, desk, settings, extension):
    dossier = receive(desk)
    client.force_login(desk.receiving_officer)
    url = f"/{desk.agency.slug}/api/v1/dossiers/{dossier.pk}/components/1/file/"
    response = client.post(url, {"file": sample(extension)})
    assert response.status_code == 200, response.content
    connection.set_tenant(desk.agency)
    component = dossier.components.get(position=1)
    assert component.file_type == expected_type(extension) and component.digitised
    served = client.get(f"/{desk.agency.slug}/ho-so/{dossier.pk}/giay-to/1/")
    assert served.status_code == 200 and served["Content-Type"] == expected_type(extension)
    assert len(stored_files(settings.MEDIA_ROOT)) == 1


@pytest.mark.parametrize("extension", ADVERTISED)
def test_a_citizen_uploads_submits_and_the_desk_accepts_every_advertised_type(
    client, desk, citizen, extension
):
    from tenant_apps.dossiers.services import dossier_accept

    connection.set_schema_to_public()
    draft = services.draft_create(
        procedure=Procedure.objects.get(national_code="1.001193"), agency=desk.agency, acting_user=citizen
    )
    client.force_login(citizen)
    url = f"/nop-truc-tuyen/nhap/{draft.pk}/"
    saved = client.post(
        url, {"nguoi-nop-name": "Trần Thị Bình", "tep-1": sample(extension), "hanh-dong": "luu"}
    )
    assert saved.status_code == 302, saved.content.decode()
    submitted = client.post(url, {"tep-2": sample(extension), "hanh-dong": "nop"})
    assert submitted.status_code == 302, submitted.content.decode()
    draft = SubmissionDraft.objects.get(pk=draft.pk)
    connection.set_tenant(desk.agency)
    dossier = Dossier.objects.get(pk=draft.dossier_id)
    assert {c.file_type for c in dossier.components.filter(position__in=(1, 2))} == {expected_type(extension)}
    dossier = dossier_accept(agency=desk.agency, dossier=dossier, acting_user=desk.receiving_officer)
    assert dossier.state == "received" and dossier.code


def test_a_failed_attach_at_the_desk_leaves_no_file_behind(desk, settings, monkeypatch):
    from tenant_apps.dossiers.services import components, dossier_component_attach

    dossier = receive(desk)

    def broken(**kwargs):
        raise RuntimeError("the event could not be written")

    monkeypatch.setattr(components, "append_event", broken)
    with pytest.raises(RuntimeError):
        dossier_component_attach(
            agency=desk.agency,
            dossier=dossier,
            position=1,
            upload=sample(".pdf"),
            acting_user=desk.receiving_officer,
        )
    assert stored_files(settings.MEDIA_ROOT) == []
    assert not dossier.components.get(position=1).file
