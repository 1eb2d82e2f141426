"""Two clicks on "Nộp hồ sơ" at the same moment (two requests, two connections) make one dossier."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import override_settings

from tests.committed import committed_agency

from .conftest import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def media():
    """The module's draft lives in the module's folders (not a per-test one)."""


@pytest.fixture(scope="module")
def world(city, django_db_blocker, tmp_path_factory):
    from shared_apps.catalogue.models import Procedure
    from shared_apps.submissions.models import DraftFile, SubmissionDraft
    from shared_apps.submissions.services import draft_attach, draft_create

    root = tmp_path_factory.mktemp("nop-song-song")
    with (
        override_settings(MEDIA_ROOT=root / "media", PRIVATE_MEDIA_ROOT=root / "private"),
        committed_agency(
            django_db_blocker,
            slug="phuong-nop-song-song",
            national_code="000.97.05.H31",
            users={"cd_bam_hai_lan": []},
            sector_code="ho-tich-nop-song-song",
        ) as made,
    ):
        citizen = made.users["cd_bam_hai_lan"]
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            draft = draft_create(
                procedure=Procedure.objects.get(national_code="1.001193"),
                agency=made.agency,
                acting_user=citizen,
            )
            for position in (1, 2):
                draft_attach(draft=draft, position=position, upload=pdf(), acting_user=citizen)
        try:
            yield made.agency, citizen, draft
        finally:
            with django_db_blocker.unblock():
                connection.set_schema_to_public()
                DraftFile.objects.filter(draft__agency=made.agency)._raw_delete(using="default")
                SubmissionDraft.objects.filter(agency=made.agency)._raw_delete(using="default")


@pytest.mark.slow
def test_two_simultaneous_submits_of_a_draft_make_one_dossier(world):
    from shared_apps.submissions.services import draft_submit
    from tenant_apps.dossiers.models import Dossier

    agency, citizen, draft = world

    def submit(_):
        try:
            connection.set_schema_to_public()
            submitted, created = draft_submit(draft=draft, acting_user=citizen)
            return submitted.dossier_id, created
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(submit, range(2)))
    assert len({pk for pk, _created in results}) == 1
    assert sorted(created for _pk, created in results) == [False, True]
    connection.set_tenant(agency)
    try:
        assert Dossier.objects.filter(idempotency_key=draft.idempotency_key).count() == 1
        dossier = Dossier.objects.get(idempotency_key=draft.idempotency_key)
        assert dossier.events.filter(action="component_attached").count() == 2
    finally:
        connection.set_schema_to_public()
