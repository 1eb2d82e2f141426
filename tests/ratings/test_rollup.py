"""Ratings roll up per agency and per procedure: counts per value and the share of "satisfied", in
one GROUP BY query."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from shared_apps.catalogue.models import Procedure, Sector
from shared_apps.ratings.models import Rating
from shared_apps.ratings.selectors import rating_rollup
from shared_apps.ratings.services import rating_submit

from .helpers import ID_NUMBER, PHONE, index_entry, returned

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(desk, city):
    """The desk's agency rates two real dossiers of birth registration and one marriage; agency A
    three births and one marriage; agency B one marriage (and has one dossier not yet returned)."""
    birth = Procedure.objects.get(national_code="1.001193")
    sector = Sector.objects.create(code="ho-tich-danh-gia", name="Hộ tịch (đánh giá)")
    marriage = Procedure.objects.create(national_code="9.990001", name="Đăng ký kết hôn (thử)", sector=sector)
    for value in ("satisfied", "not_satisfied"):
        rating_submit(code=returned(desk).code, value=value, proof=PHONE)
    plan = [
        (desk.agency, marriage, "acceptable"),
        (city.a, birth, "satisfied"),
        (city.a, birth, "satisfied"),
        (city.a, birth, "acceptable"),
        (city.a, marriage, "satisfied"),
        (city.b, marriage, "not_satisfied"),
    ]
    for agency, procedure, value in plan:
        rating_submit(code=index_entry(agency, procedure).code, value=value, proof=ID_NUMBER, channel="qr")
    index_entry(city.b, marriage, national_status=4)
    connection.set_schema_to_public()
    Rating.objects.exists()  # the connection's search_path is set before the counted queries
    return {"birth": birth, "marriage": marriage, "desk": desk.agency, "a": city.a, "b": city.b}


def counts(rows):
    return [(r.code, r.total, r.satisfied, r.acceptable, r.not_satisfied, r.satisfaction_share) for r in rows]


def test_per_agency(rated, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = rating_rollup(by="agency")
    assert counts(rows) == [
        ("000.90.01.H31", 4, 3, 1, 0, Decimal("75.0")),
        ("000.93.01.H31", 3, 1, 1, 1, Decimal("33.3")),
        ("000.90.02.H31", 1, 0, 0, 1, Decimal("0.0")),
    ]
    assert [r.name for r in rows] == ["Phường Thử Nghiệm A", "Phường Một Cửa", "Xã Thử Nghiệm B"]
    assert rows[1].key == rated["desk"].pk


def test_per_procedure_across_the_city_and_within_one_agency(rated, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = rating_rollup(by="procedure")
    assert counts(rows) == [
        ("1.001193", 5, 3, 1, 1, Decimal("60.0")),
        ("9.990001", 3, 1, 1, 1, Decimal("33.3")),
    ]
    assert rows[0].name == "Đăng ký khai sinh" and rows[0].key == rated["birth"].pk
    with django_assert_num_queries(1):
        rows = rating_rollup(by="procedure", agency=rated["desk"])
    assert counts(rows) == [
        ("1.001193", 2, 1, 0, 1, Decimal("50.0")),
        ("9.990001", 1, 0, 1, 0, Decimal("0.0")),
    ]


def test_a_period_of_rating_days(rated, django_assert_num_queries):
    today = timezone.localdate()
    Rating.objects.filter(agency=rated["a"]).update(created_at=timezone.now() - timedelta(days=40))
    with django_assert_num_queries(1):
        recent = rating_rollup(by="agency", date_from=today - timedelta(days=7), date_to=today)
    assert [r.code for r in recent] == ["000.93.01.H31", "000.90.02.H31"]
    older = rating_rollup(by="procedure", date_to=today - timedelta(days=30))
    assert counts(older) == [
        ("1.001193", 3, 2, 1, 0, Decimal("66.7")),
        ("9.990001", 1, 1, 0, 0, Decimal("100.0")),
    ]
    assert rating_rollup(by="agency", date_from=today + timedelta(days=1)) == []


def test_an_unknown_grouping_is_a_programming_error():
    with pytest.raises(ValueError):
        rating_rollup(by="sector")
