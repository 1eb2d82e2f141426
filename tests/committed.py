"""Committed test data, for tests whose other side has its own database connection (threads, a
server thread driven by a browser, a Celery worker). Everything made here is removed afterwards with
raw deletes (the ORM's collector would look for related rows in agency schemas)."""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection, transaction


@contextmanager
def committed_agency(
    django_db_blocker,
    *,
    slug,
    national_code,
    users,
    password="mat-khau-thu-1",
    sector_code="ho-tich-committed",
):
    """An agency with the birth-registration procedure adopted and one user per (username, roles)."""
    with committed_agencies(
        django_db_blocker, specs=[(slug, national_code, users)], password=password, sector_code=sector_code
    ) as worlds:
        yield worlds[0]


@contextmanager
def committed_agencies(
    django_db_blocker, *, specs, password="mat-khau-thu-1", sector_code="ho-tich-committed"
):
    """Several agencies at once: `specs` is a list of (slug, national code, {username: roles})."""
    from shared_apps.accounts.models import User
    from shared_apps.accounts.services import membership_grant
    from shared_apps.calendar.services import calendar_city_ensure
    from shared_apps.catalogue.models import (
        CatalogueEvent,
        Component,
        Fee,
        Procedure,
        ProcedureVersion,
        ProcessStep,
        Sector,
    )
    from shared_apps.catalogue.services import sector_ensure
    from tenants.models import Agency
    from tenants.services import agency_onboard
    from tests.catalogue.conftest import publish

    worlds = []
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        calendar_city_ensure()
        sector = sector_ensure(code=sector_code, name="Hộ tịch", acting_user=None)
        publish("1.001193", "Đăng ký khai sinh", sector, time_limit=Decimal("3"))
        for slug, national_code, users in specs:
            agency = agency_onboard(
                name=f"Phường {slug}", slug=slug, kind="ward", national_code=national_code, acting_user=None
            )
            made = {}
            for username, roles in users.items():
                made[username] = User.objects.create_user(
                    username=username, password=password, full_name=username.replace("_", " ").title()
                )
                membership_grant(agency=agency, user=made[username], roles=roles, acting_user=None)
            worlds.append(SimpleNamespace(agency=agency, users=made, password=password))
    try:
        yield worlds
    finally:
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            from tenants.backup import public_tables_of_agency

            for world in worlds:
                agency = world.agency
                with transaction.atomic(), connection.cursor() as cursor:
                    # every shared row of the agency, found from the foreign keys (as its backup does):
                    # index and timeline, outbox, memberships, drafts, ratings, roll-ups, transfers …
                    # (one transaction: the deferred foreign keys are checked once, at the end)
                    tables = public_tables_of_agency(cursor, include_derived=True)
                    for table in sorted(tables, key=lambda t: -t.level):
                        cursor.execute(f'DELETE FROM public."{table.table}" WHERE {table.rows_of(agency)}')
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute(f'DROP SCHEMA "{agency.schema_name}" CASCADE')
                Agency.objects.filter(pk=agency.pk)._raw_delete(using="default")
                User.objects.filter(pk__in=[u.pk for u in world.users.values()])._raw_delete(using="default")
            for model in (CatalogueEvent, Component, Fee, ProcessStep, ProcedureVersion, Procedure):
                model.objects.all()._raw_delete(using="default")
            Sector.objects.filter(code=sector_code)._raw_delete(using="default")
            from tenants.directory import directory

            directory.bump()
