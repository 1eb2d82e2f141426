"""Simultaneous submissions for one dossier (a double tap, two devices): one rating is kept, every
other submission gets the clear "already rated" refusal, never a server error."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from core.errors import DomainError
from shared_apps.ratings.models import Rating
from shared_apps.ratings.services import rating_submit
from shared_apps.tracking.proofs import id_digest, phone_digest

from .helpers import ID_NUMBER, PHONE

pytestmark = pytest.mark.django_db

THREADS = 8


@pytest.fixture(scope="module")
def committed_entry(city, django_db_blocker):
    """Committed (the threads use their own connections): a returned dossier in the city index."""
    from shared_apps.catalogue.models import Procedure, Sector
    from shared_apps.tracking.models import DossierIndex

    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        sector = Sector.objects.create(code="danh-gia-dong-thoi", name="Đánh giá đồng thời")
        procedure = Procedure.objects.create(
            national_code="9.990099", name="Thủ tục thử đồng thời", sector=sector
        )
        entry = DossierIndex.objects.create(
            agency=city.a,
            dossier_id=990099,
            code="000.90.01.H31-DONGTHOI-0001",
            procedure=procedure,
            procedure_name=procedure.name,
            state="returned",
            national_status=10,
            channel="in_person",
            applicant_phone_tail="5678",
            applicant_id_tail="1234",
            applicant_phone_digest=phone_digest(PHONE),
            applicant_id_digest=id_digest(ID_NUMBER),
        )
    try:
        yield entry
    finally:
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            Rating.objects.filter(entry=entry)._raw_delete(using="default")
            DossierIndex.objects.filter(pk=entry.pk)._raw_delete(using="default")
            Procedure.objects.filter(pk=procedure.pk)._raw_delete(using="default")
            Sector.objects.filter(pk=sector.pk)._raw_delete(using="default")


def test_simultaneous_submissions_keep_one_rating(committed_entry):
    start = threading.Barrier(THREADS)

    def one(i):
        try:
            connection.set_schema_to_public()
            start.wait(timeout=10)
            rating_submit(
                code=committed_entry.code,
                value="satisfied" if i % 2 else "not_satisfied",
                proof=PHONE,
                channel="api",
            )
            return "rated"
        except DomainError as exc:
            return exc.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = list(pool.map(one, range(THREADS)))
    assert sorted(outcomes) == ["already_rated"] * (THREADS - 1) + ["rated"]
    assert Rating.objects.filter(entry_id=committed_entry.pk).count() == 1
