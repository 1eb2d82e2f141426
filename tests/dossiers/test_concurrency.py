"""Receipts arriving at the same moment in one agency get distinct, consecutive codes."""

import re
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections

from shared_apps.accounts.models import Membership, User
from shared_apps.accounts.services import membership_grant
from shared_apps.calendar.services import calendar_city_ensure
from shared_apps.catalogue.models import (
    CatalogueEvent,
    Component,
    Fee,
    Procedure,
    ProcedureVersion,
    ProcessStep,
    Sector,
)
from shared_apps.catalogue.services import sector_ensure
from shared_apps.tracking.models import DossierIndex, IndexEvent
from tenants.models import Agency, AgencyEvent
from tenants.services import agency_onboard
from tests.catalogue.conftest import publish

from .conftest import APPLICANT, COMPLETE

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def busy_agency(city, django_db_blocker):
    """Committed (the threads use their own connections): an agency, a procedure, an officer."""
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        calendar_city_ensure()
        sector = sector_ensure(code="ho-tich-concurrency", name="Hộ tịch", acting_user=None)
        publish("1.001193", "Đăng ký khai sinh", sector, time_limit=Decimal("3"))
        agency = agency_onboard(name="Phường Đông Người", slug="phuong-dong-nguoi", kind="ward",
                                national_code="000.94.01.H31", acting_user=None)
        officer = User.objects.create_user(username="busy_officer", password="x")
        membership_grant(agency=agency, user=officer, roles=["receiving_officer"], acting_user=None)
    yield agency, officer
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        IndexEvent.objects.filter(entry__agency=agency)._raw_delete(using="default")
        DossierIndex.objects.filter(agency=agency)._raw_delete(using="default")
        Membership.objects.filter(agency=agency)._raw_delete(using="default")
        AgencyEvent.objects.filter(agency=agency)._raw_delete(using="default")
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{agency.schema_name}" CASCADE')
        Agency.objects.filter(pk=agency.pk)._raw_delete(using="default")
        User.objects.filter(pk=officer.pk)._raw_delete(using="default")
        for model in (CatalogueEvent, Component, Fee, ProcessStep, ProcedureVersion, Procedure):
            model.objects.all()._raw_delete(using="default")
        Sector.objects.filter(code="ho-tich-concurrency")._raw_delete(using="default")


def test_200_concurrent_receipts_get_200_distinct_consecutive_codes(busy_agency):
    from tenant_apps.dossiers.services import dossier_receive

    agency, officer = busy_agency

    def one(i):
        try:
            connection.set_tenant(agency)
            d = dossier_receive(agency=agency, procedure="1.001193", applicant={**APPLICANT, "name": f"Người {i}"},
                                channel="in_person", components=COMPLETE, acting_user=officer)
            return d.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(one, range(200)))
    assert len(set(codes)) == 200
    prefixes = {c.rsplit("-", 1)[0] for c in codes}
    assert len(prefixes) == 1 and re.fullmatch(r"000\.94\.01\.H31-\d{6}", prefixes.pop())
    assert sorted(int(c.rsplit("-", 1)[1]) for c in codes) == list(range(1, 201))
