import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from .conftest import receive

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_scan_is_attached_and_served_only_to_members(client, desk, city):
    dossier = receive(desk, components={1: {"provided": True}, 2: {"provided": True}})
    url = f"/{desk.agency.slug}/api/v1/dossiers/{dossier.pk}/components/2/file/"
    client.force_login(desk.receiving_officer)
    response = client.post(url, {"file": SimpleUploadedFile("giay-chung-sinh.pdf", PDF, "application/pdf")})
    assert response.status_code == 200, response.content
    component = dossier.components.get(position=2)
    assert component.digitised and component.file_type == "application/pdf"
    assert desk.agency.schema_name in component.file.name and "giay-chung-sinh" not in component.file.name
    download = client.get(f"/{desk.agency.slug}/ho-so/{dossier.pk}/giay-to/2/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    client.force_login(city.officer_b)
    assert client.get(f"/{desk.agency.slug}/ho-so/{dossier.pk}/giay-to/2/").status_code == 403
    assert dossier.events.filter(action="component_attached").count() == 1


def test_a_file_that_lies_about_its_type_is_refused(client, desk):
    dossier = receive(desk)
    client.force_login(desk.receiving_officer)
    url = f"/{desk.agency.slug}/api/v1/dossiers/{dossier.pk}/components/1/file/"
    fake = SimpleUploadedFile("to-khai.pdf", b"MZ\x90\x00 not a pdf at all", "application/pdf")
    response = client.post(url, {"file": fake})
    assert response.status_code == 400 and response.json()["code"] == "file_type"
    assert not dossier.components.get(position=1).file


def test_an_oversized_file_is_refused(client, desk, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    dossier = receive(desk)
    client.force_login(desk.receiving_officer)
    big = SimpleUploadedFile("lon.pdf", PDF + b"0" * 2048, "application/pdf")
    response = client.post(
        f"/{desk.agency.slug}/api/v1/dossiers/{dossier.pk}/components/1/file/", {"file": big}
    )
    assert response.status_code == 400 and response.json()["code"] == "file_too_large"
