"""The look-up skips the per-request `SELECT 1` health check: a dead persistent connection is replaced
by one retry instead, so the citizen still gets an answer."""

import psycopg
from django.db import connection

from shared_apps.tracking.selectors import dossier_lookup
from tests.conftest import database_url_for_subprocess


def test_a_dead_database_connection_is_replaced_without_an_error(django_db_setup, django_db_blocker):
    # outside any test transaction (as under gunicorn): nothing is written, an unknown code is read
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        assert dossier_lookup(code="KHONG-CO-MA-NAY") is None
        pid = connection.connection.info.backend_pid
        with psycopg.connect(database_url_for_subprocess(), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        connection.health_check_done = False  # a new request: Django would send `SELECT 1` now
        assert dossier_lookup(code="KHONG-CO-MA-NAY") is None
        assert connection.connection.info.backend_pid != pid
        connection.close()
