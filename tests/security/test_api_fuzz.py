"""Hostile input on every API operation: schemathesis generates requests from the project's own OpenAPI
document (city and agency operations) and sends them, in-process, as each kind of caller. No answer
may be a server error, and every answer must match the document (status code, content type, body), and every error answer is a JSON body (never an HTML page).
Callers: anonymous, a citizen, each staff role of the agency (shared_apps.accounts.models.Role), the
city admin.

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

from shared_apps.accounts.models import Role

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

schema = schemathesis.openapi.from_dict(
    SchemaGenerator(urlconf="config.urls_openapi").get_schema(request=None, public=True)
)
schema.app = WSGIHandler()


def errors_are_json(ctx, response, case):
    """Under /api/ an error answer is JSON with a `detail` (or field errors): an HTML page (Django's
    debug 404, a CSRF page...) would break every API client."""
    if response.status_code < 400 or response.status_code in (204, 304):
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type.startswith("application/json"), (
        f"{response.status_code} of {case.method} {case.formatted_path} is {content_type or 'untyped'}, not JSON"
    )
    body = response.json()
    assert isinstance(body, dict | list) and body, f"empty JSON error body: {response.text[:200]}"
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    errors_are_json,
]
CALLERS = ["anonymous", "citizen", *[role.value for role in Role], "city_admin"]


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


def _credentials(user):
    from django.test import Client

    client = Client()  # one per caller: logging another user in on the same client ends the session
    client.force_login(user)
    token = _get_new_csrf_string()
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}
    return cookies, {"X-CSRFToken": token}


@pytest.fixture
def callers(desk, city):
    """{caller: (cookies, headers)} for every kind of caller, logged in once per test."""
    from shared_apps.accounts.models import User

    users = {
        "citizen": User.objects.create_user(username="fuzz_citizen", password="x", full_name="Công dân"),
        **{role.value: getattr(desk, role.value) for role in Role},
        "city_admin": city.city_admin,
    }
    return {"anonymous": ({}, {}), **{name: _credentials(user) for name, user in users.items()}}


def _forget_throttle_counters():
    """Each generated request is sent once per caller, all from the same address: start every
    example with fresh throttle counters, so that answers are about the request, not a 429."""
    from django.core.cache import caches

    shared = caches["shared"]
    client = shared._cache.get_client(None, write=True)
    keys = list(client.scan_iter(shared.make_key("throttle:*")))
    if keys:
        client.delete(*keys)


# Each generated request is sent as EVERY caller (one fixture set-up per operation instead of one
# per operation and caller: the run stays within the suite's time budget).
@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "6")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_with_a_server_error_or_off_its_schema(case, callers, desk):
    assert list(callers) == CALLERS
    if "agency_slug" in (case.path_parameters or {}):
        case.path_parameters["agency_slug"] = desk.agency.slug
    _forget_throttle_counters()
    for name, (cookies, headers) in callers.items():
        try:
            case.call_and_validate(cookies=cookies, headers=headers, checks=CHECKS)
        except Exception as exc:
            exc.add_note(f"caller: {name}")
            raise
