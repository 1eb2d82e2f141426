"""A citizen submits online at the city address; the same submit twice never makes two dossiers."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from shared_apps.accounts.models import User
from shared_apps.tracking.models import DossierIndex
from tenant_apps.dossiers.models import Dossier
from tests.committed import committed_agency

from .conftest import APPLICANT

pytestmark = pytest.mark.django_db


def payload(agency, key="lan-nop-0001"):
    return {
        "agency": agency.slug,
        "procedure": "1.001193",
        "applicant": APPLICANT,
        "components": [{"position": 3, "reused": True}],  # provided/digitised only with a file
        "idempotency_key": key,
    }


def test_an_online_submission_lands_in_the_agency_queue_as_newly_registered(client, desk, in_agency):
    citizen = User.objects.create_user(username="cong_dan_a", password="x")
    client.force_login(citizen)
    response = client.post("/api/v1/submissions/", payload(desk.agency), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "new" and body["national_status"] == 1 and body["created"] is True
    with in_agency(desk.agency):  # the request left this test's connection on the public schema
        dossier = Dossier.objects.get(pk=body["id"])
        assert dossier.channel == "online" and dossier.owner_user == citizen and dossier.code is None
    assert DossierIndex.objects.get(agency=desk.agency, dossier_id=dossier.pk).owner_user_id == citizen.pk
    again = client.post("/api/v1/submissions/", payload(desk.agency), content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == body["id"] and again.json()["created"] is False
    with in_agency(desk.agency):
        assert Dossier.objects.count() == 1


def test_anonymous_and_bad_input_are_refused(client, desk):
    assert client.post(
        "/api/v1/submissions/", payload(desk.agency), content_type="application/json"
    ).status_code in (401, 403)
    client.force_login(User.objects.create_user(username="cd_3", password="x"))
    bad = client.post("/api/v1/submissions/", payload(desk.agency, key="x"), content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "idempotency_key"
    nowhere = client.post(
        "/api/v1/submissions/",
        {**payload(desk.agency), "agency": "khong-co"},
        content_type="application/json",
    )
    assert nowhere.status_code == 400 and nowhere.json()["field"] == "agency"


@pytest.fixture(scope="module")
def online_agency(city, django_db_blocker):
    with committed_agency(
        django_db_blocker,
        slug="phuong-truc-tuyen",
        national_code="000.97.01.H31",
        users={"cong_dan_song_song": []},
        sector_code="ho-tich-online",
    ) as world:
        yield world


@pytest.mark.slow
def test_the_same_submit_sent_twice_concurrently_creates_one_dossier(online_agency):
    from tenant_apps.dossiers.services import dossier_submit_online

    agency, citizen = online_agency.agency, online_agency.users["cong_dan_song_song"]

    def submit(_):
        try:
            connection.set_schema_to_public()
            dossier, created = dossier_submit_online(
                agency=agency,
                procedure="1.001193",
                applicant=APPLICANT,
                components={},
                acting_user=citizen,
                idempotency_key="dong-thoi-0001",
            )
            return dossier.pk, created
        finally:
            connections.close_all()

    rounds = []
    for _round in range(3):  # the first round races; the later ones are plain retries
        with ThreadPoolExecutor(max_workers=2) as pool:
            rounds.append(list(pool.map(submit, range(2))))
    assert len({pk for results in rounds for pk, _c in results}) == 1
    assert sorted(c for _pk, c in rounds[0]) == [False, True]
    assert all(not c for results in rounds[1:] for _pk, c in results)
    connection.set_tenant(agency)
    try:
        assert Dossier.objects.filter(idempotency_key="dong-thoi-0001").count() == 1
    finally:
        connection.set_schema_to_public()


def test_my_dossiers_lists_a_citizens_dossiers_across_agencies(client, desk, django_assert_num_queries):
    citizen = User.objects.create_user(username="cong_dan_b", password="x")
    client.force_login(citizen)
    client.post("/api/v1/submissions/", payload(desk.agency), content_type="application/json")
    client.get("/healthz/")
    with django_assert_num_queries(2):  # the search_path back to public, then the index rows with agencies
        rows = client.get("/api/v1/my-dossiers/").json()
    assert [(r["agency"], r["national_status"]) for r in rows] == [("Phường Một Cửa", 1)]
    assert rows[0]["next_step"] == "Chờ cơ quan kiểm tra và tiếp nhận"
    page = client.get("/ho-so-cua-toi/").content.decode()
    assert "Đăng ký khai sinh" in page and "Phường Một Cửa" in page
    client.logout()
    assert client.get("/ho-so-cua-toi/").status_code == 302


# --- the citizen's files -------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _files(*positions, content=PDF):
    from django.core.files.base import ContentFile

    return [(p, ContentFile(content, name="tep.pdf"), "application/pdf") for p in positions]


def test_files_are_attached_in_the_registration_transaction_and_a_replay_attaches_nothing(desk, media):
    from tenant_apps.dossiers.services import dossier_submit_online_with_files

    citizen = User.objects.create_user(username="cd_tep", password="x")
    dossier, created = dossier_submit_online_with_files(
        agency=desk.agency,
        procedure="1.001193",
        applicant=APPLICANT,
        files=_files(1, 2),
        acting_user=citizen,
        idempotency_key="co-tep-0001",
    )
    assert created
    connection.set_tenant(desk.agency)
    components = {c.position: c for c in dossier.components.all()}
    assert components[1].file.read() == PDF and components[2].provided and not components[3].file
    assert dossier.events.filter(action="component_attached").count() == 2
    again, created = dossier_submit_online_with_files(
        agency=desk.agency,
        procedure="1.001193",
        applicant=APPLICANT,
        files=_files(1, 2, 3),
        acting_user=citizen,
        idempotency_key="co-tep-0001",
    )
    connection.set_tenant(desk.agency)
    assert (again.pk, created) == (dossier.pk, False)
    assert (
        dossier.events.filter(action="component_attached").count() == 2
        and not dossier.components.get(position=3).file
    )


def test_a_failure_while_attaching_leaves_neither_dossier_nor_file(desk, media):
    from core.errors import DomainError
    from tenant_apps.dossiers.services import dossier_submit_online_with_files

    citizen = User.objects.create_user(username="cd_hong", password="x")
    with pytest.raises(DomainError):  # position 9 is not a component of the procedure
        dossier_submit_online_with_files(
            agency=desk.agency,
            procedure="1.001193",
            applicant=APPLICANT,
            files=_files(1, 9),
            acting_user=citizen,
            idempotency_key="hong-0001",
        )
    connection.set_tenant(desk.agency)
    assert not Dossier.objects.filter(idempotency_key="hong-0001").exists()
    assert not DossierIndex.objects.filter(agency=desk.agency).exists()
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_only_the_owner_may_supplement_online(desk, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.errors import PermissionRefused
    from tenant_apps.dossiers.services import (
        dossier_request_intake_supplement,
        dossier_submit_online,
        dossier_supplement_online,
    )

    owner, stranger = (User.objects.create_user(username=u, password="x") for u in ("cd_chu", "cd_la"))
    dossier, _created = dossier_submit_online(
        agency=desk.agency,
        procedure="1.001193",
        applicant=APPLICANT,
        components={},
        acting_user=owner,
        idempotency_key="bo-sung-0001",
    )
    connection.set_tenant(desk.agency)
    dossier_request_intake_supplement(
        agency=desk.agency,
        dossier=dossier,
        acting_user=desk.receiving_officer,
        items=[{"name": "Giấy chứng sinh", "reason": "chưa có"}],
    )
    with pytest.raises(PermissionRefused):
        dossier_supplement_online(
            agency=desk.agency,
            dossier=dossier,
            acting_user=stranger,
            note="",
            uploads={2: SimpleUploadedFile("a.pdf", PDF)},
        )
    dossier.refresh_from_db()
    assert dossier.state == "intake_supplement"
    dossier_supplement_online(
        agency=desk.agency,
        dossier=dossier,
        acting_user=owner,
        note="",
        uploads={2: SimpleUploadedFile("a.pdf", PDF)},
    )
    dossier.refresh_from_db()
    assert dossier.state == "new" and dossier.components.get(position=2).provided
