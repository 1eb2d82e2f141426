"""Writes for online drafts. Keyword-only, `acting_user` first-class: only the owner touches a draft.
Submitting a draft registers the dossier in the chosen agency (its id-based idempotency key makes
double clicks and retries one dossier), copies the files onto the dossier's components and marks the
draft submitted — all in one transaction: a failure leaves the draft as it was."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.uploads import mb, upload_check
from core.errors import DomainError, PermissionRefused
from shared_apps.accounts.contacts import email_normalise
from shared_apps.accounts.selectors import profile_prefill

from .models import DraftFile, DraftStatus, SubmissionDraft
from .selectors import agencies_offering, draft_components, online_version

APPLICANT_FIELDS = ("kind", "name", "id_number", "address", "phone", "email")
MAX_LENGTHS = {"kind": 12, "name": 255, "id_number": 20, "address": 500, "phone": 20, "email": 254}


def _ensure_citizen(user):
    if user is None or not user.is_authenticated:
        raise PermissionRefused(_("Hãy đăng nhập để nộp hồ sơ trực tuyến."))


def _ensure_owner(draft, user):
    _ensure_citizen(user)
    if draft.owner_id != user.pk:
        raise PermissionRefused(_("Đây không phải hồ sơ nháp của bạn."))


def _ensure_editable(draft):
    if draft.status != DraftStatus.DRAFT:
        raise DomainError(_("Hồ sơ này đã được nộp, không sửa được nữa."), code="draft_submitted")


def _clean_applicant(applicant):
    data = {}
    for key in APPLICANT_FIELDS:
        value = unicodedata.normalize("NFC", str((applicant or {}).get(key) or "")).strip()
        if len(value) > MAX_LENGTHS[key]:
            raise DomainError(_("Thông tin “%(f)s” quá dài.") % {"f": key}, field=f"applicant.{key}")
        data[key] = value
    if data["email"]:
        email = email_normalise(data["email"])
        if email is None:
            raise DomainError(_("Địa chỉ thư điện tử không hợp lệ."), field="applicant.email")
        data["email"] = email
    data["kind"] = data["kind"] or "person"
    return data


def draft_create(*, procedure, agency, acting_user):
    """A new draft for `procedure` at `agency` (one that receives it online), pre-filled from the
    citizen's profile."""
    _ensure_citizen(acting_user)
    version = online_version(procedure=procedure)
    if version is None:
        raise DomainError(_("Thủ tục này không có dịch vụ công trực tuyến."), field="procedure")
    if agency is None or agency.pk not in {
        o.agency.pk for o in agencies_offering(procedure=procedure, version=version)
    }:
        raise DomainError(_("Cơ quan đã chọn không nhận hồ sơ trực tuyến của thủ tục này."), field="agency")
    return SubmissionDraft.objects.create(
        owner=acting_user,
        procedure=procedure,
        agency=agency,
        applicant=_clean_applicant(profile_prefill(user=acting_user)),
    )


def draft_update(*, draft, acting_user, applicant=None, request_summary=None):
    _ensure_owner(draft, acting_user)
    with transaction.atomic():
        draft = SubmissionDraft.objects.select_for_update().get(pk=draft.pk)
        _ensure_editable(draft)
        if applicant is not None:
            draft.applicant = _clean_applicant({**draft.applicant, **applicant})
        if request_summary is not None:
            summary = str(request_summary).strip()
            if len(summary) > 2000:
                raise DomainError(_("Nội dung yêu cầu dài quá 2.000 ký tự."), field="request_summary")
            draft.request_summary = summary
        draft.save()
    return draft


def draft_attach(*, draft, position, upload, acting_user):
    """The citizen's file for one component (replacing the one there), checked by content; the
    draft's files together stay under UPLOAD_MAX_DOSSIER_BYTES."""
    _ensure_owner(draft, acting_user)
    content_type, _extension = upload_check(upload)
    _version, components = draft_components(draft=draft)
    component = next((c for c in components if c.position == int(position)), None)
    if component is None:
        raise DomainError(
            _("Thủ tục không có thành phần hồ sơ số %(p)s.") % {"p": position}, field="position"
        )
    with transaction.atomic():
        draft = SubmissionDraft.objects.select_for_update().get(pk=draft.pk)
        _ensure_editable(draft)
        others = sum(f.size for f in draft.files.exclude(position=component.position))
        limit = settings.UPLOAD_MAX_DOSSIER_BYTES
        if others + upload.size > limit:
            raise DomainError(
                _("Tổng dung lượng các tệp của hồ sơ vượt quá %(mb)s MB.") % {"mb": mb(limit)},
                field="file",
                code="dossier_too_large",
            )
        previous = draft.files.filter(position=component.position).first()
        old_name = previous.file.name if previous else None
        row = previous or DraftFile(draft=draft, position=component.position)
        row.file.save(f"tep{_extension}", upload, save=False)
        new_name = row.file.name
        row.content_type, row.size = content_type, upload.size
        row.original_name = (getattr(upload, "name", "") or "")[-255:]
        transaction.on_commit(lambda: _delete_quietly(old_name))
        try:
            row.save()
            draft.save(update_fields=["updated_at"])
        except BaseException:
            _delete_quietly(new_name)
            raise
    return row


def draft_detach(*, draft, position, acting_user):
    """Remove the file of one component."""
    _ensure_owner(draft, acting_user)
    with transaction.atomic():
        draft = SubmissionDraft.objects.select_for_update().get(pk=draft.pk)
        _ensure_editable(draft)
        row = draft.files.filter(position=position).first()
        if row is None:
            return
        name = row.file.name
        row.delete()
        draft.save(update_fields=["updated_at"])
        transaction.on_commit(lambda: _delete_quietly(name))


def draft_discard(*, draft, acting_user):
    """Delete an unsent draft and its files."""
    _ensure_owner(draft, acting_user)
    with transaction.atomic():
        draft = SubmissionDraft.objects.select_for_update().get(pk=draft.pk)
        _ensure_editable(draft)
        names = [f.file.name for f in draft.files.all()]
        draft.delete()
        transaction.on_commit(lambda: [_delete_quietly(n) for n in names])


def draft_submit(*, draft, acting_user):
    """Send the draft to its agency. Returns (draft, created). Idempotent: a second call (double
    click, retry after a lost response) returns the draft already submitted, and the dossier
    service would in any case answer the same key with the same dossier."""
    from tenant_apps.dossiers.services import dossier_submit_online_with_files
    from tenant_apps.dossiers.services.online import forget_files

    _ensure_owner(draft, acting_user)
    saved = []  # the dossier's files, written in the agency's storage: removed if this fails
    try:
        return _submit(draft, acting_user, saved, dossier_submit_online_with_files)
    except BaseException:
        forget_files(saved)
        raise


def _submit(draft, acting_user, saved, submit_with_files):
    with transaction.atomic():
        draft = (
            SubmissionDraft.objects.select_for_update().select_related("agency", "procedure").get(pk=draft.pk)
        )
        if draft.status == DraftStatus.SUBMITTED:
            return draft, False
        if not draft.agency.is_open:
            raise DomainError(_("Cơ quan đã chọn đang tạm ngừng nhận hồ sơ."), field="agency")
        _version, components = draft_components(draft=draft)
        missing = [c.name for c in components if c.required and c.draft_file is None]
        if missing:
            raise DomainError(
                _("Còn thiếu tệp của giấy tờ bắt buộc: %(m)s.") % {"m": "; ".join(missing)},
                field="files",
                code="incomplete",
            )
        rows = [c.draft_file for c in components if c.draft_file is not None]
        handles = [row.file.open("rb") for row in rows]
        try:
            dossier, created = submit_with_files(
                agency=draft.agency,
                procedure=draft.procedure,
                applicant=draft.applicant,
                files=[
                    (row.position, handle, row.content_type)
                    for row, handle in zip(rows, handles, strict=True)
                ],
                acting_user=acting_user,
                idempotency_key=draft.idempotency_key,
                request_summary=draft.request_summary,
                saved=saved,
            )
        finally:
            for handle in handles:
                handle.close()
        draft.status = DraftStatus.SUBMITTED
        draft.dossier_id, draft.dossier_reference = dossier.pk, dossier.reference
        draft.submitted_at = timezone.now()
        draft.save()
        # The files now live with the agency; the draft's copies go once this is committed.
        names = [row.file.name for row in rows]
        draft.files.all().delete()
        transaction.on_commit(lambda: [_delete_quietly(n) for n in names])
    return draft, True


def _delete_quietly(name):
    from .storage import private_storage

    if not name:
        return
    try:
        private_storage.delete(name)
    except OSError:
        pass
