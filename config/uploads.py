"""Uploaded files are judged by their content, never by their name or the browser's claim.

Accepted: PDF, PNG, JPEG; office documents — DOCX/XLSX/PPTX (an OOXML package: a zip whose
`[Content_Types].xml` names the main part), ODT/ODS (an ODF package: a zip whose `mimetype` entry
says so) and legacy DOC/XLS (an OLE2 compound file holding a `WordDocument` or `Workbook`/`Book`
stream). Zip packages are judged from their central directory without extracting anything: too many
entries, too large a declared uncompressed size or too high a compression ratio (a zip bomb) is
refused. Macro-enabled documents are refused. Everything else is refused with a clear message."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import DomainError

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"

EXTENSIONS = {
    PDF: ".pdf",
    PNG: ".png",
    JPEG: ".jpg",
    DOCX: ".docx",
    XLSX: ".xlsx",
    PPTX: ".pptx",
    ODT: ".odt",
    ODS: ".ods",
    DOC: ".doc",
    XLS: ".xls",
}
ALLOWED_TYPES = tuple(EXTENSIONS)
SCAN_TYPES = (PDF, PNG, JPEG)
# The file inputs' `accept` list: every extension of an accepted type (JPEG has two). The upload
# tests take their types from here, so a type added here is tested end to end.
ACCEPT = ",".join([*EXTENSIONS.values(), ".jpeg"])
# What the citizen is told is accepted (shown next to every file input).
ALLOWED_LABEL = "PDF, PNG, JPEG, DOC, DOCX, XLS, XLSX, PPTX, ODT, ODS"

SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
)
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# The main part's content type in [Content_Types].xml -> the document's type (no macro-enabled ones).
OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
ODF_MIMETYPES = {ODT: ODT, ODS: ODS}
# Stream names in an OLE2 directory (UTF-16LE), which tell a Word document from an Excel workbook.
OLE2_STREAMS = (
    ("WordDocument".encode("utf-16-le"), DOC),
    ("Workbook".encode("utf-16-le"), XLS),
    ("Book\x00".encode("utf-16-le"), XLS),
)
CONTENT_TYPES_RE = re.compile(rb'ContentType="([^"]+)"')


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    zip_entries: int
    zip_uncompressed: int
    zip_ratio: int


def limits():
    return Limits(
        max_bytes=settings.UPLOAD_MAX_BYTES,
        zip_entries=settings.UPLOAD_ZIP_MAX_ENTRIES,
        zip_uncompressed=settings.UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES,
        zip_ratio=settings.UPLOAD_ZIP_MAX_RATIO,
    )


def mb(n):
    value = n / (1024 * 1024)
    return f"{value:.0f}" if value >= 1 else f"{value:.2f}".rstrip("0").rstrip(".")


def _refuse_type():
    return DomainError(
        _(
            "Chỉ nhận tệp PDF, ảnh PNG/JPEG hoặc tài liệu văn phòng (DOC, DOCX, XLS, XLSX, PPTX, ODT, ODS); "
            "loại tệp được kiểm tra theo nội dung, không theo tên tệp."
        ),
        field="file",
        code="file_type",
    )


def upload_check(upload, *, allowed=None):
    """Return (content type, extension) of an uploaded file, or a DomainError that says why not.
    `allowed`: the content types accepted here (default: every type this module knows)."""
    allowed = tuple(allowed or ALLOWED_TYPES)
    lim = limits()
    if upload is None:
        raise DomainError(_("Hãy chọn tệp."), field="file")
    if upload.size > lim.max_bytes:
        raise DomainError(
            _("Tệp lớn hơn %(mb)s MB.") % {"mb": mb(lim.max_bytes)}, field="file", code="file_too_large"
        )
    if upload.size == 0:
        raise DomainError(_("Tệp rỗng."), field="file", code="file_empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = None
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            content_type = kind
    if content_type is None and head.startswith(ZIP_MAGIC):
        content_type = _zip_kind(upload, lim)
    if content_type is None and head.startswith(OLE2_MAGIC):
        content_type = _ole2_kind(upload)
    upload.seek(0)
    if content_type is None or content_type not in allowed:
        raise _refuse_type()
    if content_type == PDF:
        _check_pdf_complete(upload)
    return content_type, EXTENSIONS[content_type]


def _check_pdf_complete(upload):
    """A PDF ends with %%EOF (within its last kilobyte, trailing junk tolerated): without it the file
    is cut off — an interrupted upload or scan — and cannot be opened."""
    upload.seek(max(0, upload.size - 1024))
    tail = upload.read()
    upload.seek(0)
    if b"%%EOF" not in tail:
        raise DomainError(
            _("Tệp PDF bị hỏng hoặc chưa tải lên hết (thiếu phần kết thúc); hãy tải lại tệp."),
            field="file",
            code="file_broken",
        )


def _zip_kind(upload, lim):
    """The type of an OOXML/ODF package, judged from its central directory and one small entry;
    nothing else is decompressed."""
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse_type() from None
    with archive:
        entries = archive.infolist()
        if len(entries) > lim.zip_entries:
            raise DomainError(
                _("Tệp nén có quá nhiều thành phần (%(n)s).") % {"n": len(entries)},
                field="file",
                code="zip_bomb",
            )
        declared = sum(e.file_size for e in entries)
        compressed = sum(e.compress_size for e in entries)
        if declared > lim.zip_uncompressed:
            raise DomainError(
                _("Tệp khi giải nén lớn hơn %(mb)s MB.") % {"mb": mb(lim.zip_uncompressed)},
                field="file",
                code="zip_bomb",
            )
        worst = max((e.file_size / max(e.compress_size, 1) for e in entries), default=0)
        if declared > 1024 * 1024 and (
            declared / max(compressed, 1) > lim.zip_ratio or worst > lim.zip_ratio * 10
        ):
            raise DomainError(
                _("Tệp có tỉ lệ nén bất thường (nghi là “bom nén”)."), field="file", code="zip_bomb"
            )
        names = {e.filename: e for e in entries}
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise DomainError(_("Không nhận tài liệu có macro."), field="file", code="file_type")
        if "[Content_Types].xml" in names:
            return _ooxml_kind(archive, names["[Content_Types].xml"])
        if "mimetype" in names:
            return _odf_kind(archive, names["mimetype"])
    return None


def _small_entry(archive, info, limit):
    if info.file_size > limit or info.compress_size > limit:
        raise _refuse_type()
    try:
        with archive.open(info) as handle:
            return handle.read(limit + 1)[:limit]
    except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError, EOFError):
        raise _refuse_type() from None


def _ooxml_kind(archive, info):
    data = _small_entry(archive, info, 256 * 1024)
    types = {m.decode("ascii", "replace") for m in CONTENT_TYPES_RE.findall(data)}
    found = [OOXML_MAIN[t] for t in types if t in OOXML_MAIN]
    return found[0] if len(found) == 1 else None


def _odf_kind(archive, info):
    data = _small_entry(archive, info, 128).decode("ascii", "replace").strip()
    return ODF_MIMETYPES.get(data)


def _ole2_kind(upload):
    """A legacy Word or Excel file: an OLE2 compound file whose directory names the Word or Excel
    stream (the directory's entries hold the names in UTF-16)."""
    upload.seek(0)
    data = upload.read()
    if len(data) < 512 or data[28:30] != b"\xfe\xff":  # byte-order mark of a compound file header
        return None
    for name, kind in OLE2_STREAMS:
        if name in data[512:]:
            return kind
    return None
