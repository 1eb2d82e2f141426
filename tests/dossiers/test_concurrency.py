"""Receipts arriving at the same moment in one agency get distinct, consecutive codes."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from tests.committed import committed_agency

from .conftest import APPLICANT, COMPLETE

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def busy_agency(city, django_db_blocker):
    """Committed (the threads use their own connections): an agency, a procedure, an officer."""
    with committed_agency(
        django_db_blocker,
        slug="phuong-dong-nguoi",
        national_code="000.94.01.H31",
        users={"busy_officer": ["receiving_officer"]},
    ) as world:
        yield world.agency, world.users["busy_officer"]


def test_200_concurrent_receipts_get_200_distinct_consecutive_codes(busy_agency):
    from tenant_apps.dossiers.services import dossier_receive

    agency, officer = busy_agency

    def one(i):
        try:
            connection.set_tenant(agency)
            d = dossier_receive(
                agency=agency,
                procedure="1.001193",
                applicant={**APPLICANT, "name": f"Người {i}"},
                channel="in_person",
                components=COMPLETE,
                acting_user=officer,
            )
            return d.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(one, range(200)))
    assert len(set(codes)) == 200
    prefixes = {c.rsplit("-", 1)[0] for c in codes}
    assert len(prefixes) == 1 and re.fullmatch(r"000\.94\.01\.H31-\d{6}", prefixes.pop())
    assert sorted(int(c.rsplit("-", 1)[1]) for c in codes) == list(range(1, 201))
