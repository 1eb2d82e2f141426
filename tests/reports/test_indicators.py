"""Decision 766 indicators and the update compliance, against values computed by hand from the known
rows (conftest.py): agency A, first quarter of 2025."""

import pytest

from shared_apps.catalogue.models import ProcedureVersion
from shared_apps.ratings.models import Rating
from shared_apps.reports.indicators import indicators_766
from shared_apps.reports.periods import Period
from shared_apps.reports.scopes import update_compliance

from .conftest import at

pytestmark = pytest.mark.django_db
Q1 = Period.quarter(2025, 1)


def _rate(known, name, value, when):
    entry = known.rows[name]
    r = Rating.objects.create(
        entry=entry, agency=entry.agency, procedure=entry.procedure, value=value, channel="web"
    )
    Rating.objects.filter(pk=r.pk).update(created_at=when)


def _version(procedure, number, online_mode, levels=("commune",)):
    return ProcedureVersion.objects.create(
        procedure=procedure,
        number=number,
        status="published",
        levels=list(levels),
        channels=["in_person"],
        online_mode=online_mode,
        time_limit=3,
        time_unit="working_days",
    )


def test_every_indicator_of_one_agency(known):
    _rate(known, "a3", "not_satisfied", at(2025, 2, 1))
    _rate(known, "a1", "satisfied", at(2025, 1, 6))
    _rate(known, "b1", "not_satisfied", at(2025, 1, 13))  # another agency: not counted for A
    ProcedureVersion.objects.filter(levels__overlap=["commune"], status="published").update(status="retired")
    _version(known.p.p1, 901, "full")
    _version(known.p.p2, 901, "")

    result = indicators_766(period=Q1, agency_ids=[known.a.pk], kinds=(known.a.kind,))
    got = {i.code: i for i in result["indicators"]}

    # on time (766): settled early/on time with <= 1 supplement (a1, a3) + in progress within time at
    # 01/04 (a8, a9) over settled with a verdict (a1, a3, a4, a5) + in progress (a2, a7, a8, a9)
    assert (got["on_time"].numerator, got["on_time"].denominator, got["on_time"].value) == (4, 8, 50.0)
    assert got["on_time"].points == 10.0  # 20 × 50 / 100
    # online submission: a3, a6, a8 of the 7 received in the quarter
    assert (got["online_submission"].numerator, got["online_submission"].denominator) == (3, 7)
    assert got["online_submission"].value == 42.86
    assert got["online_submission"].points == 8.57  # 10 × 42.86 / 50
    # offered online: 1 of the 2 commune-level procedures with a published version
    assert (got["online_offer"].value, got["online_offer"].points) == (50.0, 3.75)  # 6 × 50 / 80
    # satisfaction: 100 − overdue (a4 late + a2, a7 overdue = 3 of 8: 37.5) − dislikes (1 of 4 settled: 25)
    assert (got["satisfaction"].value, got["satisfaction"].points) == (37.5, 7.5)  # 18 × 37.5 / 90
    assert got["online_payment"].value is None and got["online_payment"].points is None
    assert "chưa có dữ liệu" in got["online_payment"].missing
    # digitisation: no component recorded on the 7 received in the quarter: 0 of 7; reuse: no component
    assert (got["digitisation"].value, got["digitisation"].points) == (0.0, 0.0)
    assert got["reuse"].value is None and "chưa có dữ liệu" in got["reuse"].missing
    assert result["points"] == 10.0 + 8.57 + 3.75 + 7.5
    assert result["max_points"] == 20 + 10 + 6 + 18 + 11
    # average processing time (calendar days) of the settled ones per procedure:
    # P1: a1 26 d, a3 5 d, a5 22 d 21 h -> 53.875 / 3; P2: a4 24 d
    avg = {r["procedure_id"]: r["average_days"] for r in result["average_processing"]}
    assert avg == {known.p.p1.pk: 17.96, known.p.p2.pk: 24.0}


def test_full_points_from_the_threshold(known):
    from shared_apps.reports.indicators import Indicator

    assert Indicator("x", "x", "g", 10, 50, 50.0).points == 10
    assert Indicator("x", "x", "g", 10, 50, 80.0).points == 10
    assert Indicator("x", "x", "g", 10, 50, 25.0).points == 5.0


def test_update_compliance_and_the_share_of_communes(known):
    result = update_compliance()
    rows = {r.agency.pk: r for r in result["rows"]}
    assert rows[known.a.pk].overdue_open == 1 and not rows[known.a.pk].complies  # a2, due 10/01/2025
    assert rows[known.b.pk].overdue_open == 0 and rows[known.b.pk].complies
    communes = [r for r in result["rows"] if r.agency.kind in ("commune", "ward", "special_zone")]
    ok = sum(r.complies for r in communes)
    assert (result["communes"], result["communes_complying"]) == (len(communes), ok)
    assert result["share"] == round(ok * 100 / len(communes), 2)
