"""Shared fixtures. Tests run against the real PostgreSQL and the real Redis.

The test database is built by pytest-django through `migrate` (our migrate_schemas: public schema
plus the template schema). A few agencies and users are onboarded once per session and committed, so
that every test (each in its own rolled-back transaction) and the real Celery worker see them."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from django.db import connection


@pytest.fixture(scope="session", autouse=True)
def _empty_test_cache():
    """The test database is new every run (ids start again): nothing cached by an earlier run may
    survive. The tests have their own Redis database."""
    from django.core.cache import caches

    for alias in ("default", "shared"):
        caches[alias].clear()


@pytest.fixture(scope="session")
def city(django_db_setup, django_db_blocker):
    from shared_apps.accounts.models import Role, User
    from shared_apps.accounts.services import membership_grant
    from tenants.services import agency_onboard

    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        a = agency_onboard(
            name="Phường Thử Nghiệm A",
            slug="phuong-a",
            kind="ward",
            national_code="000.90.01.H31",
            acting_user=None,
        )
        b = agency_onboard(
            name="Xã Thử Nghiệm B",
            slug="xa-b",
            kind="commune",
            national_code="000.90.02.H31",
            acting_user=None,
        )

        def user(username, **extra):
            u = User.objects.create_user(username=username, password="mat-khau-thu-1", **extra)
            return u

        ns = SimpleNamespace(
            a=a,
            b=b,
            officer_a=user("officer_a", full_name="Cán bộ A"),
            admin_a=user("admin_a", full_name="Quản trị A"),
            officer_b=user("officer_b", full_name="Cán bộ B"),
            both=user("both_ab", full_name="Thành viên A và B"),
            outsider=user("outsider", full_name="Người ngoài"),
            city_admin=user("city_admin", full_name="Quản trị thành phố", is_city_admin=True),
            password="mat-khau-thu-1",
        )
        membership_grant(agency=a, user=ns.officer_a, roles=[Role.RECEIVING_OFFICER], acting_user=None)
        membership_grant(agency=a, user=ns.admin_a, roles=[Role.AGENCY_ADMIN], acting_user=None)
        membership_grant(agency=b, user=ns.officer_b, roles=[Role.RECEIVING_OFFICER], acting_user=None)
        membership_grant(agency=a, user=ns.both, roles=[Role.LEADER], acting_user=None)
        membership_grant(agency=b, user=ns.both, roles=[Role.LEADER], acting_user=None)
    return ns


@pytest.fixture(autouse=True)
def _fresh_tenant_state():
    """Every test starts and ends on the public schema with a fresh agency directory (a test that
    changes an agency inside its rolled-back transaction must not leak into the next one)."""
    from shared_apps.calendar.selectors import calendar_version
    from tenant_apps.dossiers.plans import plans_invalidate_local
    from tenants.directory import directory

    for invalidate in (directory.invalidate_local, calendar_version.invalidate_local, plans_invalidate_local):
        invalidate()
    _forget_cached_principals()
    yield
    connection.set_schema_to_public()
    for invalidate in (directory.invalidate_local, calendar_version.invalidate_local, plans_invalidate_local):
        invalidate()
    _forget_cached_principals()


def _forget_cached_principals():
    """Users and memberships cached during a test may describe rows its rollback undid; throttle
    counters of one test must not count against the next."""
    from django.core.cache import caches

    shared = caches["shared"]
    client = shared._cache.get_client(None, write=True)
    patterns = ("user:*", "membership:*", "throttle:*")
    keys = [k for pattern in patterns for k in client.scan_iter(shared.make_key(pattern))]
    if keys:
        client.delete(*keys)


@pytest.fixture
def in_agency():
    """Switch the test's connection to an agency's schema: `with in_agency(agency): ...`."""
    from contextlib import contextmanager

    @contextmanager
    def _switch(agency):
        connection.set_tenant(agency)
        try:
            yield agency
        finally:
            connection.set_schema_to_public()

    return _switch


def database_url_for_subprocess(dbname: str | None = None):
    """The URL of the test database (or of another database `dbname` on the same server), for
    processes and connections the tests open themselves (a real Celery worker, pg_dump, psycopg).
    The embedded PostgreSQL is reached through a unix socket: its directory is the host."""
    s = connection.settings_dict
    name = dbname or s["NAME"]
    host = s.get("HOST") or ""
    port = s.get("PORT") or ""
    auth = s.get("USER") or "postgres"
    if s.get("PASSWORD"):
        auth += ":" + s["PASSWORD"]
    if host.startswith("/"):
        return f"postgres://{auth}@/{name}?host={host}" + (f"&port={port}" if port else "")
    return f"postgres://{auth}@{host or '127.0.0.1'}:{port or 5432}/{name}"


os.environ.setdefault("EGOV_TESTING", "1")
