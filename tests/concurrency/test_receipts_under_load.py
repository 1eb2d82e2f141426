"""Load over real HTTP: 2,000 counter receipts sent at once to 20 agencies through gunicorn (separate
processes, real PostgreSQL and Redis). Nothing is lost, no code is issued twice, and every agency's
codes of the day run 1, 2, 3 … without a gap. Two leaders approving the same dossier at the same
moment: one approval, one clear refusal."""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection

from shared_apps.accounts.models import Role
from tests.committed import committed_agencies
from tests.conftest import database_url_for_subprocess
from tests.faults.harness import HttpClient, service_env, session_for, start_web

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

AGENCIES = 20
RECEIPTS = 2000
APPLICANT = {"name": "Nguyễn Văn An", "id_number": "031099001234", "phone": "0912345678", "address": "Thôn 1"}
COMPONENTS = [{"position": 1, "provided": True, "digitised": True}, {"position": 2, "provided": True}]


@pytest.fixture(scope="module")
def city20(city, django_db_blocker, tmp_path_factory):
    specs = [
        (
            f"tai-{i:02d}",
            f"000.97.{i:02d}.H31",
            {
                f"tai_{i:02d}": [Role.RECEIVING_OFFICER, Role.UNIT_HEAD, Role.SPECIALIST],
                f"tai_{i:02d}_ld1": [Role.LEADER],
                f"tai_{i:02d}_ld2": [Role.LEADER],
            },
        )
        for i in range(AGENCIES)
    ]
    with committed_agencies(django_db_blocker, specs=specs, sector_code="ho-tich-tai") as worlds:
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            sessions = {name: session_for(user) for w in worlds for name, user in w.users.items()}
            workdir = tmp_path_factory.mktemp("load")
            (workdir / "mail").mkdir()
            env = service_env(
                database_url=database_url_for_subprocess(), redis_url=settings.REDIS_URL, workdir=workdir
            )
        web = start_web(env, workdir, workers=2, threads=8)
        try:
            yield worlds, sessions, web
        finally:
            web.close()
            with django_db_blocker.unblock():
                from django.contrib.sessions.models import Session

                connection.set_schema_to_public()
                Session.objects.filter(session_key__in=sessions.values()).delete()


def _receive(web, session, slug, i):
    client = HttpClient(web.port, session)
    body = {
        "procedure": "1.001193",
        "channel": "in_person",
        "applicant": {**APPLICANT, "name": f"Người {i}"},
        "components": COMPONENTS,
        "request_summary": f"tai:{i}",
    }
    for _attempt in range(3):  # a client retries a refused connection; the server is busy, not wrong
        try:
            status, _type, raw = client.post(f"/{slug}/api/v1/dossiers/", body)
            return status, json.loads(raw or b"{}")
        except (ConnectionError, TimeoutError):
            continue
    return None, {}


def test_2000_concurrent_receipts_across_20_agencies_lose_nothing_and_codes_are_gap_free(
    city20, django_db_blocker
):
    worlds, sessions, web = city20

    def one(i):
        world = worlds[i % AGENCIES]
        slug = world.agency.slug
        return slug, _receive(web, sessions[slug.replace("-", "_")], slug, i)

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(one, range(RECEIPTS)))

    statuses = Counter(status for _slug, (status, _body) in results)
    assert statuses == {201: RECEIPTS}, statuses
    codes = [body["code"] for _slug, (_status, body) in results]
    assert len(set(codes)) == RECEIPTS  # 0 duplicates

    with django_db_blocker.unblock():
        for world in worlds:
            connection.set_tenant(world.agency)
            with connection.cursor() as cursor:
                cursor.execute("SELECT code, request_summary FROM dossiers_dossier")
                rows = cursor.fetchall()
            connection.set_schema_to_public()
            answered = {body["code"] for slug, (_s, body) in results if slug == world.agency.slug}
            stored = {code for code, summary in rows if summary.startswith("tai:")}
            assert stored == answered  # 0 lost: every answered code is stored, no others
            by_day = {}
            for code, _summary in rows:
                prefix, seq = code.rsplit("-", 1)
                assert re.fullmatch(re.escape(world.agency.national_code) + r"-\d{6}", prefix)
                by_day.setdefault(prefix, []).append(int(seq))
            for seqs in by_day.values():
                assert sorted(seqs) == list(range(1, len(seqs) + 1))  # gap-free per agency and day
            assert len(stored) == RECEIPTS // AGENCIES


@pytest.fixture(scope="module")
def awaiting_approval(city20, django_db_blocker):
    """A committed dossier of the first agency, appraised and waiting for a leader."""
    from tenant_apps.dossiers.services import (
        dossier_appraise,
        dossier_assign,
        dossier_receive,
        dossier_submit_for_approval,
    )

    world = city20[0][0]
    officer = world.users["tai_00"]
    with django_db_blocker.unblock():
        connection.set_tenant(world.agency)
        try:
            dossier = dossier_receive(
                agency=world.agency,
                procedure="1.001193",
                applicant=APPLICANT,
                channel="in_person",
                components={1: {"provided": True}, 2: {"provided": True}},
                acting_user=officer,
            )
            dossier_assign(agency=world.agency, dossier=dossier, specialist=officer, acting_user=officer)
            dossier_appraise(
                agency=world.agency, dossier=dossier, opinion="Đủ điều kiện", acting_user=officer
            )
            dossier_submit_for_approval(agency=world.agency, dossier=dossier, acting_user=officer)
        finally:
            connection.set_schema_to_public()
    return dossier


def test_two_leaders_approving_at_once_make_one_transition_and_one_clear_refusal(
    city20, awaiting_approval, django_db_blocker
):
    from tenant_apps.dossiers.models import Dossier, DossierEvent

    worlds, sessions, web = city20
    world, dossier = worlds[0], awaiting_approval

    barrier = threading.Barrier(2)

    def approve(leader):
        client = HttpClient(web.port, sessions[leader])
        barrier.wait()
        status, _type, raw = client.post(
            f"/{world.agency.slug}/api/v1/dossiers/{dossier.pk}/approve/", {"note": leader}
        )
        return status, json.loads(raw or b"{}")

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(approve, ["tai_00_ld1", "tai_00_ld2"]))

    assert sorted(status for status, _ in answers) == [200, 409], answers
    refusal = next(body for status, body in answers if status == 409)
    assert refusal["code"] == "illegal_transition" and "Không thể" in refusal["detail"]
    with django_db_blocker.unblock():
        connection.set_tenant(world.agency)
        try:
            assert DossierEvent.objects.filter(dossier_id=dossier.pk, action="approve").count() == 1
            assert Dossier.objects.get(pk=dossier.pk).state == "approved"
        finally:
            connection.set_schema_to_public()
