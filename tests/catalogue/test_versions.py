from decimal import Decimal

import pytest

from core.errors import DomainError, PermissionRefused
from shared_apps.catalogue.content import StepSpec
from shared_apps.catalogue.models import Component, FrozenVersionError, ProcedureVersion, VersionStatus
from shared_apps.catalogue.selectors import procedure_current_version, procedure_version_in_force
from shared_apps.catalogue.services import (
    procedure_draft_create,
    procedure_draft_update,
    procedure_version_draft_from_current,
    procedure_version_publish,
    procedure_version_retire,
)

from .conftest import content

pytestmark = pytest.mark.django_db


def test_a_published_version_is_frozen(catalogue):
    version = catalogue["birth"]
    version.time_limit = Decimal("10")
    with pytest.raises(FrozenVersionError):
        version.save()
    component = version.components.first()
    component.name = "đổi tên"
    with pytest.raises(FrozenVersionError):
        component.save()
    with pytest.raises(FrozenVersionError):
        Component.objects.create(version=version, name="thêm", form="copy")
    with pytest.raises(DomainError, match="không được sửa"):
        procedure_draft_update(version=version, content=content(time_limit=Decimal("1")), acting_user=None)
    version.refresh_from_db()
    assert version.time_limit == Decimal("3")


def test_changing_a_procedure_makes_a_new_version(catalogue):
    v1 = catalogue["birth"]
    draft = procedure_version_draft_from_current(procedure=v1.procedure, acting_user=None)
    assert draft.number == 2 and draft.status == VersionStatus.DRAFT
    procedure_draft_update(version=draft, content=content(time_limit=Decimal("2")), acting_user=None)
    assert procedure_current_version(procedure=v1.procedure) == v1  # drafts are not in force
    procedure_version_publish(version=draft, acting_user=None)
    assert procedure_current_version(procedure=v1.procedure).number == 2
    v1.refresh_from_db()
    assert v1.status == VersionStatus.PUBLISHED and v1.time_limit == Decimal("3")


def test_only_one_draft_at_a_time(catalogue):
    procedure_version_draft_from_current(procedure=catalogue["birth"].procedure, acting_user=None)
    with pytest.raises(DomainError, match="dự thảo"):
        procedure_version_draft_from_current(procedure=catalogue["birth"].procedure, acting_user=None)


def test_publishing_refuses_steps_whose_shares_do_not_add_up(catalogue):
    steps = (
        StepSpec("receive", "Tiếp nhận", "receiving_officer", Decimal("30")),
        StepSpec("approve", "Phê duyệt", "leader", Decimal("30")),
    )
    draft = procedure_draft_create(
        national_code="1.999999",
        name="Thử",
        sector=catalogue["civil"],
        content=content(steps=steps),
        acting_user=None,
    )
    with pytest.raises(DomainError, match="100%"):
        procedure_version_publish(version=draft, acting_user=None)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_a_dossier_binds_to_the_version_in_force_at_receipt(catalogue):
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    v1 = catalogue["birth"]
    ProcedureVersion.objects.filter(pk=v1.pk).update(valid_from=date(2025, 1, 1))
    draft = procedure_version_draft_from_current(procedure=v1.procedure, acting_user=None)
    procedure_draft_update(version=draft, content=content(valid_from=date(2026, 7, 1)), acting_user=None)
    procedure_version_publish(version=draft, acting_user=None)
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    assert (
        procedure_version_in_force(procedure=v1.procedure, at=datetime(2026, 6, 30, 10, tzinfo=tz)).number
        == 1
    )
    assert (
        procedure_version_in_force(procedure=v1.procedure, at=datetime(2026, 7, 1, 8, tzinfo=tz)).number == 2
    )


def test_retiring_takes_a_version_out_of_force(catalogue):
    v1 = catalogue["marriage"]
    procedure_version_retire(version=v1, acting_user=None)
    assert procedure_current_version(procedure=v1.procedure) is None
    with pytest.raises(DomainError):
        procedure_version_retire(version=v1, acting_user=None)


def test_only_city_admins_edit_the_catalogue(catalogue, city):
    with pytest.raises(PermissionRefused):
        procedure_version_draft_from_current(procedure=catalogue["birth"].procedure, acting_user=city.admin_a)
