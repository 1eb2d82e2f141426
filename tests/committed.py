"""Committed test data, for tests whose other side has its own database connection (threads, a
server thread driven by a browser, a Celery worker). Everything made here is removed afterwards with
raw deletes (the ORM's collector would look for related rows in agency schemas)."""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection


@contextmanager
def committed_agency(django_db_blocker, *, slug, national_code, users, password="mat-khau-thu-1",
                     sector_code="ho-tich-committed"):
    """An agency with the birth-registration procedure adopted and one user per (username, roles)."""
    from shared_apps.accounts.models import Membership, User
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
    from shared_apps.tracking.models import DossierIndex, IndexEvent
    from tenants.models import Agency, AgencyEvent
    from tenants.services import agency_onboard
    from tests.catalogue.conftest import publish

    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        calendar_city_ensure()
        sector = sector_ensure(code=sector_code, name="Hộ tịch", acting_user=None)
        publish("1.001193", "Đăng ký khai sinh", sector, time_limit=Decimal("3"))
        agency = agency_onboard(name=f"Phường {slug}", slug=slug, kind="ward", national_code=national_code,
                                acting_user=None)
        made = {}
        for username, roles in users.items():
            made[username] = User.objects.create_user(username=username, password=password,
                                                      full_name=username.replace("_", " ").title())
            membership_grant(agency=agency, user=made[username], roles=roles, acting_user=None)
    try:
        yield SimpleNamespace(agency=agency, users=made, password=password)
    finally:
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            from shared_apps.notifications.models import OutboxMessage

            OutboxMessage.objects.filter(agency=agency)._raw_delete(using="default")
            IndexEvent.objects.filter(entry__agency=agency)._raw_delete(using="default")
            DossierIndex.objects.filter(agency=agency)._raw_delete(using="default")
            Membership.objects.filter(agency=agency)._raw_delete(using="default")
            AgencyEvent.objects.filter(agency=agency)._raw_delete(using="default")
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA "{agency.schema_name}" CASCADE')
            Agency.objects.filter(pk=agency.pk)._raw_delete(using="default")
            User.objects.filter(pk__in=[u.pk for u in made.values()])._raw_delete(using="default")
            for model in (CatalogueEvent, Component, Fee, ProcessStep, ProcedureVersion, Procedure):
                model.objects.all()._raw_delete(using="default")
            Sector.objects.filter(code=sector_code)._raw_delete(using="default")
            from tenants.directory import directory

            directory.bump()
