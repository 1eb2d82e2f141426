"""The citizen rates the service once the result was returned: once per dossier, only the applicant
(the full phone or ID number given on the dossier, or the logged-in owner — the rule of the look-up page)."""

from __future__ import annotations

import unicodedata

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from shared_apps.tracking.models import DossierIndex
from shared_apps.tracking.proofs import proof_matches

from .models import COMMENT_MAX_LENGTH, Channel, Rating, Value

RETURNED = 10  # national status: the result was returned


class DossierNotFound(DomainError):
    code = "not_found"
    status = 404


class ProofRefused(DomainError):
    code = "proof_refused"
    status = 403


class NotYetReturned(DomainError):
    code = "not_returned"
    status = 409


class AlreadyRated(DomainError):
    code = "already_rated"
    status = 409


def not_returned_error():
    return NotYetReturned(_("Hồ sơ chưa được trả kết quả; chỉ đánh giá được sau khi nhận kết quả."))


def already_rated_error():
    return AlreadyRated(_("Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần."))


def normalise_code(code):
    return (code or "").strip().upper().replace(" ", "")


def proves_applicant(entry, *, proof="", user=None):
    """Same rule as shared_apps.tracking.selectors.dossier_lookup (shared_apps.tracking.proofs): the
    full phone or ID number of the applicant, or the logged-in owner of the dossier. (Four digits
    were guessable in a few thousand tries; a rating cannot be taken back.)"""
    if user is not None and user.is_authenticated and entry.owner_user_id == user.pk:
        return True
    return proof_matches(proof, entry.applicant_phone_digest, entry.applicant_id_digest)


def clean_comment(comment):
    comment = unicodedata.normalize("NFC", comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise DomainError(
            _("Ý kiến dài quá %(n)s ký tự.") % {"n": COMMENT_MAX_LENGTH},
            code="comment_too_long",
            field="comment",
        )
    return comment


def rating_submit(*, code, value, comment="", proof="", acting_user=None, channel=Channel.WEB):
    """Record the applicant's rating of dossier `code`. Refused with a DomainError when the dossier
    is unknown (404), not yet returned (409), the visitor is not the applicant (403) or the dossier
    was already rated (409, also for the loser of two simultaneous submissions)."""
    if value not in Value.values:
        raise DomainError(_("Hãy chọn một mức đánh giá."), code="invalid_value", field="value")
    if channel not in Channel.values:
        raise DomainError(_("Kênh đánh giá không hợp lệ."), code="invalid_channel", field="channel")
    comment = clean_comment(comment)
    code = normalise_code(code)
    entry = DossierIndex.objects.filter(code=code).first() if code else None
    if entry is None:
        raise DossierNotFound(
            _("Không tìm thấy hồ sơ có mã này. Hãy kiểm tra lại mã trên giấy hẹn."), field="code"
        )
    if entry.national_status != RETURNED:
        raise not_returned_error()
    if not proves_applicant(entry, proof=proof, user=acting_user):
        raise ProofRefused(_("Số điện thoại hoặc số giấy tờ tùy thân không khớp với hồ sơ."), field="proof")
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    try:
        with transaction.atomic():
            return Rating.objects.create(
                entry=entry,
                agency_id=entry.agency_id,
                procedure_id=entry.procedure_id,
                value=value,
                comment=comment,
                channel=channel,
                user=user,
            )
    except IntegrityError as exc:
        # The one-to-one to the index is unique: a second rating, even one racing the first, ends here.
        if Rating.objects.filter(entry_id=entry.pk).exists():
            raise already_rated_error() from exc
        raise
