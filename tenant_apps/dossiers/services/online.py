"""Online submission by a citizen at the city address: the dossier lands in the chosen agency's queue
as "newly registered" (national status 1). Submitting is idempotent: the client sends a key, and a
retry or a double click with the same key returns the dossier the first request made — also when
both arrive at the same moment (the key is unique per citizen in the agency's table, so one citizen's
key never blocks another's submission)."""

from __future__ import annotations

import re

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.uploads import EXTENSIONS, mb, upload_check
from core.errors import DomainError, PermissionRefused

from ..models import Channel, Dossier
from .intake import dossier_register

# Keys a client may send (the API); keys the server makes (a draft's: `nhap:<draft id>`) hold a ':'
# and so can never be sent by a client. Keys are unique per citizen: nobody can take another's.
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
SERVER_KEY_RE = re.compile(r"^[a-z]+:[0-9]{1,20}$")


def dossier_submit_online(
    *, agency, procedure, applicant, components, acting_user, idempotency_key, request_summary=""
):
    """Returns (dossier, created). Runs in the agency's schema (the connection is switched here and
    put back afterwards). Without files, a component can only be flagged `reused` (taken from a
    database): "provided" and "digitised" online mean a file, which comes with the draft's submission
    (`dossier_submit_online_with_files`)."""
    if not KEY_RE.match(idempotency_key or ""):
        raise DomainError(
            _("Khóa chống gửi trùng phải gồm 8–64 chữ cái, chữ số, '-' hoặc '_'."), field="idempotency_key"
        )
    flagged = sorted(
        int(position)
        for position, flags in (components or {}).items()
        if (flags or {}).get("provided") or (flags or {}).get("digitised")
    )
    if flagged:
        raise DomainError(
            _(
                "Thành phần số %(p)s chưa có tệp: trực tuyến, giấy tờ chỉ được coi là đã nộp hoặc đã số "
                "hóa khi có tệp kèm theo (nộp tệp qua hồ sơ nháp)."
            )
            % {"p": ", ".join(map(str, flagged))},
            field="components",
            code="component_without_file",
        )
    return _submit_online(
        agency=agency,
        procedure=procedure,
        applicant=applicant,
        components=components,
        acting_user=acting_user,
        idempotency_key=idempotency_key,
        request_summary=request_summary,
    )


def _submit_online(
    *, agency, procedure, applicant, components, acting_user, idempotency_key, request_summary
):
    if acting_user is None or not acting_user.is_authenticated:
        raise PermissionRefused(_("Hãy đăng nhập để nộp hồ sơ trực tuyến."))
    if not (KEY_RE.match(idempotency_key or "") or SERVER_KEY_RE.match(idempotency_key or "")):
        raise DomainError(_("Khóa chống gửi trùng không hợp lệ."), field="idempotency_key")
    previous = connection.tenant
    connection.set_tenant(agency)
    try:
        mine = Dossier.objects.filter(owner_user=acting_user, idempotency_key=idempotency_key)
        existing = mine.first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                dossier = dossier_register(
                    agency=agency,
                    procedure=procedure,
                    applicant=applicant,
                    channel=Channel.ONLINE,
                    components=components,
                    acting_user=acting_user,
                    owner_user=acting_user,
                    request_summary=request_summary,
                    idempotency_key=idempotency_key,
                )
        except IntegrityError:
            # The same key of the same citizen won a race a moment ago: answer with that dossier.
            existing = mine.first()
            if existing is None:
                raise
            return existing, False
        return dossier, True
    finally:
        connection.set_tenant(previous)


# --- the citizen's files and supplements ----------------------------------------------------------


def _attach(*, dossier, position, content, content_type, acting_user, at, saved):
    """Put one file on a component (the connection is on the agency's schema); an event with the old
    and new values. `saved` collects the stored names, to remove them if the transaction fails."""
    from ..models import DossierComponent
    from .core import append_event

    component = DossierComponent.objects.filter(dossier=dossier, position=position).first()
    if component is None:
        raise DomainError(_("Hồ sơ không có thành phần số %(p)s.") % {"p": position}, field="position")
    old = {"file": bool(component.file), "digitised": component.digitised, "provided": component.provided}
    component.file.save(f"scan{EXTENSIONS[content_type]}", content, save=False)
    saved.append(component.file.name)
    component.file_type = content_type
    component.provided = component.digitised = True
    component.save()
    append_event(
        dossier=dossier,
        action="component_attached",
        from_state=dossier.state,
        acting_user=acting_user,
        at=at,
        note=component.name,
        old=old,
        new={"file": True, "digitised": True, "provided": True, "position": position, "online": True},
    )
    return component


def forget_files(names):
    """Remove stored files whose rows were not written (the transaction failed)."""
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            pass


def dossier_submit_online_with_files(
    *, agency, procedure, applicant, files, acting_user, idempotency_key, request_summary="", saved=None
):
    """Submit online with the citizen's files: the dossier, its components' files and their events are
    written in one transaction (a failure writes none of them). `files` = [(position, file, content
    type)] already checked by content; only these components are flagged provided and digitised. A
    replay (same key) returns the first dossier and attaches nothing again. Returns (dossier, created).
    The stored files' names are appended to `saved` (when given): a caller whose own transaction
    fails afterwards removes them (`forget_files`)."""
    components = {position: {"provided": True, "digitised": True} for position, _f, _t in files}
    saved = [] if saved is None else saved
    try:
        with transaction.atomic():
            dossier, created = _submit_online(
                agency=agency,
                procedure=procedure,
                applicant=applicant,
                components=components,
                acting_user=acting_user,
                idempotency_key=idempotency_key,
                request_summary=request_summary,
            )
            if created and files:
                previous = connection.tenant
                connection.set_tenant(agency)
                try:
                    now = timezone.now()
                    for position, content, content_type in files:
                        _attach(
                            dossier=dossier,
                            position=position,
                            content=content,
                            content_type=content_type,
                            acting_user=acting_user,
                            at=now,
                            saved=saved,
                        )
                finally:
                    connection.set_tenant(previous)
    except BaseException:
        forget_files(saved)
        raise
    return dossier, created


def dossier_supplement_online(*, agency, dossier, uploads, note="", acting_user):
    """The owner supplements online what the desk asked for: the files go onto their components and
    the dossier moves on as when the desk receives a supplement — at intake (`resubmit`: back to
    "newly registered" for the desk to check again) or during processing (`supplement_received`:
    the pause ends and the appointment moves by the paused time). One transaction; nothing is
    written if any file is refused. The change itself is `apply_action`'s, as at the desk: the
    transition table says the owner may take these two actions on their own dossier."""
    from ..lifecycle import Action, State
    from ..models import Dossier
    from .core import apply_action
    from .permissions import dossier_owner_ensure, ensure_in_agency
    from .processing import resume_clock

    ensure_in_agency(agency)
    dossier_owner_ensure(dossier=dossier, acting_user=acting_user)  # the online way is the owner's
    uploads = {int(k): v for k, v in (uploads or {}).items() if v is not None}
    if not uploads:
        raise DomainError(_("Hãy chọn ít nhất một tệp để bổ sung."), field="file")
    checked = [(position, upload, upload_check(upload)[0]) for position, upload in sorted(uploads.items())]
    saved = []
    try:
        with transaction.atomic():
            locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
            dossier_owner_ensure(dossier=locked, acting_user=acting_user)
            if locked.state == State.INTAKE_SUPPLEMENT:
                action = Action.RESUBMIT
            elif locked.state == State.SUPPLEMENT_REQUESTED:
                action = Action.SUPPLEMENT_RECEIVED
            else:
                raise DomainError(_("Hồ sơ không ở trạng thái chờ bổ sung."), code="not_awaiting_supplement")
            _check_dossier_total(locked, {p: u.size for p, u, _t in checked})
            now = timezone.now()
            for position, upload, content_type in checked:
                _attach(
                    dossier=locked,
                    position=position,
                    content=upload,
                    content_type=content_type,
                    acting_user=acting_user,
                    at=now,
                    saved=saved,
                )
            mutate = resume_clock(agency) if action == Action.SUPPLEMENT_RECEIVED else None
            locked = apply_action(
                agency=agency,
                dossier=locked,
                action=action,
                acting_user=acting_user,
                note=(note or "").strip() or _("Công dân bổ sung hồ sơ trực tuyến."),
                mutate=mutate,
            )
    except BaseException:
        forget_files(saved)
        raise
    return locked


def _check_dossier_total(dossier, new_sizes):
    from django.conf import settings

    limit = settings.UPLOAD_MAX_DOSSIER_BYTES
    total = sum(new_sizes.values())
    for c in dossier.components.all():
        if c.file and c.position not in new_sizes:
            try:
                total += c.file.size
            except OSError:
                pass
    if total > limit:
        raise DomainError(
            _("Tổng dung lượng các tệp của hồ sơ vượt quá %(mb)s MB.") % {"mb": mb(limit)},
            field="file",
            code="dossier_too_large",
        )
