"""Logbook book and entry numbers come from the codes and the gap-free day counters: one book per year,
entries in the order the codes were issued, nothing for another agency's code."""

from datetime import date

import pytest

from tenant_apps.dossiers.documents.numbering import logbook_numbers
from tenant_apps.dossiers.models import CodeCounter

pytestmark = pytest.mark.django_db


def test_entries_count_the_codes_of_the_earlier_days_of_the_same_year(desk, django_assert_num_queries):
    for day, last in (
        (date(2025, 12, 30), 5),
        (date(2025, 12, 31), 2),
        (date(2026, 1, 2), 3),
        (date(2026, 1, 5), 4),
    ):
        CodeCounter.objects.create(day=day, last=last)
    n = desk.agency.national_code
    codes = [
        f"{n}-251230-0002",
        f"{n}-251231-0001",
        f"{n}-260102-0003",
        f"{n}-260105-0001",
        f"{n}-260105-0004",
        "000.99.99.H31-260105-0001",
        "không phải mã",
        None,
    ]
    with django_assert_num_queries(1):
        got = logbook_numbers(agency=desk.agency, codes=codes)
    assert got == {
        f"{n}-251230-0002": ("01/2025", 2),
        f"{n}-251231-0001": ("01/2025", 6),  # 5 on 30/12 + 1
        f"{n}-260102-0003": ("01/2026", 3),  # a new book on 1 January
        f"{n}-260105-0001": ("01/2026", 4),  # 3 on 02/01 + 1
        f"{n}-260105-0004": ("01/2026", 7),
    }


def test_no_code_of_the_agency_needs_no_query(desk, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert logbook_numbers(agency=desk.agency, codes=["000.99.99.H31-260105-0001", None]) == {}
