"""Issue #21, item 8: bad input on a page is answered with a clear Vietnamese message, never a
server error."""

import pytest

from tenant_apps.dossiers.models import Dossier

pytestmark = pytest.mark.django_db


def intake(client, desk, **values):
    client.force_login(desk.receiving_officer)
    data = {
        "procedure": "1.001193",
        "applicant_name": "Trần Thị Bình",
        "provided_1": "on",
        "provided_2": "on",
        "channel": "in_person",
        "sets": "1",
        "outcome": "receive",
        **values,
    }
    return client.post(f"/{desk.agency.slug}/ho-so/tiep-nhan/", data)


@pytest.mark.parametrize("sets", ["abc", "1e3", "100000", "-1", "0", "2.5"])
def test_the_number_of_sets_at_the_counter_must_be_a_small_whole_number(client, desk, sets):
    response = intake(client, desk, sets=sets)
    assert response.status_code == 400
    assert "Số bộ hồ sơ" in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_blank_number_of_sets_means_one(client, desk):
    assert intake(client, desk, sets="").status_code == 302
    assert Dossier.objects.get().sets == 1


@pytest.mark.parametrize("email", ["khong-phai-thu", "a@b", "an@@example.vn", "x" * 300 + "@example.vn"])
def test_an_invalid_email_at_the_counter_is_refused(client, desk, email):
    response = intake(client, desk, applicant_email=email)
    assert response.status_code == 400
    assert "thư điện tử không hợp lệ" in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_valid_email_at_the_counter_is_kept_lower_cased(client, desk):
    assert intake(client, desk, applicant_email=" An@Example.VN ").status_code == 302
    assert Dossier.objects.get().applicant_email == "an@example.vn"


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        ("01/01/0001", "31/12/9999"),
        ("31/12/9999", "31/12/9999"),
        ("01/01/0001", "01/01/0001"),
        ("02/02/2025", "01/01/2025"),
    ],
)
def test_the_logbook_refuses_dates_out_of_range_with_a_message(client, desk, date_from, date_to):
    client.force_login(desk.receiving_officer)
    response = client.get(f"/{desk.agency.slug}/ho-so/so-theo-doi.xlsx", {"tu": date_from, "den": date_to})
    assert response.status_code == 400
    assert "ngày" in response.content.decode().lower()


def test_the_logbook_of_a_valid_period_downloads(client, desk):
    client.force_login(desk.receiving_officer)
    response = client.get(
        f"/{desk.agency.slug}/ho-so/so-theo-doi.xlsx", {"tu": "01/01/2025", "den": "31/12/2025"}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")


def test_an_invalid_email_in_a_draft_is_refused_with_a_message(client, desk, in_agency):
    from django.db import connection

    from shared_apps.accounts.models import User
    from shared_apps.catalogue.models import Procedure
    from shared_apps.submissions import services

    citizen = User.objects.create_user(username="cd_email", password="x", full_name="Trần Thị Bình")
    connection.set_schema_to_public()
    draft = services.draft_create(
        procedure=Procedure.objects.get(national_code="1.001193"), agency=desk.agency, acting_user=citizen
    )
    client.force_login(citizen)
    response = client.post(
        f"/nop-truc-tuyen/nhap/{draft.pk}/", {"nguoi-nop-email": "khong-phai-thu", "hanh-dong": "luu"}
    )
    assert response.status_code == 400 and "thư điện tử không hợp lệ" in response.content.decode()
    draft.refresh_from_db()
    assert draft.applicant["email"] == ""
