from decimal import Decimal

import pytest

from core.errors import DomainError
from shared_apps.accounts.models import Role
from shared_apps.accounts.services import membership_grant
from shared_apps.catalogue.services import (
    procedure_draft_update,
    procedure_version_draft_from_current,
    procedure_version_publish,
    procedure_version_retire,
)
from tenant_apps.adoption.models import ProcedureAdoption
from tenant_apps.adoption.selectors import adoption_effective_time_limit, adoption_version_in_force
from tenant_apps.adoption.services import adoption_update
from tenants.services import agency_onboard

from .conftest import content

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_communes(catalogue, city):
    x = agency_onboard(name="Xã Một", kind="commune", national_code="000.92.01.H31", acting_user=None)
    y = agency_onboard(name="Phường Hai", kind="ward", national_code="000.92.02.H31", acting_user=None)
    dept = agency_onboard(name="Sở Thử", kind="department", national_code="000.00.92.H31", acting_user=None)
    for agency in (x, y, dept):
        membership_grant(agency=agency, user=city.admin_a, roles=[Role.AGENCY_ADMIN], acting_user=None)
    return x, y, dept


def adopted_codes(agency, in_agency):
    with in_agency(agency):
        return sorted(ProcedureAdoption.objects.values_list("procedure__national_code", flat=True))


def test_a_new_agency_adopts_the_procedures_of_its_level_at_onboarding(two_communes, in_agency):
    x, y, dept = two_communes
    assert adopted_codes(x, in_agency) == ["1.000894", "1.001193"]
    assert adopted_codes(y, in_agency) == ["1.000894", "1.001193"]
    assert adopted_codes(dept, in_agency) == ["2.001610"]


def test_a_new_catalogue_version_reaches_every_adopting_agency(catalogue, two_communes, in_agency):
    x, y, _dept = two_communes
    draft = procedure_version_draft_from_current(procedure=catalogue["birth"].procedure, acting_user=None)
    procedure_draft_update(version=draft, content=content(time_limit=Decimal("2")), acting_user=None)
    procedure_version_publish(version=draft, acting_user=None)
    for agency in (x, y):
        with in_agency(agency):
            adoption = ProcedureAdoption.objects.get(procedure__national_code="1.001193")
            assert adoption_version_in_force(adoption=adoption).number == 2


def test_an_agency_may_stay_on_its_version_until_the_city_retires_it(
    catalogue, two_communes, in_agency, city
):
    x, _y, _dept = two_communes
    with in_agency(x):
        adoption = ProcedureAdoption.objects.get(procedure__national_code="1.001193")
        adoption_update(agency=x, adoption=adoption, acting_user=city.admin_a, pin_current=True)
    draft = procedure_version_draft_from_current(procedure=catalogue["birth"].procedure, acting_user=None)
    procedure_version_publish(version=draft, acting_user=None)
    with in_agency(x):
        adoption.refresh_from_db()
        assert adoption_version_in_force(adoption=adoption).number == 1
    procedure_version_retire(version=catalogue["birth"], acting_user=None)
    with in_agency(x):
        assert adoption_version_in_force(adoption=adoption).number == 2


def test_an_agency_may_shorten_the_time_limit_but_never_lengthen_it(catalogue, two_communes, in_agency, city):
    x, _y, _dept = two_communes
    with in_agency(x):
        adoption = ProcedureAdoption.objects.get(procedure__national_code="1.001193")
        adoption = adoption_update(
            agency=x, adoption=adoption, acting_user=city.admin_a, time_limit_override="2"
        )
        version = adoption_version_in_force(adoption=adoption)
        assert adoption_effective_time_limit(adoption=adoption, version=version) == (
            Decimal("2"),
            "working_days",
        )
        with pytest.raises(DomainError, match="không dài hơn"):
            adoption_update(agency=x, adoption=adoption, acting_user=city.admin_a, time_limit_override="4")
        adoption.refresh_from_db()
        assert adoption.time_limit_override == Decimal("2")


def test_only_the_agency_admin_changes_local_settings(catalogue, two_communes, in_agency, city):
    from core.errors import PermissionRefused

    x, _y, _dept = two_communes
    with in_agency(x):
        adoption = ProcedureAdoption.objects.get(procedure__national_code="1.001193")
        with pytest.raises(PermissionRefused):
            adoption_update(agency=x, adoption=adoption, acting_user=city.officer_a, time_limit_override="1")


def test_adoption_api_lists_and_updates(client, catalogue, two_communes, city):
    x, _y, _dept = two_communes
    client.force_login(city.admin_a)
    rows = client.get(f"/{x.slug}/api/v1/procedures/").json()
    assert {r["national_code"] for r in rows} == {"1.000894", "1.001193"}
    bad = client.patch(
        f"/{x.slug}/api/v1/procedures/1.001193/",
        {"time_limit_override": "9"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["field"] == "time_limit_override"
    ok = client.patch(
        f"/{x.slug}/api/v1/procedures/1.001193/",
        {"time_limit_override": "1"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["time_limit"] == "1.00"
    assert "(3 ngày làm việc)" in bad.json()["detail"]  # the city-wide limit, with its unit
    page = client.get(f"/{x.slug}/thu-tuc/")
    assert page.status_code == 200 and "Đăng ký khai sinh" in page.content.decode()
    assert "1 ngày làm việc" in page.content.decode()  # the agency's own limit
    edit = client.get(f"/{x.slug}/thu-tuc/1.001193/").content.decode()
    assert "Thời hạn chung của thành phố: 3 ngày làm việc." in edit
