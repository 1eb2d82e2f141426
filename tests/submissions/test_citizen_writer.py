"""The citizen's online supplement goes through the one writer (`apply_action`): its event, its public
index row and its place in the hash chain are those the desk writes for the same action, and the one
permission hook lets the citizen act only on their own dossier and only for the actions the
transition table gives the citizen."""

import pytest
from django.db import connection

from core.errors import PermissionRefused
from shared_apps.tracking.models import DossierIndex
from tenant_apps.dossiers.chain import history_verify
from tenant_apps.dossiers.lifecycle import TRANSITIONS, Action, State
from tenant_apps.dossiers.services.core import apply_action
from tenant_apps.dossiers.services.online import dossier_supplement_online

from .conftest import pdf
from .test_citizen_dossier import act, submitted

pytestmark = pytest.mark.django_db

# what a row holds whoever wrote it: its own key, its place, the seal
IDENTITY = {"id", "dossier", "seq", "prev_hash", "hash"}


def shape(row, skip=IDENTITY):
    """The names of the fields an event (or index event) fills in."""
    return {
        f.attname
        for f in row._meta.concrete_fields
        if f.name not in skip and getattr(row, f.attname) not in (None, "", {}, [])
    }


def asked_to_supplement(desk, citizen, *, during_processing):
    dossier, _url = submitted(desk, citizen)
    if during_processing:
        act(desk, "dossier_accept", dossier=dossier, acting_user=desk.receiving_officer)
        act(desk, "dossier_assign", dossier=dossier, specialist=desk.specialist, acting_user=desk.unit_head)
        act(
            desk,
            "dossier_request_supplement",
            dossier=dossier,
            acting_user=desk.specialist,
            reason="thiếu dấu",
        )
    else:
        act(
            desk,
            "dossier_request_intake_supplement",
            dossier=dossier,
            acting_user=desk.receiving_officer,
            items=[{"name": "Giấy chứng sinh", "reason": "bản chụp bị mờ"}],
        )
    dossier.refresh_from_db()
    return dossier


@pytest.mark.parametrize("during_processing", [False, True], ids=["at_intake", "during_processing"])
def test_a_citizen_supplement_writes_the_event_and_index_row_the_desk_writes(
    desk, citizen, during_processing
):
    by_citizen = asked_to_supplement(desk, citizen, during_processing=during_processing)
    by_desk = asked_to_supplement(desk, citizen, during_processing=during_processing)
    dossier_supplement_online(
        agency=desk.agency, dossier=by_citizen, uploads={2: pdf()}, note="Đã bổ sung", acting_user=citizen
    )
    if during_processing:
        act(
            desk,
            "dossier_supplement_received",
            dossier=by_desk,
            acting_user=desk.receiving_officer,
            note="Đã bổ sung",
        )
        action = Action.SUPPLEMENT_RECEIVED
    else:
        act(desk, "dossier_resubmit", dossier=by_desk, acting_user=desk.receiving_officer)
        action = Action.RESUBMIT
    citizens = by_citizen.events.get(action=action)
    desks = by_desk.events.get(action=action)
    note = set() if during_processing else {"note"}  # the desk's resubmission carries no note
    assert shape(citizens) == shape(desks) | note
    assert citizens.actor_id == citizen.pk and desks.actor_id == desk.receiving_officer.pk
    for field in ("from_state", "to_state", "step", "receiver_name", "agency_name"):
        assert getattr(citizens, field) == getattr(desks, field), field
    assert citizens.old_values.keys() == desks.old_values.keys()
    assert citizens.new_values.keys() == desks.new_values.keys()
    for dossier in (by_citizen, by_desk):
        dossier.refresh_from_db()
    assert by_citizen.state == by_desk.state and by_citizen.paused_since is by_desk.paused_since is None
    # the public look-up row is synced the same way
    entries = [DossierIndex.objects.get(agency=desk.agency, dossier_id=d.pk) for d in (by_citizen, by_desk)]
    index_events = [entry.events.get(action=action) for entry in entries]
    assert shape(index_events[0], {"id", "entry", "at"}) == shape(index_events[1], {"id", "entry", "at"})
    assert index_events[0].agency_name == index_events[1].agency_name == desk.agency.name
    assert entries[0].national_status == entries[1].national_status
    assert entries[0].state == by_citizen.state and entries[1].state == by_desk.state
    # and the citizen's event is sealed onto the dossier's chain like any other
    connection.set_tenant(desk.agency)
    total, broken = history_verify(agency=desk.agency, acting_user=None, dossier_ids=[by_citizen.pk])
    assert broken == [] and total == by_citizen.events.count()


def test_a_citizen_cannot_act_on_another_citizens_dossier(desk, citizen, other_citizen):
    dossier = asked_to_supplement(desk, citizen, during_processing=False)
    seq = dossier.events.count()
    with pytest.raises(PermissionRefused):
        apply_action(agency=desk.agency, dossier=dossier, action=Action.RESUBMIT, acting_user=other_citizen)
    with pytest.raises(PermissionRefused):
        dossier_supplement_online(
            agency=desk.agency, dossier=dossier, uploads={2: pdf()}, acting_user=other_citizen
        )
    dossier.refresh_from_db()
    assert dossier.state == State.INTAKE_SUPPLEMENT and dossier.events.count() == seq
    # the owner may: the same call goes through
    apply_action(agency=desk.agency, dossier=dossier, action=Action.RESUBMIT, acting_user=citizen)
    dossier.refresh_from_db()
    assert dossier.state == State.NEW


@pytest.mark.parametrize("action", [a for a in Action if not TRANSITIONS[a].citizen])
def test_a_citizen_cannot_take_an_official_action_on_their_own_dossier(desk, citizen, action):
    dossier, _url = submitted(desk, citizen)
    seq = dossier.events.count()
    with pytest.raises(PermissionRefused):
        apply_action(agency=desk.agency, dossier=dossier, action=action, acting_user=citizen)
    dossier.refresh_from_db()
    assert dossier.state == State.NEW and dossier.events.count() == seq


def test_the_citizen_may_take_only_the_supplement_actions():
    assert {a for a in Action if TRANSITIONS[a].citizen} == {Action.RESUBMIT, Action.SUPPLEMENT_RECEIVED}
