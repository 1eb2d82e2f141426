"""A known set of index rows for the reports: agencies A (ward) and B (commune) of the `city` fixture,
first quarter of 2025 (a closed period: every figure is exact). Written straight into the public
index (the triggers feed the roll-ups); one test also goes through the desk services."""

from datetime import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from shared_apps.catalogue.models import Procedure, Sector
from shared_apps.tracking.models import DossierIndex


def at(y, m, d, h=12):
    return timezone.make_aware(datetime(y, m, d, h))


@pytest.fixture
def procedures(db):
    sector = Sector.objects.get_or_create(code="bao-cao-thu", defaults={"name": "Lĩnh vực thử"})[0]
    p1 = Procedure.objects.get_or_create(
        national_code="9.000001", defaults={"name": "Thủ tục một", "sector": sector}
    )[0]
    p2 = Procedure.objects.get_or_create(
        national_code="9.000002", defaults={"name": "Thủ tục hai", "sector": sector}
    )[0]
    return SimpleNamespace(p1=p1, p2=p2, sector=sector)


@pytest.fixture
def known(city, procedures):
    """Agency A (ward), Q1 2025 = [01/01/2025, 01/04/2025):
      a1  in person, received 10/12/2024, finished 05/01 on time            carried over, settled on time
      a2  online, received 20/12/2024, still being processed, due 10/01     carried over, in progress overdue
      a3  online, received 15/01, finished 20/01 early
      a4  in person, received 01/02, finished 25/02 late, 2 supplements (P2)
      a5  post, received 10/02, finished 05/03 on time but 2 supplements    on time for II.06a, late for 766
      a6  online, received 01/03, withdrawn 10/03                            closed without a result
      a7  in person, received 20/03, due 28/03, finished 10/04 late (P2)    in progress overdue at 01/04
      a8  online, received 25/03, due 15/04, finished 12/04 on time         in progress within time at 01/04
      a9  in person, received 28/03, supplement requested (paused), due 01/05  within time
      a10 online, not accepted (no received_at)                             nowhere
      a11 in person, received 05/04                                         after the period
    Commune B:
      b1  in person, received 10/01, finished 12/01 early
      b2  in person, received 01/11/2024, stopped 01/02                     carried over, closed
    """
    serial = iter(range(1, 1000))
    rows = {}

    def row(name, agency, procedure=procedures.p1, updated=None, **values):
        base = dict(
            agency=agency,
            dossier_id=next(serial),
            procedure=procedure,
            procedure_name=procedure.name,
            state="received",
            national_status=2,
            channel="in_person",
            code=f"BC-{name}",
        )
        base.update(values)
        obj = DossierIndex.objects.create(**base)
        if updated:
            DossierIndex.objects.filter(pk=obj.pk).update(updated_at=updated)
        rows[name] = obj
        return obj

    a, b = city.a, city.b
    done = dict(state="returned", national_status=10)
    row(
        "a1",
        a,
        received_at=at(2024, 12, 10),
        due_at=at(2025, 1, 6),
        finished_at=at(2025, 1, 5),
        timeliness="on_time",
        **done,
    )
    row(
        "a2",
        a,
        channel="online",
        received_at=at(2024, 12, 20),
        due_at=at(2025, 1, 10),
        state="in_appraisal",
        national_status=4,
    )
    row(
        "a3",
        a,
        channel="online",
        received_at=at(2025, 1, 15),
        due_at=at(2025, 1, 22),
        finished_at=at(2025, 1, 20),
        timeliness="early",
        **done,
    )
    row(
        "a4",
        a,
        procedure=procedures.p2,
        received_at=at(2025, 2, 1),
        due_at=at(2025, 2, 20),
        finished_at=at(2025, 2, 25),
        timeliness="late",
        supplement_count=2,
        **done,
    )
    row(
        "a5",
        a,
        channel="post",
        received_at=at(2025, 2, 10),
        due_at=at(2025, 3, 5),
        finished_at=at(2025, 3, 5, 9),
        timeliness="on_time",
        supplement_count=2,
        state="finished",
        national_status=9,
    )
    row(
        "a6",
        a,
        channel="online",
        received_at=at(2025, 3, 1),
        due_at=at(2025, 3, 8),
        state="withdrawn",
        national_status=7,
        updated=at(2025, 3, 10),
    )
    row(
        "a7",
        a,
        procedure=procedures.p2,
        received_at=at(2025, 3, 20),
        due_at=at(2025, 3, 28),
        finished_at=at(2025, 4, 10),
        timeliness="late",
        **done,
    )
    row(
        "a8",
        a,
        channel="online",
        received_at=at(2025, 3, 25),
        due_at=at(2025, 4, 15),
        finished_at=at(2025, 4, 12),
        timeliness="on_time",
        **done,
    )
    row(
        "a9",
        a,
        received_at=at(2025, 3, 28),
        due_at=at(2099, 5, 1),
        state="supplement_requested",
        national_status=5,
        is_paused=True,
        supplement_count=1,
    )
    row("a10", a, channel="online", state="new", national_status=1, code=None)
    row(
        "a11",
        a,
        received_at=at(2025, 4, 5),
        due_at=at(2025, 4, 9),
        finished_at=at(2025, 4, 8),
        timeliness="early",
        **done,
    )
    row(
        "b1",
        b,
        received_at=at(2025, 1, 10),
        due_at=at(2025, 1, 13),
        finished_at=at(2025, 1, 12),
        timeliness="early",
        **done,
    )
    row(
        "b2",
        b,
        received_at=at(2024, 11, 1),
        due_at=at(2024, 11, 20),
        state="stopped",
        national_status=8,
        updated=at(2025, 2, 1),
    )
    return SimpleNamespace(rows=rows, a=a, b=b, p=procedures)
