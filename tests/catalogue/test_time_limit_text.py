"""A time limit reads naturally in both languages: Vietnamese has no plural, English has."""

from decimal import Decimal

import pytest
from django.utils import translation

from shared_apps.catalogue.text import time_limit_text


@pytest.mark.parametrize(
    "limit, unit, vi, en",
    [
        (Decimal("3"), "working_days", "3 ngày làm việc", "3 working days"),
        (Decimal("1.00"), "working_days", "1 ngày làm việc", "1 working day"),
        (Decimal("0.5"), "working_days", "0.5 ngày làm việc", "0.5 working days"),
        (Decimal("8"), "working_hours", "8 giờ làm việc", "8 working hours"),
        (Decimal("1"), "working_hours", "1 giờ làm việc", "1 working hour"),
        (Decimal("15"), "calendar_days", "15 ngày", "15 days"),
        (Decimal("1"), "months", "1 tháng", "1 month"),
        (Decimal("0"), "working_days", "Trong ngày", "Same day"),
    ],
)
def test_a_time_limit_reads_with_its_unit_in_the_readers_language(limit, unit, vi, en):
    with translation.override("vi"):
        assert time_limit_text(limit, unit) == vi
    with translation.override("en"):
        assert time_limit_text(limit, unit) == en


def test_no_limit_reads_as_nothing():
    assert time_limit_text(None, "working_days") == ""
