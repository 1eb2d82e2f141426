"""Why one hand-over can be one transaction: switching the tenant inside `transaction.atomic()` keeps
the same PostgreSQL transaction and only moves the search_path; a rollback undoes both schemas."""

import pytest
from django.db import connection, transaction

from tenant_apps.dossiers.models import CodeCounter
from tenant_apps.dossiers.services.handover import schema_of

pytestmark = pytest.mark.django_db


def _now():
    with connection.cursor() as cursor:
        cursor.execute("SELECT txid_current(), current_schema()")
        return cursor.fetchone()


def test_switching_schemas_inside_atomic_stays_in_one_transaction(two):
    with transaction.atomic():
        tx_commune, schema_commune = _now()
        with schema_of(two.department.agency):
            tx_department, schema_department = _now()
        assert _now() == (tx_commune, schema_commune)
    assert tx_commune == tx_department
    assert (schema_commune, schema_department) == (
        two.commune.agency.schema_name,
        two.department.agency.schema_name,
    )


def test_a_rollback_undoes_the_writes_in_both_schemas(two):
    from datetime import date

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        CodeCounter.objects.create(day=date(2026, 1, 2), last=7)
        with schema_of(two.department.agency):
            CodeCounter.objects.create(day=date(2026, 1, 2), last=9)
        raise Boom
    assert connection.schema_name == two.commune.agency.schema_name
    assert not CodeCounter.objects.filter(day=date(2026, 1, 2)).exists()
    with schema_of(two.department.agency):
        assert not CodeCounter.objects.filter(day=date(2026, 1, 2)).exists()
