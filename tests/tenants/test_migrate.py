import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from tenants.migration import required_migrations, schemas_behind

pytestmark = pytest.mark.django_db


def test_migrate_schemas_skips_schemas_that_are_up_to_date(city, capsys):
    call_command("migrate_schemas", tenant=True, interactive=False, verbosity=1)
    out = capsys.readouterr().out
    # template + every agency of the session fixture are current: nothing is applied
    assert "0 migrated" in out
    assert "Applying" not in out


def test_a_schema_that_is_behind_is_found_and_migrated(city):
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA behind_one")
    required = required_migrations()
    assert schemas_behind([settings.TENANT_TEMPLATE_SCHEMA, city.a.schema_name, "behind_one"], required) == [
        "behind_one"
    ]
    call_command("migrate_schemas", tenant=True, schema_name="behind_one", interactive=False, verbosity=0)
    connection.set_schema_to_public()
    assert schemas_behind(["behind_one"], required) == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('behind_one.workspace_notice') IS NOT NULL")
        assert cursor.fetchone()[0]
