"""Cross-agency writes: every desk endpoint that takes another agency as input, given every kind of
agency (and a suspended and a merged one), writes into that agency only when the rule allows it:

* receipt on behalf (phi địa giới) — API `deciding_agency`, the page's `co-quan`, the service: the
  city's departments and the city itself, active, not the desk's own agency;
* hand-over (liên thông) — API `to_agency`, the service: an active agency that performs a step of the
  procedure's process (here: the departments).

A refusal writes nothing in the other agency's schema, uses up none of its code numbers and leaves the
public index alone. `test_every_agency_input_of_the_desk_api_is_in_the_matrix` finds the inputs from
the serializers, so a new one fails until it is added here. (The city-level inputs are elsewhere:
citizens choose the agency they submit to — tests/submissions; merging and moving agencies is for city
administrators — tests/security/test_city_matrix.py.)"""

from __future__ import annotations

import pytest
from django.db import connection

from core.errors import DomainError
from shared_apps.catalogue.models import Procedure
from shared_apps.tracking.models import DossierIndex
from tenant_apps.adoption.models import ProcedureAdoption
from tenant_apps.dossiers import services as s
from tenant_apps.dossiers.api import ACTIONS, IntakeSerializer
from tenant_apps.dossiers.lifecycle import Action
from tenant_apps.dossiers.models import Dossier
from tenant_apps.dossiers.services.handover import schema_of
from tenants.models import Agency, AgencyKind, AgencyStatus
from tenants.services import agency_onboard
from tests.interagency.conftest import APPLICANT, COMPLETE, receive_land

pytestmark = pytest.mark.django_db

COMPONENTS = [{"position": k, **v} for k, v in COMPLETE.items()]
# (endpoint, input field) of every agency reference the desk API takes
AGENCY_INPUTS = {("dossier-list", "deciding_agency"), (f"dossier-{Action.HAND_OVER.value}", "to_agency")}


def test_every_agency_input_of_the_desk_api_is_in_the_matrix():
    found = {("dossier-list", name) for name in IntakeSerializer().fields if "agency" in name}
    for action, (serializer, _service) in ACTIONS.items():
        found |= {(f"dossier-{action.value}", name) for name in serializer().fields if "agency" in name}
    assert found == AGENCY_INPUTS


@pytest.fixture
def targets(two):
    """One agency of every kind (a second department and commune besides `two`'s), a suspended and a
    merged department: each has adopted both procedures, so only the rule can refuse."""
    made = {"own": two.commune.agency, "department": two.department.agency}
    for n, kind in enumerate(AgencyKind.values, start=1):
        key = kind if kind not in made else f"other_{kind}"
        made[key] = agency_onboard(
            name=f"Cơ quan {kind} {n}",
            slug=f"ma-tran-{kind.replace('_', '-')}",
            kind=kind,
            national_code=f"000.96.{n:02d}.H31",
            acting_user=None,
        )
    for n, status in enumerate((AgencyStatus.SUSPENDED, AgencyStatus.MERGED), start=20):
        agency = agency_onboard(
            name=f"Sở {status}",
            slug=f"ma-tran-so-{status}",
            kind=AgencyKind.DEPARTMENT,
            national_code=f"000.96.{n:02d}.H31",
            acting_user=None,
        )
        Agency.objects.filter(pk=agency.pk).update(status=status)
        made[f"department_{status}"] = Agency.objects.get(pk=agency.pk)
    procedures = list(Procedure.objects.filter(national_code__in=["1.013978", "2.001610"]))
    for agency in made.values():
        with schema_of(agency):
            for procedure in procedures:
                ProcedureAdoption.objects.update_or_create(procedure=procedure, defaults={"is_active": True})
    connection.set_tenant(two.commune.agency)
    return made


def _may_receive_for(key, agency):
    return key != "own" and agency.kind in ("department", "city") and agency.status == AgencyStatus.ACTIVE


def _may_hand_over_to(key, agency):
    return key != "own" and agency.kind == "department" and agency.status == AgencyStatus.ACTIVE


def _footprint(agency):
    """What a write into `agency` leaves: its dossiers, its code numbers, its public index rows."""
    with schema_of(agency), connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(last), 0) FROM dossiers_codecounter")
        numbers = cursor.fetchone()[0]
        dossiers = Dossier.objects.count()
    return dossiers, numbers, DossierIndex.objects.filter(agency_id=agency.pk).count()


def _check(targets, may, attempt):
    """attempt(key, agency) -> True when it was accepted; every verdict must match the rule."""
    wrong = []
    for key, agency in targets.items():
        before = _footprint(agency) if key != "own" else None
        accepted = attempt(key, agency)
        if accepted != may(key, agency):
            wrong.append((key, "accepted" if accepted else "refused"))
        if not accepted and before is not None and _footprint(agency) != before:
            wrong.append((key, "refused but wrote"))
    assert wrong == []
    assert sum(may(k, a) for k, a in targets.items()) >= 2  # the matrix has both outcomes


def test_receipt_on_behalf_through_the_service(two, targets):
    def attempt(key, agency):
        try:
            s.dossier_receive_on_behalf(
                agency=two.commune.agency,
                deciding_agency=agency.slug,
                procedure="2.001610",
                applicant=APPLICANT,
                channel="in_person",
                components=COMPLETE,
                acting_user=two.commune.receiving_officer,
            )
        except DomainError:
            return False
        return True

    _check(targets, _may_receive_for, attempt)


def test_receipt_on_behalf_through_the_api(client, two, targets):
    client.force_login(two.commune.receiving_officer)

    def attempt(key, agency):
        response = client.post(
            f"/{two.commune.agency.slug}/api/v1/dossiers/",
            {
                "procedure": "2.001610",
                "applicant": APPLICANT,
                "components": COMPONENTS,
                "deciding_agency": agency.national_code if key.startswith("other") else agency.slug,
            },
            content_type="application/json",
        )
        assert response.status_code in (201, 400, 403), (key, response.status_code)
        return response.status_code == 201

    _check(targets, _may_receive_for, attempt)


def test_receipt_on_behalf_through_the_page(client, two, targets):
    client.force_login(two.commune.receiving_officer)

    def attempt(key, agency):
        response = client.post(
            f"/{two.commune.agency.slug}/ho-so/tiep-nhan-thay/",
            {
                "co-quan": agency.slug,
                "thu-tuc": "2.001610",
                "channel": "in_person",
                "applicant_name": APPLICANT["name"],
                "provided_1": "on",
                "provided_2": "on",
            },
        )
        return response.status_code == 302 and "/ho-so/" in response["Location"]

    _check(targets, _may_receive_for, attempt)


def test_hand_over_through_the_service(two, targets):
    def attempt(key, agency):
        dossier = receive_land(two)
        try:
            s.dossier_hand_over(
                agency=two.commune.agency,
                dossier=dossier,
                to_agency=agency.slug,
                acting_user=two.commune.leader,
            )
        except DomainError:
            return False
        return True

    _check(targets, _may_hand_over_to, attempt)


def test_hand_over_through_the_api(client, two, targets):
    client.force_login(two.commune.leader)

    def attempt(key, agency):
        dossier = receive_land(two)
        response = client.post(
            f"/{two.commune.agency.slug}/api/v1/dossiers/{dossier.pk}/hand-over/",
            {"to_agency": agency.slug},
            content_type="application/json",
        )
        assert response.status_code in (200, 400, 403, 409), (key, response.status_code)
        return response.status_code == 200

    _check(targets, _may_hand_over_to, attempt)
