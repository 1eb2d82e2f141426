"""Uploaded files are judged by their content, never by their name or the browser's claim."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from tenants.errors import DomainError

SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


def upload_check(upload, *, allowed=("application/pdf", "image/png", "image/jpeg")):
    """Return (content type, extension) of an uploaded file, or a DomainError that says why not."""
    limit = getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
    if upload is None:
        raise DomainError(_("Hãy chọn tệp."), field="file")
    if upload.size > limit:
        raise DomainError(_("Tệp lớn hơn %(mb)s MB.") % {"mb": limit // (1024 * 1024)}, field="file",
                          code="file_too_large")
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature) and content_type in allowed:
            return content_type, extension
    raise DomainError(_("Chỉ nhận tệp PDF, PNG hoặc JPEG (kiểm tra theo nội dung tệp)."), field="file",
                      code="file_type")
