"""Online submission: the desk's agency (tests/dossiers/conftest.py `desk`) receives the
birth-registration procedure online; citizens upload small files built in the tests."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shared_apps.accounts.models import User
from tests.dossiers.conftest import desk  # noqa: F401  (the fixture)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path


@pytest.fixture
def citizen(db):
    return User.objects.create_user(
        username="cong_dan_nop",
        password="x",
        full_name="Trần Thị Bình",
        phone="0987654321",
        email="binh@example.vn",
    )


@pytest.fixture
def other_citizen(db):
    return User.objects.create_user(username="cong_dan_khac", password="x", full_name="Lê Văn Khác")


def pdf(name="giay-to.pdf", content=PDF):
    return SimpleUploadedFile(name, content, "application/pdf")


def zip_bytes(entries, *, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries:
            if name == "mimetype":
                archive.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_STORED)
            else:
                archive.writestr(name, data)
    return buffer.getvalue()


def content_types(main):
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/main.xml" ContentType="{main}"/></Types>'
    ).encode()


def ooxml(main, extra=()):
    return zip_bytes([("[Content_Types].xml", content_types(main)), ("main.xml", b"<doc/>"), *extra])


def odf(mimetype):
    return zip_bytes([("mimetype", mimetype.encode()), ("content.xml", b"<office:document-content/>")])


def ole2(stream_name):
    """A minimal compound-file header and a directory sector naming one stream (UTF-16)."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[24:26] = b"\x3e\x00"
    header[26:28] = b"\x03\x00"
    header[28:30] = b"\xfe\xff"
    header[30:32] = b"\x09\x00"
    directory = bytearray(512)
    name = "Root Entry".encode("utf-16-le") + b"\x00\x00"
    directory[: len(name)] = name
    entry = stream_name.encode("utf-16-le") + b"\x00\x00"
    directory[128 : 128 + len(entry)] = entry
    return bytes(header) + bytes(directory)
