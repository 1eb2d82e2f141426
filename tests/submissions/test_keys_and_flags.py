"""Issue #21, items 2 and 7: a submission's idempotency key belongs to the citizen who sent it (and
a draft's key is the server's, out of the clients' reach), and a component counts as provided or
digitised online only with its file."""

import pytest
from django.db import connection

from core.errors import DomainError
from shared_apps.catalogue.models import Procedure
from shared_apps.submissions import services
from shared_apps.submissions.models import DraftStatus
from tenant_apps.dossiers.models import Channel, Dossier
from tests.dossiers.conftest import APPLICANT

from .conftest import pdf

pytestmark = pytest.mark.django_db


def submission(agency, key, components=()):
    return {
        "agency": agency.slug,
        "procedure": "1.001193",
        "applicant": APPLICANT,
        "components": list(components),
        "idempotency_key": key,
    }


def post(client, body):
    return client.post("/api/v1/submissions/", body, content_type="application/json")


def draft_with_files(desk, citizen):
    connection.set_schema_to_public()
    draft = services.draft_create(
        procedure=Procedure.objects.get(national_code="1.001193"), agency=desk.agency, acting_user=citizen
    )
    for position in (1, 2):
        services.draft_attach(draft=draft, position=position, upload=pdf(), acting_user=citizen)
    return draft


def test_another_citizen_cannot_block_a_draft_by_sending_its_key_first(client, desk, citizen, other_citizen):
    draft = draft_with_files(desk, citizen)
    client.force_login(other_citizen)
    # the key a draft used to be submitted with, and the key it is submitted with now
    for key in (f"nhap-truc-tuyen-{draft.pk:08d}", draft.idempotency_key):
        post(client, submission(desk.agency, key))
    connection.set_schema_to_public()
    draft, created = services.draft_submit(draft=draft, acting_user=citizen)
    assert created and draft.status == DraftStatus.SUBMITTED
    connection.set_tenant(desk.agency)
    dossier = Dossier.objects.get(pk=draft.dossier_id)
    assert dossier.owner_user_id == citizen.pk and dossier.components.get(position=1).file


def test_a_drafts_key_is_out_of_the_clients_reach(client, desk, citizen):
    draft = draft_with_files(desk, citizen)
    client.force_login(citizen)
    response = post(client, submission(desk.agency, draft.idempotency_key))
    assert response.status_code == 400 and response.json()["field"] == "idempotency_key"


def test_two_citizens_may_choose_the_same_key_and_each_gets_a_dossier(client, desk, citizen, other_citizen):
    made = []
    for user in (citizen, other_citizen):
        client.force_login(user)
        response = post(client, submission(desk.agency, "lan-nop-0001"))
        assert response.status_code == 201, response.content
        made.append(response.json()["id"])
        again = post(client, submission(desk.agency, "lan-nop-0001"))
        assert again.status_code == 200 and again.json()["id"] == made[-1]
    assert made[0] != made[1]


@pytest.mark.parametrize("flag", ["provided", "digitised"])
def test_the_api_refuses_a_component_marked_provided_without_its_file(client, desk, citizen, flag):
    client.force_login(citizen)
    response = post(client, submission(desk.agency, "co-co-0001", [{"position": 1, flag: True}]))
    assert response.status_code == 400 and response.json()["field"] == "components"
    assert "tệp" in response.json()["detail"]
    connection.set_tenant(desk.agency)
    assert not Dossier.objects.exists()


def test_the_desk_cannot_accept_an_online_dossier_whose_components_have_no_file(desk, citizen):
    from tenant_apps.dossiers.services import dossier_accept, dossier_submit_online

    dossier, _created = dossier_submit_online(
        agency=desk.agency,
        procedure="1.001193",
        applicant=APPLICANT,
        components={},
        acting_user=citizen,
        idempotency_key="khong-tep-0001",
    )
    connection.set_tenant(desk.agency)
    # flags set without files (as the API let them be before): they do not make the dossier complete
    dossier.components.update(provided=True, digitised=True)
    assert dossier.channel == Channel.ONLINE
    with pytest.raises(DomainError) as refused:
        dossier_accept(agency=desk.agency, dossier=dossier, acting_user=desk.receiving_officer)
    assert refused.value.code == "incomplete" and "Tờ khai đăng ký khai sinh" in refused.value.message
