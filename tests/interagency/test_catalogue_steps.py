"""A process step performed by another agency: imported, exported and shipped in the starter data."""

import csv
import io

import pytest

from shared_apps.catalogue.io import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    ImportFailed,
    catalogue_export_csv,
    catalogue_import,
)
from shared_apps.catalogue.models import ProcessStep
from tests.catalogue.test_import import GOOD

pytestmark = pytest.mark.django_db

STEPS = (
    "receive | Tiếp nhận | receiving_officer | 10\n"
    "decide | Sở quyết định | leader | 70 | department\n"
    "tax | Cơ quan thuế xác định nghĩa vụ | specialist | 10 | 000.00.31.H31\n"
    "return | Trả kết quả | receiving_officer | 10"
)


def csv_bytes(rows):
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS + OPTIONAL_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def test_the_performing_agency_of_a_step_is_imported_and_exported():
    catalogue_import(data=csv_bytes([{**GOOD, "quy_trinh": STEPS}]), filename="lt.csv", acting_user=None)
    steps = list(ProcessStep.objects.filter(version__procedure__national_code=GOOD["ma_thu_tuc"]))
    assert [s.agency for s in steps] == ["", "department", "000.00.31.H31", ""]
    exported = list(csv.DictReader(io.StringIO(catalogue_export_csv())))
    assert exported[0]["quy_trinh"].splitlines()[1] == "decide | Sở quyết định | leader | 70 | department"
    # the same file again changes nothing (the agency is part of what is compared)
    report = catalogue_import(
        data=csv_bytes([{**GOOD, "quy_trinh": STEPS}]), filename="lt.csv", acting_user=None
    )
    assert report.unchanged == [GOOD["ma_thu_tuc"]] and not report.created and not report.updated


def test_an_unknown_performing_agency_is_reported_with_its_row():
    bad = STEPS.replace("| department", "| sở nào đó")
    with pytest.raises(ImportFailed) as info:
        catalogue_import(data=csv_bytes([{**GOOD, "quy_trinh": bad}]), filename="lt.csv", acting_user=None)
    assert "Cơ quan thực hiện bước “decide”" in str(info.value.errors)
    assert not ProcessStep.objects.filter(version__procedure__national_code=GOOD["ma_thu_tuc"]).exists()


def test_the_starter_catalogue_ships_the_inter_agency_steps():
    from django.core.management import call_command

    call_command("import_catalogue")
    land = ProcessStep.objects.get(version__procedure__national_code="1.013978", agency="department")
    assert land.share == 40
    assert ProcessStep.objects.filter(version__procedure__national_code="1.115797", agency="city").exists()
