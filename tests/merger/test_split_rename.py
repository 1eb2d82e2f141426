"""Renames (old path redirects, old codes resolve) and moves of chosen dossiers between agencies."""

import pytest
from django.db import connection

from core.errors import DomainError
from shared_apps.tracking.models import DossierIndex
from shared_apps.tracking.selectors import dossier_lookup
from tenant_apps.dossiers.models import Dossier
from tenants.directory import directory
from tenants.models import Agency, AgencyEvent, DossierTransfer
from tenants.services import agency_onboard
from tenants.split import agency_rename, dossier_location, dossiers_move

from .conftest import history

pytestmark = pytest.mark.django_db


def test_a_renamed_agency_answers_at_its_new_path_and_redirects_the_old_one(communes, city, client):
    xa_mot = communes.agencies[0]
    codes = [d.code for d in communes.dossiers["xa-mot"].values() if d.code]
    renamed = agency_rename(agency=xa_mot, name="Phường Một", slug="phuong-mot", acting_user=city.city_admin)
    assert renamed.slug == "phuong-mot" and renamed.schema_name == xa_mot.schema_name
    event = AgencyEvent.objects.get(agency=xa_mot, action="renamed")
    assert event.old_values["slug"] == "xa-mot" and event.new_values["name"] == "Phường Một"
    directory.invalidate_local()
    assert directory.by_slug("phuong-mot").pk == xa_mot.pk and directory.by_slug("xa-mot") is None

    response = client.get("/xa-mot/ho-so/?trang=2")
    assert response.status_code == 301 and response["Location"] == "/phuong-mot/ho-so/?trang=2"
    with pytest.raises(DomainError):  # nobody else may take the old path
        agency_onboard(
            name="Xã Khác",
            slug="xa-mot",
            kind="commune",
            national_code="000.94.06.H31",
            acting_user=city.city_admin,
        )
    for code in codes:
        found = dossier_lookup(code=code)
        assert found is not None and DossierIndex.objects.get(code=code).agency_id == xa_mot.pk


def test_a_rename_refuses_a_path_another_agency_uses(communes, city):
    with pytest.raises(DomainError):
        agency_rename(agency=communes.agencies[0], name="Xã Một", slug="xa-hai", acting_user=city.city_admin)
    agency_rename(
        agency=communes.agencies[1], name="Xã Hai Mới", slug="xa-hai-moi", acting_user=city.city_admin
    )
    with pytest.raises(DomainError):  # the old path of xa-hai still redirects there
        agency_rename(agency=communes.agencies[0], name="Xã Một", slug="xa-hai", acting_user=city.city_admin)
    with pytest.raises(DomainError):
        agency_rename(agency=communes.agencies[0], name="Xã Một", acting_user=communes.shared)


def test_moving_chosen_dossiers_keeps_their_code_history_and_look_up(communes, city):
    xa_mot, xa_hai, _xa_ba = communes.agencies
    chosen = [communes.dossiers["xa-mot"]["in_appraisal"], communes.dossiers["xa-mot"]["returned"]]
    before = history(xa_mot)
    moved = dossiers_move(
        source=xa_mot,
        target=xa_hai,
        dossier_ids=[d.pk for d in chosen],
        acting_user=city.city_admin,
        reason="Điều chỉnh địa giới thôn 3",
    )
    assert moved == 2
    after = history(xa_hai)
    for d in chosen:
        assert after[d.code][:-1] == before[d.code]
        assert after[d.code][-1][1] == "transfer_in"
        assert after[d.code][-1][4] == "Chuyển từ Xã Một: Điều chỉnh địa giới thôn 3"
        found = dossier_lookup(code=d.code)
        assert (
            DossierIndex.objects.get(code=d.code).agency_id == xa_hai.pk
            and found.events[-1]["agency"] == "Xã Hai"
        )
        where, new_id = dossier_location(agency=xa_mot, dossier_id=d.pk)
        assert where == xa_hai and DossierIndex.objects.get(code=d.code).dossier_id == new_id
    connection.set_tenant(xa_mot)
    assert Dossier.objects.filter(pk__in=[d.pk for d in chosen]).count() == 2  # the old rows stay
    connection.set_schema_to_public()
    with pytest.raises(DomainError):  # already moved away
        dossiers_move(source=xa_mot, target=xa_hai, dossier_ids=[chosen[0].pk], acting_user=city.city_admin)
    assert DossierTransfer.objects.filter(source_agency=xa_mot).count() == 2
    assert AgencyEvent.objects.filter(agency=xa_hai, action="dossiers_moved_in").exists()


def test_a_move_then_a_merger_follows_the_dossier_and_carries_nothing_twice(communes, city):
    from tenants.merge import agencies_merge

    xa_mot, xa_hai, xa_ba = communes.agencies
    d = communes.dossiers["xa-mot"]["received"]
    dossiers_move(source=xa_mot, target=xa_hai, dossier_ids=[d.pk], acting_user=city.city_admin)
    report = agencies_merge(sources=["xa-mot", "xa-hai"], target="xa-ba", acting_user=city.city_admin)
    assert report.sources[0].carried == 6  # its 7 open dossiers minus the one moved before
    where, new_id = dossier_location(agency=xa_mot, dossier_id=d.pk)
    assert where == xa_ba
    assert dossier_lookup(code=d.code).entry.agency.name == "Xã Ba"
    assert DossierIndex.objects.get(code=d.code).dossier_id == new_id
    actions = [e["label"] for e in dossier_lookup(code=d.code).events]
    assert len([a for a in actions if a == actions[-1]]) == 2  # two transfers on the public timeline
    assert Agency.objects.get(pk=xa_hai.pk).successor_id == xa_ba.pk


def test_a_move_that_fails_writes_nothing(communes, city):
    xa_mot, xa_hai, _ = communes.agencies
    d = communes.dossiers["xa-mot"]["in_appraisal"]
    before = history(xa_hai)
    with pytest.raises(DomainError):
        dossiers_move(source=xa_mot, target=xa_hai, dossier_ids=[d.pk, 999999], acting_user=city.city_admin)
    assert history(xa_hai) == before and not DossierTransfer.objects.exists()
