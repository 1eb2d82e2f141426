"""The whole-city backup: one exported snapshot, pg_dump per batch of agency schemas, and the parts
restore into an empty database with every schema and every shared row."""

from __future__ import annotations

import subprocess
import uuid

import psycopg
import pytest
from django.db import connection

from deploy.backup_city import backup_city, pg_tool
from tests.conftest import database_url_for_subprocess

pytestmark = pytest.mark.django_db(transaction=False)


def _url(dbname):
    # Through the shared helper: the embedded PostgreSQL of `make test` is reached by a unix socket.
    return database_url_for_subprocess(dbname)


def _facts(url):
    with psycopg.connect(url) as conn:
        schemas = [
            r[0]
            for r in conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'ag\\_%' ORDER BY 1"
            ).fetchall()
        ]
        agencies = conn.execute("SELECT slug, schema_name FROM tenants_agency ORDER BY slug").fetchall()
        users = conn.execute("SELECT count(*) FROM accounts_user").fetchone()[0]
        tables = conn.execute("""SELECT count(*) FROM pg_tables WHERE schemaname LIKE 'ag\\_%'""").fetchone()[
            0
        ]
    return schemas, agencies, users, tables


def test_city_backup_in_batches_restores_every_schema_into_an_empty_database(city, tmp_path):
    source = _url(connection.settings_dict["NAME"])
    manifest = backup_city(database_url=source, out=tmp_path / "city", batch=1, progress=lambda line: None)
    schemas, agencies, users, tables = _facts(source)
    assert manifest["agency_schemas"] == len(agencies) >= 2
    assert len(manifest["parts"]) == 1 + len(agencies)  # public, then one part per agency (batch=1)

    scratch = f"egov_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{scratch}"')
    try:
        for i, name in enumerate(manifest["restore_order"]):
            clean = ["--clean", "--if-exists"] if i == 0 else []  # the new database's own empty public
            result = subprocess.run(
                [
                    pg_tool("pg_restore", server_major=connection.pg_version // 10000),
                    "--no-owner",
                    *clean,
                    f"--dbname={_url(scratch)}",
                    str(tmp_path / "city" / name),
                ],
                capture_output=True,
                text=True,
            )
            assert result.returncode == 0, result.stderr
        assert _facts(_url(scratch)) == (schemas, agencies, users, tables)
    finally:
        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def test_city_backup_refuses_to_overwrite_an_earlier_backup(city, tmp_path):
    (tmp_path / "city").mkdir()
    with pytest.raises(FileExistsError):
        backup_city(
            database_url=_url(connection.settings_dict["NAME"]),
            out=tmp_path / "city",
            progress=lambda line: None,
        )
