"""A restore rewrites an agency's rows by SQL, behind every model signal: what the apps keep in their
caches about those rows (memberships read through the city-wide cache for up to 5 minutes, the
agency directory, intake plans, calendars) must be forgotten, or the old rows keep answering."""

from __future__ import annotations

import io

import pytest

from shared_apps.accounts.models import Membership, Role, User
from shared_apps.accounts.services import membership_grant
from tenants.backup import agency_backup, agency_restore

pytestmark = pytest.mark.django_db


def _backup(agency):
    out = io.BytesIO()
    agency_backup(agency=agency, out=out, acting_user=None)
    return io.BytesIO(out.getvalue())


def test_a_membership_the_restore_takes_away_is_refused_on_the_next_request(desk, client):
    agency = desk.agency
    backup = _backup(agency)  # taken before the newcomer joined
    newcomer = User.objects.create_user(username="moi_vao", password="x", full_name="Người mới")
    membership_grant(agency=agency, user=newcomer, roles=[Role.RECEIVING_OFFICER], acting_user=None)
    client.force_login(newcomer)
    assert client.get(f"/{agency.slug}/").status_code == 200  # the membership is now cached

    agency_restore(agency=agency, source=backup, acting_user=None, wipe=True)

    assert not Membership.objects.filter(user=newcomer, agency=agency).exists()
    assert client.get(f"/{agency.slug}/").status_code == 403


def test_a_membership_the_restore_brings_back_is_accepted_on_the_next_request(desk, client):
    agency = desk.agency
    backup = _backup(agency)  # taken while the receiving officer was a member
    membership = Membership.objects.get(user=desk.receiving_officer, agency=agency)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    client.force_login(desk.receiving_officer)
    assert client.get(f"/{agency.slug}/").status_code == 403  # "no membership" is now cached

    agency_restore(agency=agency, source=backup, acting_user=None, wipe=True)

    assert client.get(f"/{agency.slug}/").status_code == 200


def test_a_custom_domain_the_restore_takes_away_no_longer_routes(desk):
    from tenants.directory import directory
    from tenants.models import Domain

    agency = desk.agency
    backup = _backup(agency)
    Domain.objects.create(domain="motcua.example.vn", tenant=agency, is_primary=False)
    assert directory.by_domain("motcua.example.vn") == agency  # the directory's snapshot now has it

    agency_restore(agency=agency, source=backup, acting_user=None, wipe=True)

    assert directory.by_domain("motcua.example.vn") is None


def test_an_intake_plan_the_restore_changes_is_read_again(desk):
    from tenant_apps.adoption.models import ProcedureAdoption
    from tenant_apps.dossiers.plans import intake_plan

    agency = desk.agency
    backup = _backup(agency)  # taken while online intake was open
    adoption = ProcedureAdoption.objects.get(procedure__national_code="1.001193")
    adoption.online_intake_open = False
    adoption.save(update_fields=["online_intake_open"])
    assert intake_plan(agency=agency, procedure_code="1.001193").online_open is False  # now cached

    agency_restore(agency=agency, source=backup, acting_user=None, wipe=True)

    assert intake_plan(agency=agency, procedure_code="1.001193").online_open is True
