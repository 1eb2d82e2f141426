"""Every bench script runs end to end in its --quick mode, as a separate process, against the test
server's PostgreSQL and Redis (each script creates and drops its own `<name>_quick` scratch databases),
and prints its target table. A bench that no longer starts, or that stopped printing its verdicts, fails
here rather than on the day somebody needs its figures."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection

from tests.conftest import database_url_for_subprocess

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
SCRIPTS = ["deadlines", "intake", "lookup", "merge", "migrate", "onboard", "reports", "routing"]
TARGET_TABLE = re.compile(
    r"^\|(?:.*\|)? target \|.*\|$", re.MULTILINE
)  # a Markdown header with a target column
TIMEOUT = 600  # a hung script fails the test instead of the suite

pytestmark = pytest.mark.bench


def _redis_db(url):
    path = urlsplit(url).path.strip("/") if url else ""
    return int(path) if path.isdigit() else 0


def bench_env():
    """The test run's PostgreSQL server (unix socket or TCP) and Redis, with a Redis database for the
    benches that is neither the application's nor the tests' own."""
    env = dict(os.environ)
    for key in ("BENCH_BASE_DATABASE_URL", "BENCH_BASE_REDIS_URL", "DJANGO_SETTINGS_MODULE", "EGOV_TESTING"):
        env.pop(key, None)
    env["DATABASE_URL"] = database_url_for_subprocess("postgres")
    redis_url = env.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    env["REDIS_URL"] = redis_url
    taken = {
        _redis_db(redis_url),
        _redis_db(env.get("TEST_REDIS_URL") or f"{redis_url.rsplit('/', 1)[0]}/15"),
    }
    env["BENCH_REDIS_DB"] = str(next(db for db in (14, 13, 10, 9, 8) if db not in taken))
    # the scratch databases are <name>_quick_<tag>: two test runs on one server never share one
    env["BENCH_SCRATCH_TAG"] = re.sub(r"[^a-z0-9_]", "_", connection.settings_dict["NAME"].lower())[-20:]
    return env


def leftover_scratch_databases(tag):
    import psycopg

    with psycopg.connect(database_url_for_subprocess("postgres")) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s ORDER BY 1", [f"egov_bench_%_quick_{tag}"]
        ).fetchall()
    return [r[0] for r in rows]


def bench_scripts():
    """bench/*.py files that are scripts (a main())."""
    return sorted(p.stem for p in BENCH.glob("*.py") if re.search(r"^def main\(", p.read_text(), re.M))


def test_every_bench_script_has_a_quick_run_here():
    assert bench_scripts() == sorted(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_bench_quick_run_ends_with_its_target_table_and_drops_its_databases(script):
    env = bench_env()
    before = set(leftover_scratch_databases(env["BENCH_SCRATCH_TAG"]))  # e.g. of an interrupted run
    proc = subprocess.run(
        [sys.executable, "-m", f"bench.{script}", "--quick"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    tail = f"\n--- stdout (end) ---\n{proc.stdout[-3000:]}\n--- stderr (end) ---\n{proc.stderr[-3000:]}"
    assert proc.returncode == 0, f"bench.{script} --quick exited {proc.returncode}" + tail
    assert TARGET_TABLE.search(proc.stdout), f"bench.{script} --quick printed no target table" + tail
    assert set(leftover_scratch_databases(env["BENCH_SCRATCH_TAG"])) - before == set()
