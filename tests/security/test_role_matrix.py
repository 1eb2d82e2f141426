"""Every desk action × every role × every way in (the service itself, the API), generated from the
transition table (tenant_apps/dossiers/lifecycle.py) and the roles of shared_apps/accounts: a role the
table names for an action may do it from a state it allows; any other role is refused (403,
PermissionRefused) and nothing is written. Intake too: registering and receiving at the desk, on every
intake channel, is for receiving officers only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import DomainError, PermissionRefused
from shared_apps.accounts.models import Role
from tenant_apps.dossiers import services as s
from tenant_apps.dossiers.api import ACTIONS
from tenant_apps.dossiers.lifecycle import RESUME, TRANSITIONS, Action, State
from tenant_apps.dossiers.models import Channel, Dossier, DossierEvent
from tests.dossiers.conftest import APPLICANT, COMPLETE, receive
from tests.dossiers.test_transitions import PAYLOADS

pytestmark = pytest.mark.django_db

ROLES = [r.value for r in Role]
# Refused for another reason once the role is allowed: the desk's procedure has no step another
# agency performs, and its dossiers were not handed over by anyone.
OTHER_RULE = {Action.HAND_OVER: "not_in_process", Action.HAND_BACK: "not_a_hop"}
API_PAYLOADS = {**PAYLOADS, Action.HAND_OVER: {"to_agency": "xa-b"}}
SERVICE_ARGS = {
    Action.REQUEST_INTAKE_SUPPLEMENT: {"items": [{"name": "Giấy chứng sinh", "reason": "thiếu"}]},
    Action.REFUSE: {"reason": "x"},
    Action.SEND_BACK: {"reason": "x"},
    Action.REQUEST_SUPPLEMENT: {"reason": "x"},
    Action.REQUEST_FINANCIAL_OBLIGATION: {"reason": "x"},
    Action.WITHDRAW: {"reason": "x"},
    Action.STOP: {"reason": "x"},
    Action.APPRAISE: {"opinion": "x"},
    Action.RECORD_RESULT: {"result_number": "1"},
    Action.RETURN_RESULT: {"method": "counter", "collected_by": "A"},
    Action.HAND_OVER: {"to_agency": "xa-b"},
}


def test_the_matrix_covers_every_action_of_the_api_and_every_role():
    assert set(ACTIONS) == set(Action)
    assert {r for t in TRANSITIONS.values() for r in t.roles} <= set(ROLES)


def _dossier_in_source_state(desk, action):
    """A received dossier put straight into the first state `action` is allowed from."""
    dossier = receive(desk)
    transition = TRANSITIONS[action]
    state = sorted(transition.sources)[0]
    values = {"state": state, "opinion": "Hồ sơ hợp lệ"}
    if transition.target == RESUME:
        values["resume_state"] = State.IN_APPRAISAL
    if state in (State.APPROVED, State.FINISHED):
        values["result_number"] = "1/KQ"
    if action == Action.APOLOGIZE:  # an apology is for a dossier that is overdue
        values["due_at"] = timezone.now() - timedelta(days=2)
    Dossier.objects.filter(pk=dossier.pk).update(**values)
    return Dossier.objects.get(pk=dossier.pk)


def _service_args(desk, action):
    args = dict(SERVICE_ARGS.get(action, {}))
    if action == Action.ASSIGN:
        args["specialist"] = desk.specialist
    if action == Action.APOLOGIZE:
        args.update(new_due_at=timezone.now() + timedelta(days=30), reason="x")
    return args


def _service_of(action):
    return ACTIONS[action][1]


@pytest.mark.parametrize("action", list(Action))
def test_every_role_through_the_service(desk, city, action):
    for role in ROLES:
        dossier = _dossier_in_source_state(desk, action)
        user = getattr(desk, role)
        events = DossierEvent.objects.filter(dossier=dossier).count()
        call = dict(agency=desk.agency, dossier=dossier, acting_user=user, **_service_args(desk, action))
        if role in TRANSITIONS[action].roles:
            if action in OTHER_RULE:
                with pytest.raises(DomainError) as info:
                    _service_of(action)(**call)
                assert not isinstance(info.value, PermissionRefused), role
                assert info.value.code == OTHER_RULE[action], role
            else:
                _service_of(action)(**call)
                assert DossierEvent.objects.filter(dossier=dossier).count() == events + 1, role
        else:
            with pytest.raises(PermissionRefused):
                _service_of(action)(**call)
            assert DossierEvent.objects.filter(dossier=dossier).count() == events, role
            assert Dossier.objects.get(pk=dossier.pk).state == dossier.state, role


@pytest.mark.parametrize("action", list(Action))
def test_every_role_through_the_api(client, desk, city, action):
    for role in ROLES:
        dossier = _dossier_in_source_state(desk, action)
        payload = dict(API_PAYLOADS.get(action, {}))
        if action == Action.APOLOGIZE:
            payload["new_due_at"] = _service_args(desk, action)["new_due_at"].isoformat()
        events = DossierEvent.objects.filter(dossier=dossier).count()
        client.force_login(getattr(desk, role))
        response = client.post(
            f"/{desk.agency.slug}/api/v1/dossiers/{dossier.pk}/{action.value.replace('_', '-')}/",
            payload,
            content_type="application/json",
        )
        if role in TRANSITIONS[action].roles:
            if action in OTHER_RULE:
                assert response.status_code == 400, (role, response.content[:300])
                assert response.json()["code"] == OTHER_RULE[action], role
            else:
                assert response.status_code == 200, (role, response.content[:300])
                assert DossierEvent.objects.filter(dossier=dossier).count() == events + 1, role
                assert response.json()["events"][-1]["action"] == action.value, role
        else:
            assert response.status_code == 403, (role, response.content[:300])
            assert response.json()["code"] == "permission_denied", role
            assert DossierEvent.objects.filter(dossier=dossier).count() == events, role


# --- intake: every intake service × every role × every channel ----------------------------------
INTAKE_CHANNELS = list(Channel.values)


def _register(desk, user, channel):
    return s.dossier_register(
        agency=desk.agency, procedure="1.001193", applicant=APPLICANT, channel=channel, acting_user=user
    )


def _receive(desk, user, channel):
    return receive(desk, channel=channel, acting_user=user)


def _register_incomplete(desk, user, channel):
    return s.dossier_register_incomplete(
        agency=desk.agency,
        procedure="1.001193",
        applicant=APPLICANT,
        channel=channel,
        components={1: {"provided": True}},
        acting_user=user,
        outcome="supplement",
    )


INTAKE = {"register": _register, "receive": _receive, "register_incomplete": _register_incomplete}


@pytest.mark.parametrize("service", list(INTAKE))
def test_only_receiving_officers_take_in_dossiers_through_the_service(desk, service):
    for role in ROLES:
        for channel in INTAKE_CHANNELS:
            user = getattr(desk, role)
            before = Dossier.objects.count()
            if role != Role.RECEIVING_OFFICER:
                with pytest.raises(PermissionRefused):
                    INTAKE[service](desk, user, channel)
                assert Dossier.objects.count() == before, (role, channel)
                continue
            try:
                INTAKE[service](desk, user, channel)
            except PermissionRefused:
                pytest.fail(f"{service} refused a receiving officer on {channel}")
            except DomainError:
                pass  # another rule (online dossiers are not received at the counter): not the role


@pytest.mark.parametrize("register_only", [False, True])
def test_only_receiving_officers_take_in_dossiers_through_the_api(client, desk, register_only):
    for role in ROLES:
        client.force_login(getattr(desk, role))
        for channel in INTAKE_CHANNELS:
            before = Dossier.objects.count()
            response = client.post(
                f"/{desk.agency.slug}/api/v1/dossiers/",
                {
                    "procedure": "1.001193",
                    "channel": channel,
                    "applicant": APPLICANT,
                    "components": [{"position": k, **v} for k, v in COMPLETE.items()],
                    "register_only": register_only,
                },
                content_type="application/json",
            )
            if role == Role.RECEIVING_OFFICER:
                assert response.status_code in (201, 400), (channel, response.content[:300])
            else:
                assert response.status_code == 403, (role, channel, response.content[:300])
                assert Dossier.objects.count() == before, (role, channel)
