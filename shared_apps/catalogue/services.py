"""Writes to the procedure catalogue. Keyword-only, `acting_user` says who acts; each change
appends a CatalogueEvent in the same transaction."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.text import fold
from shared_apps.accounts.services import ensure_city_admin as _ensure_city_admin

from .content import VersionContent, content_of
from .models import (
    CatalogueEvent,
    Channel,
    Component,
    Fee,
    Level,
    OnlineMode,
    Procedure,
    ProcedureVersion,
    ProcessStep,
    Sector,
    TimeUnit,
    VersionStatus,
)


def ensure_city_admin(acting_user):
    _ensure_city_admin(acting_user, message=_("Chỉ quản trị thành phố mới được sửa danh mục thủ tục."))


def content_problems(content: VersionContent):
    """Every reason this content cannot be published, as (field, message)."""
    problems = []
    if not content.levels or any(level not in Level.values for level in content.levels):
        problems.append(
            ("levels", _("Cấp thực hiện không hợp lệ: %(v)s.") % {"v": ", ".join(content.levels)})
        )
    if not content.channels or any(c not in Channel.values for c in content.channels):
        problems.append(
            ("channels", _("Cách thức nộp không hợp lệ: %(v)s.") % {"v": ", ".join(content.channels)})
        )
    if content.online_mode not in OnlineMode.values:
        problems.append(
            ("online_mode", _("Mức độ trực tuyến không hợp lệ: %(v)s.") % {"v": content.online_mode})
        )
    elif content.online_mode and Channel.ONLINE not in content.channels:
        problems.append(("online_mode", _("Dịch vụ trực tuyến phải nhận hồ sơ qua kênh trực tuyến.")))
    if content.time_unit not in TimeUnit.values:
        problems.append(("time_unit", _("Đơn vị thời hạn không hợp lệ: %(v)s.") % {"v": content.time_unit}))
    if content.time_limit is None or Decimal(content.time_limit) < 0:
        problems.append(("time_limit", _("Thời hạn giải quyết phải là số không âm.")))
    if not content.components:
        problems.append(("components", _("Thủ tục phải có ít nhất một thành phần hồ sơ.")))
    for c in content.components:
        if c.quantity < 1:
            problems.append(("components", _("Số lượng của “%(n)s” phải từ 1 trở lên.") % {"n": c.name}))
    for f in content.fees:
        if f.amount < 0:
            problems.append(("fees", _("Số tiền của “%(n)s” không được âm.") % {"n": f.name}))
    if not content.steps:
        problems.append(("steps", _("Quy trình phải có ít nhất một bước.")))
    elif sum(Decimal(s.share) for s in content.steps) != Decimal("100"):
        problems.append(("steps", _("Tỷ lệ thời hạn của các bước phải cộng lại bằng 100%.")))
    return problems


def _write_parts(version, content):
    Component.objects.bulk_create(
        Component(
            version=version, position=i, name=c.name, form=c.form, quantity=c.quantity, required=c.required
        )
        for i, c in enumerate(content.components, start=1)
    )
    Fee.objects.bulk_create(
        Fee(version=version, position=i, name=f.name, amount=f.amount, collector=f.collector)
        for i, f in enumerate(content.fees, start=1)
    )
    ProcessStep.objects.bulk_create(
        ProcessStep(
            version=version, position=i, code=s.code, name=s.name, role=s.role, share=s.share, agency=s.agency
        )
        for i, s in enumerate(content.steps, start=1)
    )


def _version_fields(content):
    return dict(
        levels=list(content.levels),
        channels=list(content.channels),
        online_mode=content.online_mode,
        time_limit=content.time_limit,
        time_unit=content.time_unit,
        cutoff=content.cutoff,
        legal_basis=content.legal_basis,
        source=content.source,
        notes=content.notes,
        valid_from=content.valid_from,
    )


def _event(procedure, version, action, acting_user, old=None, new=None):
    CatalogueEvent.objects.create(
        procedure=procedure,
        version=version,
        action=action,
        actor=acting_user,
        old_values=old or {},
        new_values=new or {},
    )


def sector_ensure(*, code, name, acting_user):
    ensure_city_admin(acting_user)
    sector, created = Sector.objects.get_or_create(code=code, defaults={"name": name})
    if not created and name and sector.name != name:
        sector.name = name
        sector.save(update_fields=["name"])
    return sector


def procedure_draft_create(*, national_code, name, sector, content: VersionContent, acting_user):
    """A new draft version of a procedure (the procedure itself is created on first use)."""
    ensure_city_admin(acting_user)
    with transaction.atomic():
        procedure, created = Procedure.objects.select_for_update().get_or_create(
            national_code=national_code,
            defaults={"name": name, "sector": sector},
        )
        old = {"name": procedure.name, "sector": procedure.sector_id}
        procedure.name, procedure.sector = name, sector
        procedure.search_text = fold(f"{national_code} {name} {sector.name}")
        procedure.save()
        if procedure.versions.filter(status=VersionStatus.DRAFT).exists():
            raise DomainError(_("Thủ tục %(c)s đang có một dự thảo chưa công bố.") % {"c": national_code})
        number = (procedure.versions.aggregate(m=Max("number"))["m"] or 0) + 1
        version = ProcedureVersion.objects.create(
            procedure=procedure, number=number, **_version_fields(content)
        )
        _write_parts(version, content)
        _event(
            procedure,
            version,
            "procedure_created" if created else "draft_created",
            acting_user,
            old=None if created else old,
            new={"name": name, "number": number},
        )
    return version


def procedure_draft_update(*, version, content: VersionContent, acting_user):
    ensure_city_admin(acting_user)
    with transaction.atomic():
        version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != VersionStatus.DRAFT:
            raise DomainError(_("Phiên bản đã công bố không được sửa; hãy tạo phiên bản mới."), code="frozen")
        old = content_of(version).comparable()
        for key, value in _version_fields(content).items():
            setattr(version, key, value)
        version.save()
        version.components.all().delete()
        version.fees.all().delete()
        version.steps.all().delete()
        _write_parts(version, content)
        _event(
            version.procedure,
            version,
            "draft_updated",
            acting_user,
            old=_jsonable(old),
            new=_jsonable(content.comparable()),
        )
    return version


def procedure_version_publish(*, version, acting_user, at=None):
    """Freeze a draft and put it in force (from its valid_from, default today)."""
    ensure_city_admin(acting_user)
    with transaction.atomic():
        version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != VersionStatus.DRAFT:
            raise DomainError(_("Chỉ công bố được phiên bản dự thảo."), code="not_draft")
        problems = content_problems(content_of(version))
        if problems:
            raise DomainError(
                "; ".join(message for _field, message in problems),
                code="invalid_content",
                field=problems[0][0],
            )
        now = at or timezone.now()
        version.status = VersionStatus.PUBLISHED
        version.published_at = now
        version.published_by = acting_user
        if version.valid_from is None:
            version.valid_from = timezone.localdate(now)
        version.save(_lifecycle=True)
        _event(
            version.procedure,
            version,
            "published",
            acting_user,
            old={"status": "draft"},
            new={"status": "published", "number": version.number},
        )
    return version


def procedure_version_retire(*, version, acting_user, at=None):
    """Retire a published version: agencies that stayed on it move to the current one."""
    ensure_city_admin(acting_user)
    with transaction.atomic():
        version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != VersionStatus.PUBLISHED:
            raise DomainError(_("Chỉ bãi bỏ được phiên bản đang công bố."), code="not_published")
        now = at or timezone.now()
        version.status = VersionStatus.RETIRED
        version.retired_at = now
        version.valid_to = timezone.localdate(now)
        version.save(_lifecycle=True)
        _event(
            version.procedure,
            version,
            "retired",
            acting_user,
            old={"status": "published"},
            new={"status": "retired"},
        )
    return version


def procedure_version_draft_from_current(*, procedure, acting_user):
    """Start editing: a new draft that copies the current published version."""
    from .selectors import procedure_current_version

    current = procedure_current_version(procedure=procedure)
    if current is None:
        raise DomainError(_("Thủ tục chưa có phiên bản đã công bố."))
    return procedure_draft_create(
        national_code=procedure.national_code,
        name=procedure.name,
        sector=procedure.sector,
        content=content_of(current),
        acting_user=acting_user,
    )


def _jsonable(data):
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
