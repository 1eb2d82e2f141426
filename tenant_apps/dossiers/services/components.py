"""Digitising a dossier's components: a scanned file per component, checked by content."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.uploads import upload_check
from core.errors import DomainError
from shared_apps.accounts.models import Role
from shared_apps.accounts.services import ensure_member

from ..lifecycle import CLOSED, State
from ..models import Dossier
from ..selectors import dossier_ensure_not_moved
from .core import append_event, ensure_in_agency, sync_index
from .online import forget_files


def dossier_component_attach(*, agency, dossier, position, upload, acting_user):
    """Attach the scan of one component: it becomes provided and digitised. If the transaction fails,
    the stored file is removed (no orphan in media)."""
    ensure_in_agency(agency)
    ensure_member(user=acting_user, agency=agency, roles=[Role.RECEIVING_OFFICER, Role.SPECIALIST])
    content_type, extension = upload_check(upload)
    saved = []  # the file is written before its row: removed again if the transaction fails
    try:
        with transaction.atomic():
            dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
            if State(dossier.state) in CLOSED:
                raise DomainError(_("Hồ sơ đã kết thúc, không bổ sung giấy tờ được nữa."), code="closed")
            dossier_ensure_not_moved(agency=agency, dossier=dossier)  # as apply_action: history only here
            component = dossier.components.filter(position=position).first()
            if component is None:
                raise DomainError(
                    _("Hồ sơ không có thành phần số %(p)s.") % {"p": position}, field="position"
                )
            old = {
                "file": bool(component.file),
                "digitised": component.digitised,
                "provided": component.provided,
            }
            component.file.save(f"scan{extension}", upload, save=False)
            saved.append(component.file.name)
            component.file_type = content_type
            component.digitised = component.provided = True
            component.save()
            append_event(
                dossier=dossier,
                action="component_attached",
                from_state=dossier.state,
                acting_user=acting_user,
                at=timezone.now(),
                note=component.name,
                old=old,
                new={"file": True, "digitised": True, "provided": True, "position": position},
            )
            sync_index(agency=agency, dossier=dossier)  # the public row counts the digitised components
    except BaseException:
        forget_files(saved)
        raise
    return component
