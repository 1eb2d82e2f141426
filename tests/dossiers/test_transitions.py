"""Every (state, action) pair that is not in the transition table is refused with a 4xx and writes
no event — through the services and through the API."""

import pytest

from tenant_apps.dossiers.lifecycle import TRANSITIONS, Action, IllegalTransition, State, next_state
from tenant_apps.dossiers.models import Dossier, DossierEvent
from tenant_apps.dossiers.services.core import apply_action

from .conftest import receive

pytestmark = pytest.mark.django_db

ILLEGAL = [
    (state, action) for state in State for action in Action if state not in TRANSITIONS[action].sources
]


def test_the_table_maps_every_state_to_a_national_status():
    from tenant_apps.dossiers.lifecycle import NATIONAL_STATUS

    assert set(NATIONAL_STATUS) == set(State)
    assert set(NATIONAL_STATUS.values()) == set(range(1, 11))


@pytest.mark.parametrize(
    ("state", "action"), [(s, a) for s in State for a in Action if s in TRANSITIONS[a].sources]
)
def test_legal_pairs_have_a_target(state, action):
    assert next_state(state=state, action=action, resume_state=State.IN_APPRAISAL) in set(State)


def test_illegal_pairs_are_refused_by_the_services_and_write_nothing(desk):
    dossier = receive(desk)
    assert len(ILLEGAL) > 100
    for state, action in ILLEGAL:
        Dossier.objects.filter(pk=dossier.pk).update(state=state, resume_state="in_appraisal")
        before = DossierEvent.objects.filter(dossier=dossier).count()
        with pytest.raises(IllegalTransition) as info:
            apply_action(agency=desk.agency, dossier=dossier, action=action, acting_user=desk.boss)
        assert info.value.status == 409
        assert DossierEvent.objects.filter(dossier=dossier).count() == before
        assert Dossier.objects.get(pk=dossier.pk).state == state


PAYLOADS = {
    Action.REQUEST_INTAKE_SUPPLEMENT: {"items": [{"name": "Giấy chứng sinh", "reason": "thiếu"}]},
    Action.REFUSE: {"reason": "x"},
    Action.SEND_BACK: {"reason": "x"},
    Action.REQUEST_SUPPLEMENT: {"reason": "x"},
    Action.REQUEST_FINANCIAL_OBLIGATION: {"reason": "x"},
    Action.WITHDRAW: {"reason": "x"},
    Action.STOP: {"reason": "x"},
    Action.APPRAISE: {"opinion": "x"},
    Action.ASSIGN: {"specialist": "desk_specialist"},
    Action.APOLOGIZE: {"new_due_at": "2030-01-01T10:00:00+07:00", "reason": "x"},
    Action.RECORD_RESULT: {"result_number": "1"},
    Action.RETURN_RESULT: {"method": "counter", "collected_by": "A"},
}


def test_illegal_pairs_get_a_4xx_from_the_api_and_write_nothing(client, desk):
    dossier = receive(desk)
    client.force_login(desk.boss)
    base = f"/{desk.agency.slug}/api/v1/dossiers/{dossier.pk}"
    for state, action in ILLEGAL:
        Dossier.objects.filter(pk=dossier.pk).update(state=state, resume_state="in_appraisal")
        before = DossierEvent.objects.filter(dossier=dossier).count()
        response = client.post(
            f"{base}/{action.value.replace('_', '-')}/",
            PAYLOADS.get(action, {}),
            content_type="application/json",
        )
        assert response.status_code == 409, (state, action, response.content)
        assert response.json()["code"] == "illegal_transition"
        assert "Không thể" in response.json()["detail"]
        assert DossierEvent.objects.filter(dossier=dossier).count() == before
