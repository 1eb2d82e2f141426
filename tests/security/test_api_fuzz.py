"""Hostile input on every API operation: schemathesis generates requests from the project's own OpenAPI
document (city and agency operations) and sends them, in-process, as each kind of caller. No answer
may be a server error, and every answer must match the document (status code, content type, body).

Agency operations are aimed at a real agency with a desk (the `desk` fixture) so that the requests
reach the business rules instead of stopping at "no such agency"; everything a request writes is
rolled back with the test's transaction. Examples per operation and caller: FUZZ_EXAMPLES (default 6,
derandomized so a run is repeatable; raise it for a deeper run: FUZZ_EXAMPLES=100 make test ARGS=tests/security/test_api_fuzz.py)."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.middleware.csrf import _get_new_csrf_string
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

schema = schemathesis.openapi.from_dict(
    SchemaGenerator(urlconf="config.urls_openapi").get_schema(request=None, public=True)
)
schema.app = WSGIHandler()
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
CALLERS = ["anonymous", "citizen", "receiving_officer", "leader", "agency_admin", "city_admin"]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """A plain WSGI handler closes the database connection when a request ends (as in production);
    here that connection holds the test's transaction, so keep it open — as Django's test client does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _credentials(client, user):
    client.force_login(user)
    token = _get_new_csrf_string()
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}
    return cookies, {"X-CSRFToken": token}


@pytest.fixture
def caller(request, desk, city, client):
    from shared_apps.accounts.models import User

    role = request.param
    if role == "anonymous":
        return {}, {}
    if role == "citizen":
        user = User.objects.create_user(username="fuzz_citizen", password="x", full_name="Công dân")
    elif role == "city_admin":
        user = city.city_admin
    else:
        user = getattr(desk, role)
    return _credentials(client, user)


@pytest.mark.parametrize("caller", CALLERS, indirect=True)
@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "6")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_with_a_server_error_or_off_its_schema(case, caller, desk):
    cookies, headers = caller
    if "agency_slug" in (case.path_parameters or {}):
        case.path_parameters["agency_slug"] = desk.agency.slug
    case.call_and_validate(cookies=cookies, headers=headers, checks=CHECKS)
