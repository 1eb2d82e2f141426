"""Everything under /api/ (the city API and each agency's) answers errors in JSON — never an HTML
page, also with DEBUG on (Django's debug 404 page is HTML), never a server error."""

import pytest

pytestmark = pytest.mark.django_db


def assert_json_error(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    assert "detail" in response.json()


@pytest.mark.parametrize("debug", [False, True])
def test_a_non_integer_id_in_the_agency_api_answers_a_json_404(client, desk, settings, debug):
    settings.DEBUG = debug
    client.force_login(desk.receiving_officer)
    slug = desk.agency.slug
    for path in (
        f"/{slug}/api/v1/dossiers/abc/",
        f"/{slug}/api/v1/dossiers/1.5/history/",
        f"/{slug}/api/v1/dossiers/x/components/y/file/",
        f"/{slug}/api/v1/no-such-thing/",
    ):
        assert_json_error(client.get(path), 404)


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_path_in_the_city_api_answers_a_json_404(client, city, settings, debug):
    settings.DEBUG = debug
    for path in ("/api/v1/no-such-thing/", "/api/v1/agencies/abc/", "/api/v2/"):
        assert_json_error(client.get(path), 404)


def test_a_method_a_plain_django_view_refuses_answers_json_under_api(client, city):
    # the OpenAPI document is served by a view that only knows GET
    response = client.delete("/api/schema/")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
