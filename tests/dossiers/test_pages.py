import pytest

from tenant_apps.dossiers.models import Dossier

from .conftest import receive

pytestmark = pytest.mark.django_db


def test_queue_page_query_count_does_not_grow(client, desk, django_assert_num_queries):
    client.force_login(desk.receiving_officer)
    url = f"/{desk.agency.slug}/ho-so/?cua-toi=0"
    receive(desk)
    client.get(url)
    # count, page of dossiers (procedure and holder joined), procedures filter; session, user and
    # membership come from the cache
    with django_assert_num_queries(3) as few:
        body = client.get(url).content.decode()
    assert "Đăng ký khai sinh" in body
    for _ in range(15):
        receive(desk)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_counter_intake_page_receives_a_complete_dossier(client, desk):
    client.force_login(desk.receiving_officer)
    url = f"/{desk.agency.slug}/ho-so/tiep-nhan/"
    form = client.get(url, {"thu-tuc": "1.001193"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Giấy chứng sinh" in form and "<html" not in form  # the htmx partial
    response = client.post(
        url,
        {
            "procedure": "1.001193",
            "applicant_name": "Trần Thị Bình",
            "applicant_phone": "0987654321",
            "provided_1": "on",
            "provided_2": "on",
            "digitised_1": "on",
            "channel": "in_person",
            "sets": "1",
            "outcome": "receive",
        },
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert response["Location"] == f"/{desk.agency.slug}/ho-so/{dossier.pk}/"
    assert dossier.state == "received" and dossier.components.get(position=1).digitised


def test_an_incomplete_dossier_at_the_counter_gets_a_supplement_request(client, desk):
    client.force_login(desk.receiving_officer)
    response = client.post(
        f"/{desk.agency.slug}/ho-so/tiep-nhan/",
        {
            "procedure": "1.001193",
            "applicant_name": "Trần Thị Bình",
            "provided_1": "on",
            "reason_2": "Chưa mang bản chính",
            "outcome": "supplement",
        },
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.state == "intake_supplement" and dossier.code is None
    assert "Giấy chứng sinh: Chưa mang bản chính" in dossier.events.last().note


def test_receiving_an_incomplete_dossier_shows_what_is_missing(client, desk):
    client.force_login(desk.receiving_officer)
    response = client.post(
        f"/{desk.agency.slug}/ho-so/tiep-nhan/",
        {
            "procedure": "1.001193",
            "applicant_name": "Trần Thị Bình",
            "provided_1": "on",
            "outcome": "receive",
        },
    )
    assert response.status_code == 400
    assert "Giấy chứng sinh" in response.content.decode()
    assert not Dossier.objects.exists()


def test_dossier_page_offers_the_actions_of_the_users_role(client, desk):
    dossier = receive(desk)
    url = f"/{desk.agency.slug}/ho-so/{dossier.pk}/"
    client.force_login(desk.unit_head)
    body = client.get(url).content.decode()
    assert "Phân công" in body and dossier.code in body
    client.force_login(desk.specialist)
    assert "Phân công</summary>" not in client.get(url).content.decode()


def test_an_action_through_the_page(client, desk):
    dossier = receive(desk)
    client.force_login(desk.unit_head)
    response = client.post(
        f"/{desk.agency.slug}/ho-so/{dossier.pk}/assign/", {"specialist": "desk_specialist"}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == "in_appraisal"
    response = client.post(
        f"/{desk.agency.slug}/ho-so/{dossier.pk}/assign/", {"specialist": "desk_specialist"}, follow=True
    )
    assert "Không thể" in response.content.decode()


def test_print_buttons_serve_the_pdf_forms(client, desk):
    dossier = receive(desk)
    client.force_login(desk.receiving_officer)
    page = client.get(f"/{desk.agency.slug}/ho-so/{dossier.pk}/").content.decode()
    assert f"/{desk.agency.slug}/ho-so/{dossier.pk}/in/tiep-nhan.pdf" in page
    response = client.get(f"/{desk.agency.slug}/ho-so/{dossier.pk}/in/tiep-nhan.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get(f"/{desk.agency.slug}/ho-so/{dossier.pk}/in/tu-choi.pdf").status_code == 404
    logbook = client.get(f"/{desk.agency.slug}/ho-so/so-theo-doi.xlsx")
    assert logbook.status_code == 200 and logbook.content[:2] == b"PK"


def test_the_dossier_page_gives_states_actions_and_history_in_the_readers_language(client, desk, settings):
    dossier = receive(desk)
    url = f"/{desk.agency.slug}/ho-so/{dossier.pk}/"
    client.force_login(desk.unit_head)
    vi = client.get(url).content.decode()
    assert "Đã tiếp nhận" in vi and "Phân công" in vi
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch
    en = client.get(url).content.decode()
    assert "Received" in en and "Assign" in en
    assert "Đã tiếp nhận" not in en and ">Phân công<" not in en
    # a refused action explains itself in the reader's language too (the leader approves, not yet)
    client.force_login(desk.leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(f"{url}approve/", follow=True)  # back on the page, with the message
    assert "Cannot “Approve” while the dossier is “Received”." in response.content.decode()
