"""Regressions of issue #21, items 1, 4, 5 and 6: each request below was answered (201, 200, or with a
person's name) before the rule was checked in the service that performs the action."""

import pytest
from django.db import connection

from core.errors import PermissionRefused
from shared_apps.accounts.models import User
from shared_apps.tracking.models import DossierIndex
from tenant_apps.dossiers import services as s
from tenant_apps.dossiers.models import Dossier
from tenant_apps.dossiers.services.handover import schema_of
from tests.dossiers.conftest import APPLICANT, receive

pytestmark = pytest.mark.django_db

COMPONENTS = [{"position": 1, "provided": True, "digitised": True}, {"position": 2, "provided": True}]


def _counter(agency):
    with schema_of(agency), connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(last), 0) FROM dossiers_codecounter")
        return cursor.fetchone()[0]


def test_a_desk_cannot_write_into_a_communes_queue_by_naming_it_the_deciding_agency(client, two):
    """Item 1: receipt on behalf is for the departments and the city only (the page's rule)."""
    department, commune = two.department, two.commune
    with schema_of(commune.agency):
        before = Dossier.objects.count()
    counter = _counter(commune.agency)
    client.force_login(department.receiving_officer)
    response = client.post(
        f"/{department.agency.slug}/api/v1/dossiers/",
        {
            "procedure": "1.013978",
            "applicant": APPLICANT,
            "components": COMPONENTS,
            "deciding_agency": commune.agency.slug,
        },
        content_type="application/json",
    )
    assert response.status_code in (400, 403), response.content
    with schema_of(commune.agency):
        assert Dossier.objects.count() == before
    assert _counter(commune.agency) == counter  # no code number used up
    assert not DossierIndex.objects.filter(agency_id=commune.agency.pk).exists()


@pytest.mark.parametrize("role", ["specialist", "leader", "unit_head", "agency_admin"])
def test_only_a_receiving_officer_registers_at_the_desk_whatever_the_channel(client, desk, role):
    """Item 4: `channel="online"` skipped the receiving-officer check."""
    user = getattr(desk, role)
    before = Dossier.objects.count()
    client.force_login(user)
    for channel in ("online", "in_person"):
        response = client.post(
            f"/{desk.agency.slug}/api/v1/dossiers/",
            {
                "procedure": "1.001193",
                "channel": channel,
                "applicant": APPLICANT,
                "components": COMPONENTS,
                "register_only": True,
            },
            content_type="application/json",
        )
        assert response.status_code == 403, (channel, response.content)
        with pytest.raises(PermissionRefused):
            s.dossier_register(
                agency=desk.agency,
                procedure="1.001193",
                applicant=APPLICANT,
                channel=channel,
                acting_user=user,
            )
    assert Dossier.objects.count() == before


def test_assigning_as_the_wrong_role_reveals_no_account(client, desk):
    """Item 5: the named specialist was looked up before the caller's role was checked."""
    citizen = User.objects.create_user(username="cong_dan_x", password="x", full_name="Trần Thị Bí Mật")
    dossier = receive(desk)
    client.force_login(desk.receiving_officer)
    url = f"/{desk.agency.slug}/api/v1/dossiers/{dossier.pk}/assign/"
    answers = []
    for username in (citizen.username, "khong-ton-tai", "desk_specialist"):
        response = client.post(url, {"specialist": username}, content_type="application/json")
        assert response.status_code == 403, (username, response.content)
        assert "Bí Mật" not in response.content.decode()
        answers.append(response.json())
    assert answers[0] == answers[1] == answers[2]  # nothing tells the accounts apart
    with pytest.raises(PermissionRefused) as info:
        s.dossier_assign(
            agency=desk.agency, dossier=dossier, specialist=citizen, acting_user=desk.receiving_officer
        )
    assert "Bí Mật" not in info.value.message


def test_a_unit_head_naming_a_non_member_is_not_told_who_it_is(client, desk):
    """Item 5, allowed role: an account that is not a specialist here answers like an unknown one."""
    User.objects.create_user(username="cong_dan_y", password="x", full_name="Phạm Văn Kín")
    dossier = receive(desk)
    client.force_login(desk.unit_head)
    url = f"/{desk.agency.slug}/api/v1/dossiers/{dossier.pk}/assign/"
    citizen = client.post(url, {"specialist": "cong_dan_y"}, content_type="application/json")
    unknown = client.post(url, {"specialist": "cong_dan_z"}, content_type="application/json")
    assert citizen.status_code == unknown.status_code == 400
    assert "Kín" not in citizen.content.decode()
    assert citizen.content.decode().replace("cong_dan_y", "?") == unknown.content.decode().replace(
        "cong_dan_z", "?"
    )


@pytest.mark.parametrize("role", ["receiving_officer", "specialist"])
def test_the_reports_api_refuses_the_roles_the_reports_page_refuses(client, desk, role):
    """Item 6: the dashboard's API answered every staff role; the page only leaders."""
    client.force_login(getattr(desk, role))
    base = f"/{desk.agency.slug}"
    assert client.get(f"{base}/thong-ke/").status_code == 403
    for name in ("dashboard/", "ii06a/", "indicators/", "dossiers/?column=received_total"):
        response = client.get(f"{base}/api/v1/reports/{name}")
        assert response.status_code == 403, (name, response.content[:200])
