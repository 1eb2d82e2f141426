"""Each dossier's events form a hash chain sealed by the database: any later edit or deletion shows
up as the first broken link, by command, by API, and to anyone recomputing an export elsewhere."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core.errors import PermissionRefused
from tenant_apps.dossiers.chain import history_export, history_verify
from tenant_apps.dossiers.models import DossierEvent
from tenant_apps.dossiers.services import dossier_assign
from tests.dossiers.conftest import receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(desk):
    first = receive(desk)  # the one-statement counter intake
    dossier_assign(agency=desk.agency, dossier=first, specialist=desk.specialist, acting_user=desk.unit_head)
    second = receive(desk, applicant={"name": "Trần Thị Bình"})
    return desk, first, second


def _recompute(events):
    """What a checker elsewhere does with an export: nothing but SHA-256."""
    prev = ""
    for e in events:
        if (
            e["prev_hash"] != prev
            or hashlib.sha256(f"{prev}\n{e['content']}".encode()).hexdigest() != e["hash"]
        ):
            return e["seq"]
        prev = e["hash"]
    return None


def test_every_writer_seals_events_onto_one_chain_per_dossier(two):
    desk, first, second = two
    events = list(DossierEvent.objects.filter(dossier=first).order_by("seq"))
    assert len(events) == 3  # register, accept (one statement), assign (ORM)
    assert events[0].prev_hash == "" and all(len(e.hash) == 64 for e in events)
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    total, broken = history_verify(agency=desk.agency, acting_user=None)
    assert total == 5 and broken == []


def test_an_export_can_be_checked_elsewhere_with_sha256_alone(two):
    desk, first, _second = two
    events = history_export(agency=desk.agency, dossier=first, acting_user=desk.receiving_officer)
    assert len(events) == 3 and _recompute(events) is None
    events[1]["content"] = events[1]["content"].replace("receive", "r3ceive")
    assert _recompute(events) == 2


def test_an_edited_event_is_the_first_broken_link(two):
    desk, first, second = two
    event = DossierEvent.objects.get(dossier=first, seq=2)
    DossierEvent.objects.filter(pk=event.pk).update(note="sửa lén")
    _total, broken = history_verify(agency=desk.agency, acting_user=None)
    assert [(b.dossier_id, b.seq) for b in broken] == [(first.pk, 2)]
    assert "bị sửa" in broken[0].reason


def test_a_deleted_event_breaks_the_chain_at_the_next_one(two):
    desk, first, _second = two
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("DELETE FROM dossiers_dossierevent WHERE dossier_id = %s AND seq = 2", [first.pk])
    _total, broken = history_verify(agency=desk.agency, acting_user=None)
    assert [(b.dossier_id, b.seq) for b in broken] == [(first.pk, 3)]


def test_a_forged_event_with_its_own_hash_is_caught(two):
    desk, first, _second = two
    last = DossierEvent.objects.filter(dossier=first).order_by("-seq").first()
    DossierEvent.objects.create(
        dossier=first,
        seq=last.seq + 1,
        action="approve",
        from_state="x",
        to_state="y",
        at=last.at,
        prev_hash=last.hash,
        hash="0" * 64,
    )
    _total, broken = history_verify(agency=desk.agency, acting_user=None)
    assert [(b.dossier_id, b.seq) for b in broken] == [(first.pk, last.seq + 1)]


def test_the_api_exports_a_dossier_chain_and_verifies_the_agency(client, two):
    desk, first, _second = two
    client.force_login(desk.leader)
    body = client.get(f"/{desk.agency.slug}/api/v1/dossiers/{first.pk}/history/").json()
    assert body["intact"] is True and body["broken"] is None and _recompute(body["events"]) is None
    report = client.get(f"/{desk.agency.slug}/api/v1/history/verify/").json()
    assert report == {"events": 5, "head": report["head"], "intact": True, "broken": []}
    DossierEvent.objects.filter(dossier=first, seq=1).update(actor_name="Người khác")
    report = client.get(f"/{desk.agency.slug}/api/v1/history/verify/").json()
    assert report["intact"] is False and report["broken"][0]["seq"] == 1


def test_only_leaders_and_agency_admins_verify_the_whole_agency(client, two):
    desk, _first, _second = two
    client.force_login(desk.receiving_officer)
    assert client.get(f"/{desk.agency.slug}/api/v1/history/verify/").status_code == 403
    with pytest.raises(PermissionRefused):
        history_verify(agency=desk.agency, acting_user=desk.specialist)


def test_the_command_reports_the_first_broken_link_and_fails(two):
    desk, first, _second = two
    connection.set_schema_to_public()
    out = io.StringIO()
    call_command("verify_history", desk.agency.slug, stdout=out)
    assert "5 events" in out.getvalue() and "intact" in out.getvalue()
    connection.set_tenant(desk.agency)
    DossierEvent.objects.filter(dossier=first, seq=3).update(note="x")
    connection.set_schema_to_public()
    with pytest.raises(CommandError, match="1 dossier"):
        call_command("verify_history", desk.agency.slug, stdout=out)
    assert f"dossier {first.pk}" in out.getvalue() and "event #3" in out.getvalue()
    connection.set_tenant(desk.agency)
