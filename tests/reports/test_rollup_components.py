"""Digitisation and reuse inputs: the desk writes each dossier's component counts on its public index
row (index_values / sync_index), the trigger rolls them up by received month exactly as a rebuild
does, and the Decision 766 rates read them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from shared_apps.reports.indicators import indicators_766
from shared_apps.reports.periods import Period
from shared_apps.reports.selectors import ii06a
from shared_apps.tracking.models import DossierIndex
from tests.dossiers.conftest import desk, receive  # noqa: F401  (the desk fixture)

from .conftest import at

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def counts(dossier, agency):
    return (
        DossierIndex.objects.filter(agency=agency, dossier_id=dossier.pk)
        .values_list("components_total", "components_digitised", "components_reused")
        .get()
    )


def test_the_desk_writes_the_component_counts_on_the_index_row(desk):  # noqa: F811
    from tenant_apps.dossiers.services import dossier_component_attach

    # 3 components: the form digitised and reused, the birth certificate provided on paper
    d = receive(
        desk, components={1: {"provided": True, "digitised": True, "reused": True}, 2: {"provided": True}}
    )
    assert counts(d, desk.agency) == (3, 1, 1)
    dossier_component_attach(
        agency=desk.agency,
        dossier=d,
        position=2,
        acting_user=desk.receiving_officer,
        upload=SimpleUploadedFile("giay-chung-sinh.pdf", PDF, "application/pdf"),
    )
    assert counts(d, desk.agency) == (3, 2, 1)  # the scan makes it digitised, written at once
    every = receive(desk, components={p: {"provided": True, "digitised": True} for p in (1, 2, 3)})
    assert counts(every, desk.agency) == (3, 3, 0)
    month = Period.current_year()
    fig = ii06a(period=month, agency_ids=[desk.agency.pk]).totals
    # received this year: d (2 of 3 digitised) and `every` (all 3): one fully digitised; 6 components, 1 reused
    assert (
        fig.received_in_period,
        fig.received_digitised,
        fig.components_received,
        fig.components_reused,
    ) == (2, 1, 6, 1)
    call_command("reports_rebuild", "--check")


def test_component_changes_move_between_months_like_a_rebuild(known):
    rows = known.rows
    DossierIndex.objects.filter(pk=rows["a3"].pk).update(
        components_total=3, components_digitised=3, components_reused=2
    )
    DossierIndex.objects.filter(pk=rows["a4"].pk).update(components_total=2, components_digitised=1)
    # a component digitised later, a dossier whose receipt moves to another month, one not received
    DossierIndex.objects.filter(pk=rows["a4"].pk).update(components_digitised=2)
    DossierIndex.objects.filter(pk=rows["a3"].pk).update(received_at=at(2025, 2, 20))
    DossierIndex.objects.filter(pk=rows["a10"].pk).update(components_total=5, components_digitised=5)
    call_command("reports_rebuild", "--check")  # raises when the trigger-kept roll-ups differ
    with connection.cursor() as cur:
        cur.execute(
            "SELECT month, sum(received_digitised), sum(components_received), sum(components_reused) "
            "FROM public.reports_flow_agency WHERE agency_id = %s GROUP BY 1 "
            "HAVING sum(components_received) > 0 ORDER BY 1",
            [known.a.pk],
        )
        assert cur.fetchall() == [(at(2025, 2, 1).date(), 2, 5, 2)]  # a3 and a4, both received in February


def test_digitisation_and_reuse_rates_with_known_numbers(known):
    """A, Q1 2025, 7 dossiers received (a3-a9):
      a3 3 components, 3 digitised, 2 reused     fully digitised
      a4 2 components, 1 digitised               not fully
      a5 2 components, 2 digitised, 2 reused     fully digitised
      a8 1 component,  1 digitised               fully digitised
      a6, a7, a9 no component recorded           not digitised
      a1 (received in December 2024) 4 of 4 digitised, 4 reused: not in the period
    digitisation = 3 ÷ 7 = 42.86 % → 11 × 42.86 / 100 = 4.71 points;
    reuse = (2 + 2) ÷ (3 + 2 + 2 + 1) = 4 ÷ 8 = 50 % → 5.5 points."""
    for name, (total, digitised, reused) in {
        "a3": (3, 3, 2),
        "a4": (2, 1, 0),
        "a5": (2, 2, 2),
        "a8": (1, 1, 0),
        "a1": (4, 4, 4),
    }.items():
        DossierIndex.objects.filter(pk=known.rows[name].pk).update(
            components_total=total, components_digitised=digitised, components_reused=reused
        )
    got = {
        i.code: i
        for i in indicators_766(
            period=Period.quarter(2025, 1), agency_ids=[known.a.pk], with_processing=False
        )["indicators"]
    }
    d, r = got["digitisation"], got["reuse"]
    assert (d.numerator, d.denominator, d.value, d.points, d.missing) == (3, 7, 42.86, 4.71, "")
    assert (r.numerator, r.denominator, r.value, r.points, r.missing) == (4, 8, 50.0, 5.5, "")
    # B received b1 with no component recorded: 0 %, and no component to reuse: no value
    got_b = {
        i.code: i
        for i in indicators_766(
            period=Period.quarter(2025, 1), agency_ids=[known.b.pk], with_processing=False
        )["indicators"]
    }
    assert (got_b["digitisation"].value, got_b["digitisation"].points) == (0.0, 0.0)
    assert got_b["reuse"].value is None and got_b["reuse"].points is None and got_b["reuse"].missing
