"""A merger while a dossier is at another agency (liên thông): the other agency's pointers follow the
dossier to the successor, so the hand-back lands there."""

import pytest
from django.db import connection

from shared_apps.tracking.models import DossierIndex
from shared_apps.tracking.selectors import dossier_lookup
from tenant_apps.dossiers.models import Dossier
from tenant_apps.dossiers.services.handover import schema_of
from tenants.merge import agencies_merge
from tenants.models import Agency
from tests.interagency.conftest import receive_land, two  # noqa: F401 (the fixture)
from tests.interagency.test_handover import department_decides, hand_over

pytestmark = pytest.mark.django_db


def test_a_dossier_at_the_department_comes_back_to_the_successor_of_the_merged_commune(two, city):  # noqa: F811
    d = receive_land(two)
    hand_over(two, d)
    connection.set_schema_to_public()
    report = agencies_merge(
        sources=["xa-lien-thong"],
        target=None,
        acting_user=city.city_admin,
        new_agency={
            "name": "Xã Kế Thừa",
            "slug": "xa-ke-thua",
            "kind": "commune",
            "national_code": "000.94.05.H31",
        },
    )
    assert report.sources[0].carried_by_state == {"handed_over": 1}
    successor = Agency.objects.get(slug="xa-ke-thua")
    with schema_of(successor):
        carried = Dossier.objects.get(code=d.code)
    with schema_of(two.department.agency):
        at_department = Dossier.objects.get(code=d.code)
    assert (at_department.origin_agency_id, at_department.origin_dossier_id) == (successor.pk, carried.pk)
    assert (carried.handed_to_agency_id, carried.handed_to_dossier_id) == (
        two.department.agency.pk,
        at_department.pk,
    )
    row = DossierIndex.objects.get(code=d.code)
    assert row.agency_id == two.department.agency.pk and row.origin_agency_id == successor.pk

    department_decides(two)
    connection.set_schema_to_public()
    with schema_of(successor):
        back = Dossier.objects.get(code=d.code)
        assert back.state == "finished" and back.result_number == "GCN-0001"
    with schema_of(two.commune.agency):
        assert Dossier.objects.get(code=d.code).state == "handed_over"  # the old record, untouched
    found = dossier_lookup(code=d.code)
    assert found.entry.agency.name == "Xã Kế Thừa"
