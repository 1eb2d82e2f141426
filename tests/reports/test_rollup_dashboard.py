"""The dashboards' data scan each roll-up once: the monthly trend comes with the table's query, the
catalogue's online offer is cached until a version is published or retired; query counts pinned."""

import pytest

from shared_apps.catalogue.models import ProcedureVersion
from shared_apps.reports.dashboard import dashboard_get
from shared_apps.reports.indicators import online_offer_share
from shared_apps.reports.periods import Period
from shared_apps.reports.scopes import scope_of_agency, scope_resolve
from shared_apps.reports.selectors import ii06a, ii06a_monthly

from .conftest import at

pytestmark = pytest.mark.django_db
Q1 = Period.quarter(2025, 1)


def _version(procedure, number, online_mode, status="published"):
    return ProcedureVersion.objects.create(
        procedure=procedure,
        number=number,
        status=status,
        levels=["commune"],
        channels=["in_person"],
        online_mode=online_mode,
        time_limit=3,
        time_unit="working_days",
    )


@pytest.mark.parametrize("period", [Q1, Period.current_year()], ids=["closed", "current"])
def test_the_city_dashboard_data_runs_five_queries(known, period, django_assert_num_queries):
    city = scope_resolve("thanh-pho")
    dashboard_get(scope=city, period=period)  # warms the catalogue counts and the agency directory
    # flow roll-up (table + trend), open / late roll-ups, catalogue stamp, ratings, compliance
    with django_assert_num_queries(5):
        data = dashboard_get(scope=city, period=period)
    assert data["trend"] == ii06a_monthly(period=period)
    assert data["compliance"]["rows"]


def test_the_agency_dashboard_data_runs_five_queries(known, django_assert_num_queries):
    scope = scope_of_agency(known.a)
    dashboard_get(scope=scope, period=Q1)
    # flow roll-up by procedure (table + trend), open / late roll-ups, procedure names, catalogue stamp,
    # ratings
    with django_assert_num_queries(5):
        data = dashboard_get(scope=scope, period=Q1)
    assert data["compliance"] is None


def test_the_trend_comes_with_the_table_and_has_the_hand_counted_months(known):
    data = dashboard_get(scope=scope_of_agency(known.a), period=Q1)
    # (month, received, online, settled early or on time, settled late)
    # January: a3 received; a1, a3 settled. February: a4, a5 received; a4 late. March: a6-a9 received
    # (a6, a8 online); a5 on time
    assert data["trend"] == [
        (at(2025, 1, 1).date(), 1, 1, 2, 0),
        (at(2025, 2, 1).date(), 2, 0, 0, 1),
        (at(2025, 3, 1).date(), 4, 2, 1, 0),
    ]
    city = dashboard_get(scope=scope_resolve("thanh-pho"), period=Q1)
    assert city["trend"][0] == (at(2025, 1, 1).date(), 2, 1, 3, 0)  # + b1 received and settled early
    assert city["trend"] == ii06a_monthly(period=Q1)
    totals = ii06a(period=Q1, monthly=True)  # the city's totals with the trend: the same figures
    assert totals.monthly == ii06a_monthly(period=Q1) and totals.totals == ii06a(period=Q1).totals


def test_the_online_offer_is_cached_until_the_catalogue_changes(known, django_assert_num_queries):
    ProcedureVersion.objects.filter(levels__overlap=["commune"], status="published").update(status="retired")
    _version(known.p.p1, 901, "full")
    first = online_offer_share(kinds=("ward",))
    assert (first.numerator, first.denominator) == (1, 1)
    with django_assert_num_queries(1):  # the stamp only
        assert online_offer_share(kinds=("ward",)).value == 100.0
    draft = _version(known.p.p2, 901, "", status="draft")
    assert online_offer_share(kinds=("ward",)).denominator == 1  # a draft changes nothing
    ProcedureVersion.objects.filter(pk=draft.pk).update(status="published")  # published: counted at once
    assert (
        online_offer_share(kinds=("ward",)).numerator,
        online_offer_share(kinds=("ward",)).denominator,
    ) == (1, 2)
    ProcedureVersion.objects.filter(procedure=known.p.p1, number=901).update(status="retired")  # retired
    assert (
        online_offer_share(kinds=("ward",)).numerator,
        online_offer_share(kinds=("ward",)).denominator,
    ) == (0, 1)
