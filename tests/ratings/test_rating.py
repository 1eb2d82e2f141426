"""After the result is returned, the applicant rates the service once: on the web page (also opened
from the QR link) or through the API."""

import unicodedata

import pytest
from django.db import IntegrityError, transaction

from core.errors import DomainError
from shared_apps.ratings.models import AppendOnlyError, Rating
from shared_apps.ratings.services import rating_submit
from shared_apps.tracking.models import DossierIndex
from tests.dossiers.conftest import receive

from .helpers import ID_NUMBER, PHONE, returned

pytestmark = pytest.mark.django_db

API = "/api/v1/ratings/"


@pytest.fixture
def dossier(desk):
    return returned(desk)


def page(code):
    return f"/danh-gia/{code}/"


def test_the_applicant_rates_a_returned_dossier_on_the_web(client, desk, dossier):
    index = DossierIndex.objects.get(code=dossier.code)
    assert index.national_status == 10

    form = client.get(page(dossier.code))
    body = form.content.decode()
    assert form.status_code == 200
    for label in ("Hài lòng", "Chấp nhận được", "Không hài lòng"):
        assert label in body
    assert 'name="xac-minh"' in body and 'name="comment"' in body and "Đăng ký khai sinh" in body

    response = client.post(
        page(dossier.code),
        {"value": "satisfied", "comment": "  Cán bộ hướng dẫn tận tình.  ", "xac-minh": PHONE},
    )
    assert response.status_code == 302 and response["Location"] == f"/danh-gia/{dossier.code}/cam-on/"
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and "Cảm ơn" in thanks.content.decode()

    rating = Rating.objects.get(entry=index)
    assert (rating.value, rating.comment, rating.channel, rating.user) == (
        "satisfied",
        "Cán bộ hướng dẫn tận tình.",
        "web",
        None,
    )
    assert rating.agency_id == desk.agency.pk and rating.procedure_id == index.procedure_id


def test_the_qr_link_records_its_channel_and_the_id_number_also_proves(client, dossier):
    form = client.get(page(dossier.code), {"kenh": "qr"}).content.decode()
    assert 'name="kenh" value="qr"' in form
    response = client.post(page(dossier.code), {"value": "acceptable", "xac-minh": ID_NUMBER, "kenh": "qr"})
    assert response.status_code == 302
    assert Rating.objects.get(entry__code=dossier.code).channel == "qr"


def test_a_second_rating_is_refused(client, dossier):
    rating_submit(code=dossier.code, value="satisfied", proof=PHONE)
    with pytest.raises(DomainError, match="đã được đánh giá") as refused:
        rating_submit(code=dossier.code, value="not_satisfied", proof=PHONE)
    assert refused.value.status == 409 and refused.value.code == "already_rated"

    shown = client.get(page(dossier.code))
    assert shown.status_code == 200 and "đã được đánh giá" in shown.content.decode()
    assert 'name="value"' not in shown.content.decode()
    again = client.post(page(dossier.code), {"value": "not_satisfied", "xac-minh": PHONE})
    assert again.status_code == 409 and "đã được đánh giá" in again.content.decode()
    api = client.post(
        API, {"code": dossier.code, "value": "acceptable", "proof": PHONE}, content_type="application/json"
    )
    assert api.status_code == 409 and api.json()["code"] == "already_rated"
    assert list(Rating.objects.filter(entry__code=dossier.code).values_list("value", flat=True)) == [
        "satisfied"
    ]


def test_a_dossier_not_yet_returned_cannot_be_rated(client, desk):
    d = receive(desk)
    with pytest.raises(DomainError, match="chưa được trả kết quả") as refused:
        rating_submit(code=d.code, value="satisfied", proof=PHONE)
    assert refused.value.status == 409 and refused.value.code == "not_returned"

    shown = client.get(page(d.code))
    assert shown.status_code == 200 and "chưa được trả kết quả" in shown.content.decode()
    assert 'name="value"' not in shown.content.decode()
    assert client.post(page(d.code), {"value": "satisfied", "xac-minh": PHONE}).status_code == 409
    api = client.post(
        API, {"code": d.code, "value": "satisfied", "proof": PHONE}, content_type="application/json"
    )
    assert api.status_code == 409 and api.json()["code"] == "not_returned"
    assert not Rating.objects.exists()


def test_a_wrong_proof_is_refused(client, dossier):
    # the last four digits of the phone or the ID number no longer prove anything
    for proof in ("0000", "", "56", "5678", "1234", "345678"):
        with pytest.raises(DomainError, match="không khớp") as refused:
            rating_submit(code=dossier.code, value="satisfied", proof=proof)
        assert refused.value.status == 403 and refused.value.field == "proof"

    response = client.post(
        page(dossier.code), {"value": "not_satisfied", "comment": "Chậm", "xac-minh": "0000"}
    )
    body = response.content.decode()
    assert response.status_code == 403 and "không khớp" in body
    assert 'value="not_satisfied" required checked' in body and ">Chậm</textarea>" in body  # kept for a retry
    api = client.post(
        API, {"code": dossier.code, "value": "satisfied", "proof": "9999"}, content_type="application/json"
    )
    assert api.status_code == 403 and api.json() == {
        "detail": "Số điện thoại hoặc số giấy tờ tùy thân không khớp với hồ sơ.",
        "code": "proof_refused",
        "field": "proof",
    }
    assert not Rating.objects.exists()


def test_the_logged_in_owner_needs_no_proof(client, city, dossier):
    DossierIndex.objects.filter(code=dossier.code).update(owner_user_id=city.outsider.pk)
    client.force_login(city.both)  # logged in, but not the owner: must prove
    assert 'name="xac-minh"' in client.get(page(dossier.code)).content.decode()
    assert client.post(page(dossier.code), {"value": "satisfied"}).status_code == 403

    client.force_login(city.outsider)
    form = client.get(page(dossier.code)).content.decode()
    assert 'name="xac-minh"' not in form
    assert client.post(page(dossier.code), {"value": "satisfied"}).status_code == 302
    assert Rating.objects.get(entry__code=dossier.code).user == city.outsider


def test_an_unknown_code_is_clearly_not_found(client, desk):
    response = client.get(page("000.00.00.H31-000000-9999"))
    assert response.status_code == 404 and "Không tìm thấy hồ sơ" in response.content.decode()
    api = client.post(
        API, {"code": "KHONG-CO", "value": "satisfied", "proof": "1234"}, content_type="application/json"
    )
    assert api.status_code == 404 and api.json()["code"] == "not_found"
    with pytest.raises(DomainError) as refused:
        rating_submit(code="  ", value="satisfied", proof=ID_NUMBER)
    assert refused.value.status == 404


def test_the_comment_is_trimmed_normalised_and_limited(dossier):
    with pytest.raises(DomainError, match="1000") as refused:
        rating_submit(code=dossier.code, value="satisfied", proof=PHONE, comment="x" * 1001)
    assert refused.value.field == "comment" and refused.value.status == 400
    with pytest.raises(DomainError, match="mức đánh giá"):
        rating_submit(code=dossier.code, value="very_satisfied", proof=PHONE)
    decomposed = unicodedata.normalize("NFD", "Thủ tục nhanh gọn") + " " + "đ" * (1000 - 18)
    assert len(decomposed) > 1000 and len(unicodedata.normalize("NFC", decomposed)) == 1000
    rating = rating_submit(
        code=dossier.code.lower(), value="satisfied", proof=PHONE, comment=f"\n {decomposed} \n"
    )
    rating.refresh_from_db()
    assert rating.comment == unicodedata.normalize("NFC", decomposed) and len(rating.comment) == 1000


def test_the_api_records_a_rating(client, desk, dossier):
    response = client.post(
        API,
        {"code": dossier.code, "value": "not_satisfied", "comment": " Phải chờ lâu ", "proof": PHONE},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["code"], body["value"], body["comment"], body["channel"]) == (
        dossier.code,
        "not_satisfied",
        "Phải chờ lâu",
        "api",
    )
    assert Rating.objects.get(entry__code=dossier.code).channel == "api"
    invalid = client.post(API, {"code": dossier.code, "value": "tot"}, content_type="application/json")
    assert invalid.status_code == 400 and "value" in invalid.json()


def test_calling_the_service_twice_and_the_unique_constraint(dossier):
    """What two simultaneous submissions come down to: both pass every check and insert; the
    one-to-one's unique index keeps the first, the second gets a clear refusal (not a 500)."""
    first = rating_submit(code=dossier.code, value="satisfied", proof=PHONE)
    with pytest.raises(DomainError) as refused:
        rating_submit(code=dossier.code, value="acceptable", proof=ID_NUMBER, channel="api")
    assert refused.value.code == "already_rated" and refused.value.__cause__.__class__ is IntegrityError
    assert Rating.objects.filter(entry__code=dossier.code).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(
            entry=first.entry,
            agency_id=first.agency_id,
            procedure_id=first.procedure_id,
            value="acceptable",
            channel="web",
        )


def test_a_rating_is_never_changed_or_deleted(dossier):
    rating = rating_submit(code=dossier.code, value="satisfied", proof=PHONE)
    rating.value = "not_satisfied"
    with pytest.raises(AppendOnlyError):
        rating.save()
    with pytest.raises(AppendOnlyError):
        rating.delete()
    assert Rating.objects.get(pk=rating.pk).value == "satisfied"


def test_guessing_the_proof_is_throttled(client, dossier, settings):
    settings.RATING_RATE_PER_MINUTE = 3
    statuses = [
        client.post(
            API,
            {"code": dossier.code, "value": "satisfied", "proof": f"{i:04d}"},
            content_type="application/json",
        ).status_code
        for i in range(5)
    ]
    assert statuses == [403, 403, 403, 429, 429]
    blocked = client.post(page(dossier.code), {"value": "satisfied", "xac-minh": PHONE})
    assert blocked.status_code == 429 and "quá nhiều lần" in blocked.content.decode()
    assert not Rating.objects.exists()


def test_the_page_reads_the_dossier_and_its_rating_in_one_query(client, dossier, django_assert_num_queries):
    client.get(page(dossier.code))  # the connection back on the public schema (the fixture left it elsewhere)
    with django_assert_num_queries(1):  # the index row, its agency and its rating (none yet)
        response = client.get(page(dossier.code))
    assert response.status_code == 200


def test_the_qr_address_opens_the_rating_page_on_the_qr_channel(client, dossier):
    from shared_apps.ratings.links import rating_url

    url = rating_url(dossier.code, qr=True)
    assert url.endswith(f"/danh-gia/{dossier.code}/?kenh=qr") and rating_url(dossier.code).endswith("/")
    path = url.split("/danh-gia/", 1)[1]
    assert 'name="kenh" value="qr"' in client.get(f"/danh-gia/{path}").content.decode()
