"""Uploads are judged by their content: PDF, images and office documents pass; anything else, a
lying name, an oversized file or a zip bomb is refused with a clear message, without extracting."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from config import uploads
from config.uploads import upload_check
from core.errors import DomainError

from .conftest import JPEG, PDF, PNG, odf, ole2, ooxml, zip_bytes

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
SLIDES_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"


def upload(content, name="tep.bin", claimed="application/octet-stream"):
    return SimpleUploadedFile(name, content, claimed)


def real_xlsx():
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "Bảng kê"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, (uploads.PDF, ".pdf")),
        (PNG, (uploads.PNG, ".png")),
        (JPEG, (uploads.JPEG, ".jpg")),
        (ooxml(WORD_MAIN), (uploads.DOCX, ".docx")),
        (ooxml(SLIDES_MAIN), (uploads.PPTX, ".pptx")),
        (odf("application/vnd.oasis.opendocument.text"), (uploads.ODT, ".odt")),
        (odf("application/vnd.oasis.opendocument.spreadsheet"), (uploads.ODS, ".ods")),
        (ole2("WordDocument"), (uploads.DOC, ".doc")),
        (ole2("Workbook"), (uploads.XLS, ".xls")),
    ],
)
def test_accepted_types_are_recognised_by_content_whatever_the_name(content, expected):
    assert upload_check(upload(content, name="khong-co-duoi")) == expected


def test_a_real_spreadsheet_from_openpyxl_is_an_xlsx():
    assert upload_check(upload(real_xlsx(), name="bang-ke.xlsx")) == (uploads.XLSX, ".xlsx")


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00\x03 a windows program",  # an executable
        b"<html><script>alert(1)</script></html>",  # a web page
        b"GIF89a" + b"\x00" * 20,  # an image type we do not take
        zip_bytes([("anh.jpg", JPEG), ("ghi-chu.txt", b"xin chao")]),  # a plain zip archive
        ooxml("application/vnd.ms-word.document.macroEnabled.main+xml"),  # a macro-enabled document
        ooxml(WORD_MAIN, extra=[("word/vbaProject.bin", b"macro")]),  # macros hidden in a docx
        odf("application/vnd.oasis.opendocument.graphics"),  # ODF, but a drawing
        ole2("PowerPoint Document"),  # OLE2, but not Word or Excel
        b"PK\x03\x04 not really a zip",  # a broken zip
    ],
)
def test_a_file_named_pdf_with_other_content_is_refused(content):
    with pytest.raises(DomainError) as refused:
        upload_check(upload(content, name="to-khai.pdf", claimed="application/pdf"))
    assert refused.value.code == "file_type"
    assert "kiểm tra theo nội dung" in refused.value.message or "macro" in refused.value.message


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(DomainError) as refused:
        upload_check(upload(PDF + b"0" * 2048, name="lon.pdf"))
    assert refused.value.code == "file_too_large"
    assert upload_check(upload(PDF))[0] == uploads.PDF


def test_an_empty_file_is_refused():
    with pytest.raises(DomainError) as refused:
        upload_check(upload(b""))
    assert refused.value.code == "file_empty"


def test_a_zip_bomb_is_refused_by_its_compression_ratio_without_extracting():
    # 20 MB of zeros compress to ~20 KB: a ratio of about 1000.
    bomb = zip_bytes(
        [("[Content_Types].xml", ooxml_types()), ("word/document.xml", b"\x00" * (20 * 1024 * 1024))]
    )
    assert len(bomb) < 100 * 1024
    with pytest.raises(DomainError) as refused:
        upload_check(upload(bomb, name="don.docx"))
    assert refused.value.code == "zip_bomb"


def test_a_zip_declaring_too_much_uncompressed_data_is_refused(settings):
    settings.UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = 64 * 1024
    package = zip_bytes(
        [("[Content_Types].xml", ooxml_types()), ("word/document.xml", bytes(range(256)) * 512)],
        compression=zipfile.ZIP_STORED,
    )
    with pytest.raises(DomainError) as refused:
        upload_check(upload(package))
    assert refused.value.code == "zip_bomb"
    settings.UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = 10 * 1024 * 1024
    assert upload_check(upload(package))[0] == uploads.DOCX


def test_a_zip_with_too_many_entries_is_refused(settings):
    settings.UPLOAD_ZIP_MAX_ENTRIES = 10
    package = zip_bytes(
        [("[Content_Types].xml", ooxml_types())] + [(f"part{i}.xml", b"<p/>") for i in range(20)]
    )
    with pytest.raises(DomainError) as refused:
        upload_check(upload(package))
    assert refused.value.code == "zip_bomb"


def test_a_caller_may_narrow_the_accepted_types():
    with pytest.raises(DomainError):
        upload_check(upload(ooxml(WORD_MAIN)), allowed=uploads.SCAN_TYPES)
    assert upload_check(upload(PDF), allowed=uploads.SCAN_TYPES)[0] == uploads.PDF


def ooxml_types():
    from .conftest import content_types

    return content_types(WORD_MAIN)


def test_a_pdf_cut_off_before_its_end_is_refused_as_broken():
    cut = SimpleUploadedFile("quet.pdf", PDF[: len(PDF) // 2] + b"\n" + b"x" * 2000, "application/pdf")
    with pytest.raises(DomainError) as refused:
        upload_check(cut)
    assert refused.value.code == "file_broken" and "bị hỏng" in refused.value.message
    # trailing bytes after %%EOF (some scanners add them) are fine
    assert (
        upload_check(SimpleUploadedFile("quet.pdf", PDF + b"\r\n\x00\x00", "application/pdf"))[0]
        == uploads.PDF
    )
