"""The look-up API's fast path (shared_apps.tracking.fastpath) answers exactly like the full stack, and
only the requests it can answer that way; the throttle is one Redis round trip and fails open."""

import json
import logging
from contextlib import contextmanager

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import RequestFactory

from shared_apps.tracking import api
from shared_apps.tracking.fastpath import LookupFastPath, wants_fast_path
from shared_apps.tracking.selectors import dossier_lookup
from tests.dossiers.conftest import receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(desk):
    return receive(desk)


@contextmanager
def _connection_kept():
    """Like Django's test client: the test's transaction must survive request_started/finished."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def environ_for(path, data=None, meta=None, **headers):
    return {**RequestFactory().get(path, data or {}, headers=headers).environ, **(meta or {})}


def call(app, environ):
    """(status, headers, body) of a WSGI application."""
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = int(status.split()[0]), headers

    with _connection_kept():
        result = app(dict(environ), start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):  # optional in WSGI: the learned-headers path returns a list
                result.close()
    return seen["status"], sorted(seen["headers"]), body


@pytest.fixture
def apps():
    """(full stack, full stack behind the fast path, the paths the fast path handed to the full
    stack, the paths it answered through its middleware chain)."""
    full = WSGIHandler()
    front = LookupFastPath(WSGIHandler())
    slow, chain = [], []
    application, fast = front.application, front.fast

    def counted_slow(environ, start_response):
        slow.append(environ["PATH_INFO"])
        return application(environ, start_response)

    def counted_chain(environ, start_response):
        chain.append(environ["PATH_INFO"])
        return fast(environ, start_response)

    front.application, front.fast = counted_slow, counted_chain
    return full, front, slow, chain


def test_the_fast_path_answers_exactly_like_the_full_stack(apps, dossier, settings):
    settings.LOOKUP_RATE_PER_MINUTE = 1000
    full, front, slow, chain = apps
    code = dossier.code
    questions = [
        environ_for(f"/api/v1/lookup/{code}/"),
        environ_for(f"/api/v1/lookup/{code}/", {"proof": "0912345678"}, accept="application/json"),
        environ_for(f"/api/v1/lookup/{code}/", {"proof": "0000"}, accept="*/*"),
        environ_for(f"/api/v1/lookup/{code.lower()}/"),
        environ_for("/api/v1/lookup/000.00.00.H31-000000-9999/", accept="application/json"),
        environ_for(f"/api/v1/lookup/{code}/", cookie="django_language=en"),
    ]
    for _twice in range(2):  # first through the chain (headers learned), then with the learned headers
        for environ in questions:
            assert wants_fast_path(environ)
            assert call(front, environ) == call(full, environ), environ["PATH_INFO"]
    assert slow == []
    # the chain ran once per combination of what its middleware read and status, all in the first
    # round: question 0 (found), question 4 (unknown code: 404), question 5 (language cookie); the
    # others share question 0's combination and status
    assert chain == [questions[i]["PATH_INFO"] for i in (0, 4, 5)]

    status, headers, body = call(front, questions[1])
    data = json.loads(body)
    assert status == 200 and data["code"] == code and data["applicant_name"] == "Nguyễn Văn An"
    assert ("Content-Type", "application/json") in headers and ("Vary", "Accept") in headers
    assert ("X-Frame-Options", "DENY") in headers and ("X-Content-Type-Options", "nosniff") in headers
    status, _headers, body = call(front, questions[0])
    assert json.loads(body)["applicant_name"] is None and json.loads(body)["verified"] is False
    status, _headers, body = call(front, questions[4])
    assert status == 404 and json.loads(body) == {
        "detail": "Không tìm thấy hồ sơ có mã này.",
        "code": "not_found",
    }


def test_the_fast_path_throttles_like_the_full_stack(apps, desk, settings):
    settings.LOOKUP_RATE_PER_MINUTE = 2
    full, front, slow, _chain = apps
    answers = {}
    for name, app, address in (("front", front, "10.0.0.1"), ("full", full, "10.0.0.2")):
        answers[name] = []
        for i in range(3):
            environ = environ_for(
                f"/api/v1/lookup/000.00.00.H31-261126-{i:04d}/", meta={"REMOTE_ADDR": address}
            )
            answers[name].append(call(app, environ))
    assert [a[0] for a in answers["front"]] == [404, 404, 429]
    assert answers["front"] == answers["full"]
    assert json.loads(answers["front"][2][2])["code"] == "throttled" and slow == []


def test_other_requests_go_through_the_full_stack(apps, dossier, settings, city):
    full, front, slow, chain = apps
    path = f"/api/v1/lookup/{dossier.code}/"
    settings.ALLOWED_HOSTS = ["testserver", "phuong-a.example"]
    from tenants.directory import directory
    from tenants.models import Domain

    Domain.objects.create(domain="phuong-a.example", tenant=city.a, is_primary=False)
    directory.invalidate_local()
    others = [
        environ_for(path, cookie="sessionid=abc"),  # a logged-in visitor: the full stack
        environ_for(path, accept="text/html,application/xhtml+xml,*/*;q=0.8"),  # DRF's browsable API
        environ_for(path, {"format": "json"}),
        environ_for(path, meta={"HTTP_HOST": "phuong-a.example"}),  # an agency's own domain
        environ_for("/api/v1/lookup/", {"ma": dossier.code}),
        environ_for("/api/v1/me/"),
        {**environ_for(path), "REQUEST_METHOD": "HEAD"},
    ]
    for environ in others:
        assert not wants_fast_path(environ), environ
    with_cookie = call(front, others[0])
    assert with_cookie[0] == 200 and slow == [path] and chain == []
    settings.LOOKUP_FAST_PATH = False
    assert not wants_fast_path(environ_for(path))


def test_the_hand_built_body_is_what_the_serializer_would_write(dossier):
    result = dossier_lookup(code=dossier.code, proof="0912345678")
    e = result.entry
    assert result.events and e.received_at is not None
    expected = api.LookupSerializer(
        {
            "code": e.code,
            "procedure": e.procedure_name,
            "agency": e.agency.name,
            "national_status": e.national_status,
            "status": result.status_label,
            "received_at": e.received_at,
            "due_at": e.due_at,
            "finished_at": e.finished_at,
            "returned_at": e.returned_at,
            "verified": result.verified,
            "applicant_name": e.applicant_name,
            "timeline": result.events,
        }
    ).data
    assert api.lookup_payload(result) == json.loads(json.dumps(expected))


def test_the_look_up_is_one_statement(dossier, django_assert_num_queries):
    from django.db import connection

    connection.set_schema_to_public()
    dossier_lookup(code="warm-up")  # the search_path switch, once
    with django_assert_num_queries(1):
        result = dossier_lookup(code=f" {dossier.code.lower()} ")
    from core.dossier import public_event_label
    from shared_apps.tracking.models import IndexEvent

    timeline = [
        (e.at, public_event_label(e.action)) for e in IndexEvent.objects.filter(entry__code=dossier.code)
    ]
    assert result.entry.code == dossier.code and len(timeline) >= 2
    assert [(e["at"], e["label"]) for e in result.events] == timeline  # in the model's order (at, id)
    with django_assert_num_queries(1):
        assert dossier_lookup(code="000.00.00.H31-000000-9999") is None


def test_the_throttle_window_starts_with_the_first_request_and_is_not_extended(desk, settings):
    from django.core.cache import caches

    from shared_apps.tracking.throttle import throttle_exceeded

    request = RequestFactory().get("/", REMOTE_ADDR="10.9.9.9")
    shared = caches["shared"]
    client = shared._cache.get_client(None, write=True)
    key = shared.make_key("throttle:window-test:10.9.9.9")
    assert throttle_exceeded(scope="window-test", request=request, limit=2) is False
    client.expire(key, 30)  # as if 30 s of the window had gone
    assert throttle_exceeded(scope="window-test", request=request, limit=2) is False
    assert 0 < client.ttl(key) <= 30  # EXPIRE NX: a later request does not restart the window
    assert throttle_exceeded(scope="window-test", request=request, limit=2) is True
    assert int(client.get(key)) == 3


def test_the_look_up_still_answers_when_redis_is_unreachable(client, dossier, settings, caplog):
    shared = dict(settings.CACHES["shared"], LOCATION="redis://127.0.0.1:1/0")
    settings.CACHES = {**settings.CACHES, "shared": shared}
    settings.LOOKUP_RATE_PER_MINUTE = 1
    from shared_apps.tracking.throttle import throttle_exceeded

    request = RequestFactory().get("/")
    with caplog.at_level(logging.WARNING, logger="shared_apps.tracking.throttle"):
        assert [throttle_exceeded(scope="lookup", request=request, limit=1) for _ in range(3)] == [False] * 3
    assert "Redis unavailable" in caplog.text
    response = client.get(f"/api/v1/lookup/{dossier.code}/")
    assert response.status_code == 200 and response.json()["code"] == dossier.code


def test_a_failure_on_the_learned_path_is_answered_by_the_middleware_chain(
    apps, dossier, settings, monkeypatch
):
    """Once headers are learned, an exception in the look-up is not a bare crash: the request goes
    through the chain, which renders the error like the full stack does."""
    settings.LOOKUP_RATE_PER_MINUTE = 1000
    full, front, slow, chain = apps
    environ = environ_for(f"/api/v1/lookup/{dossier.code}/")
    assert call(front, environ)[0] == 200 and len(chain) == 1  # headers learned
    from shared_apps.tracking import fastpath

    def broken(**kwargs):
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(fastpath, "lookup_answer", broken)
    status, headers, _body = call(front, environ)
    assert status == 500 and len(chain) == 2 and slow == []
    assert ("X-Content-Type-Options", "nosniff") in headers
