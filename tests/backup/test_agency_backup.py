"""Per-agency backup and restore: every row of the agency's schema and of its shared rows comes back
exactly; anything that does not fit is refused and changes nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection

from core.errors import DomainError
from tenants.backup import _tables, agency_backup, agency_restore, public_tables_of_agency
from tests.dossiers.conftest import receive

pytestmark = pytest.mark.django_db


def _rows(agency):
    """Every row the agency owns, table by table, in primary-key order."""
    out = {}
    with connection.cursor() as cursor:
        for table in _tables(cursor, agency.schema_name):
            cursor.execute(f'SELECT * FROM "{agency.schema_name}"."{table}" ORDER BY 1')
            out[f"schema.{table}"] = cursor.fetchall()
        for pt in public_tables_of_agency(cursor):
            cursor.execute(f'SELECT * FROM public."{pt.table}" WHERE {pt.rows_of(agency)} ORDER BY 1')
            out[f"public.{pt.table}"] = cursor.fetchall()
    return out


@pytest.fixture
def busy(desk):
    from tenant_apps.dossiers.services import dossier_assign

    first = receive(desk)
    receive(desk, applicant={"name": "Trần Thị Bình", "phone": "0987654321"})
    dossier_assign(agency=desk.agency, dossier=first, specialist=desk.specialist, acting_user=desk.unit_head)
    return desk


def test_restore_into_the_emptied_agency_gives_back_every_row(busy):
    agency = busy.agency
    before = _rows(agency)
    assert before["schema.dossiers_dossier"] and before["public.tracking_dossierindex"]
    assert before["public.accounts_membership"]
    backup = io.BytesIO()
    agency_backup(agency=agency, out=backup, acting_user=None)

    receive(busy, applicant={"name": "Sau Sao Lưu"})  # a change after the backup, lost on restore
    assert _rows(agency) != before

    agency_restore(agency=agency, source=io.BytesIO(backup.getvalue()), acting_user=None, wipe=True)
    after = _rows(agency)
    assert after.keys() == before.keys()
    for table in before:
        if table == "public.tenants_agencyevent":
            continue  # the restore records itself
        assert after[table] == before[table], table
    assert [e for e in after["public.tenants_agencyevent"] if "restored" in e]


def test_restore_recreates_a_lost_schema(busy):
    agency = busy.agency
    before = _rows(agency)
    backup = io.BytesIO()
    agency_backup(agency=agency, out=backup, acting_user=None)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # this test's own pending checks first
        cursor.execute(f'DROP SCHEMA "{agency.schema_name}" CASCADE')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    connection.set_schema_to_public()
    agency_restore(agency=agency, source=io.BytesIO(backup.getvalue()), acting_user=None, wipe=True)
    after = _rows(agency)
    assert after["schema.dossiers_dossier"] == before["schema.dossiers_dossier"]
    assert after["schema.dossiers_dossierevent"] == before["schema.dossiers_dossierevent"]


def test_restore_refuses_an_agency_that_holds_data_without_wipe(busy):
    backup = io.BytesIO()
    agency_backup(agency=busy.agency, out=backup, acting_user=None)
    receive(busy, applicant={"name": "Đang Có"})
    before = _rows(busy.agency)
    with pytest.raises(DomainError) as refused:
        agency_restore(agency=busy.agency, source=io.BytesIO(backup.getvalue()), acting_user=None)
    assert refused.value.code == "not_empty"
    assert _rows(busy.agency) == before


def test_a_tampered_backup_is_refused_and_changes_nothing(busy):
    backup = io.BytesIO()
    agency_backup(agency=busy.agency, out=backup, acting_user=None)
    tampered = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(backup.getvalue())) as src, zipfile.ZipFile(tampered, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "schema/dossiers_dossier.csv":
                data = data.replace("Nguyễn Văn An".encode(), "Kẻ Giả Mạo".encode())
            dst.writestr(item, data)
    receive(busy, applicant={"name": "Còn Nguyên"})
    before = _rows(busy.agency)
    with pytest.raises(DomainError) as refused:
        agency_restore(
            agency=busy.agency, source=io.BytesIO(tampered.getvalue()), acting_user=None, wipe=True
        )
    assert refused.value.code == "verify_failed"
    assert _rows(busy.agency) == before


def test_a_backup_cannot_be_restored_into_another_agency(busy, city):
    backup = io.BytesIO()
    agency_backup(agency=busy.agency, out=backup, acting_user=None)
    with pytest.raises(DomainError, match="không phải của cơ quan đã chọn"):
        agency_restore(agency=city.b, source=io.BytesIO(backup.getvalue()), acting_user=None, wipe=True)


def test_only_a_city_admin_may_back_up_or_restore(busy, city):
    from core.errors import PermissionRefused

    with pytest.raises(PermissionRefused):
        agency_backup(agency=busy.agency, out=io.BytesIO(), acting_user=city.officer_a)


def test_commands_round_trip_through_a_file(busy, tmp_path):
    path = tmp_path / "agency.zip"
    out = io.StringIO()
    call_command("backup_agency", busy.agency.slug, str(path), stdout=out)
    assert "2 rows" not in out.getvalue() and "Backed up" in out.getvalue()
    before = _rows(busy.agency)
    receive(busy, applicant={"name": "Sẽ Mất"})
    call_command("restore_agency", busy.agency.slug, str(path), "--wipe", stdout=out)
    assert _rows(busy.agency)["schema.dossiers_dossier"] == before["schema.dossiers_dossier"]
