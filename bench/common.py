"""Shared helpers for the bench/ scripts: scratch databases, environment, Django set-up, statistics,
machine description and valid agency identities.

Every bench creates its own scratch database on the PostgreSQL server named by DATABASE_URL (only the
server part is used; default postgres://postgres@127.0.0.1:5432), drops it first if it exists and drops
it again at the end. Redis: the host of REDIS_URL (default 127.0.0.1:6379), database 14 (BENCH_REDIS_DB).
With --quick (every script has it) the scratch databases are called <name>_quick.
"""

from __future__ import annotations

import math
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SETTINGS = "config.settings.bench"
BENCH_REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "14"))  # tests/bench picks one clear of the tests'
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"

NATIONAL_CODE_RE = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2}$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))


# --- addresses -----------------------------------------------------------------------------------
def server_url():
    """postgres://user@host:port of the server to create scratch databases on (no database name). A
    unix-socket server works in both spellings: the percent-encoded socket directory as the host
    (deploy/local.py's embedded PostgreSQL) or `?host=/dir` (kept as the query)."""
    base = os.environ.get("BENCH_BASE_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_SERVER
    parts = urlsplit(base)
    return urlunsplit((parts.scheme or "postgres", parts.netloc, "", parts.query, ""))


def database_url(dbname):
    parts = urlsplit(server_url())
    return urlunsplit((parts.scheme, parts.netloc, f"/{dbname}", parts.query, ""))


def redis_url():
    base = os.environ.get("BENCH_BASE_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379"
    parts = urlsplit(base)
    return urlunsplit((parts.scheme or "redis", parts.netloc, f"/{BENCH_REDIS_DB}", "", ""))


def bench_env(dbname):
    """Environment for a process that runs the project against the scratch database."""
    env = dict(os.environ)
    # Keep the operator's server/redis base for child bench processes, then point at the scratch db.
    env.setdefault("BENCH_BASE_DATABASE_URL", server_url())
    env.setdefault("BENCH_BASE_REDIS_URL", redis_url())
    env.update(
        DATABASE_URL=database_url(dbname),
        REDIS_URL=redis_url(),
        DJANGO_SETTINGS_MODULE=SETTINGS,
        PYTHONPATH=str(PROJECT_DIR) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.pop("EGOV_CACHE", None)  # benches use the real Redis
    return env


# --- quick mode ----------------------------------------------------------------------------------
QUICK_SUFFIX = "_quick"


def add_quick_argument(parser):
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small scale, every part end to end in well under a minute, on its own scratch database "
        f"(<name>{QUICK_SUFFIX}, so a kept full-size database is never touched); tests/bench runs it",
    )


def scratch_name(name, quick):
    """The scratch database of a run: `name` for a full run, `name_quick` for a --quick one, plus
    BENCH_SCRATCH_TAG if set (tests/bench: one per test database, so that concurrent test runs on one
    server never drop each other's)."""
    if not quick:
        return name
    tag = os.environ.get("BENCH_SCRATCH_TAG", "")
    if tag and not re.fullmatch(r"[a-z0-9_]{1,20}", tag):
        raise ValueError(f"BENCH_SCRATCH_TAG must be 1-20 of [a-z0-9_], not {tag!r}")
    return f"{name}{QUICK_SUFFIX}{'_' + tag if tag else ''}"


# --- scratch databases ---------------------------------------------------------------------------
def _admin_connect():
    import psycopg

    return psycopg.connect(database_url("postgres"), autocommit=True)


def _ident(name):
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"unsafe database name {name!r}")
    return f'"{name}"'


def drop_database(dbname):
    with _admin_connect() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_ident(dbname)} WITH (FORCE)")


def create_database(dbname):
    drop_database(dbname)
    with _admin_connect() as conn:
        conn.execute(f"CREATE DATABASE {_ident(dbname)}")
    return database_url(dbname)


@contextmanager
def scratch_database(dbname, keep=False):
    """Create the scratch database (dropping a leftover first), point this process at it, drop it at
    the end (unless keep)."""
    create_database(dbname)
    os.environ.update(bench_env(dbname))
    try:
        yield database_url(dbname)
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass
        if not keep:
            drop_database(dbname)


def flush_bench_redis():
    import redis

    redis.Redis.from_url(redis_url()).flushdb()


def setup_django(settings_module=SETTINGS):
    """django.setup() with the bench settings; call after scratch_database() set the environment."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()


def migrate_schemas_in_process():
    """Build public + template schemas (our default executor), returns seconds."""
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate_schemas", interactive=False, verbosity=0)
    return time.perf_counter() - started


def manage(args, dbname, check=True, capture=True):
    """Run manage.py in a subprocess against the scratch db; returns (seconds, CompletedProcess)."""
    started = time.perf_counter()
    proc = subprocess.run(
        [PYTHON, str(PROJECT_DIR / "manage.py"), *args],
        cwd=PROJECT_DIR,
        env=bench_env(dbname),
        capture_output=capture,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if check and proc.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return elapsed, proc


# --- statistics ----------------------------------------------------------------------------------
def percentile(values, pct):
    """Nearest-rank percentile (p95 of 20 samples is the 19th smallest)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(values):
    return {
        "n": len(values),
        "median": statistics.median(values) if values else float("nan"),
        "p95": percentile(values, 95),
        "min": min(values) if values else float("nan"),
        "max": max(values) if values else float("nan"),
    }


def md_table(headers, rows):
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        out.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(out)


def fmt_s(seconds, digits=4):
    return f"{seconds:.{digits}f}"


# --- machine -------------------------------------------------------------------------------------
def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _ram_gib():
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def _pg_version():
    try:
        with _admin_connect() as conn:
            return "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0]
    except Exception as exc:  # pragma: no cover
        return f"PostgreSQL ? ({exc.__class__.__name__})"


def machine_description():
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",) * 3
    return (
        f"nproc={os.cpu_count()}, RAM={_ram_gib():.1f} GiB, CPU={_cpu_model()}, {_pg_version()}, "
        f"Python {platform.python_version()}, loadavg(1m)={load[0]:.2f}"
    )


# --- agency identities ---------------------------------------------------------------------------
def synthetic_code(n, suffix="H31"):
    """A valid, unique national code for synthetic bench agency number n (0 <= n < 100000); the first
    group starts with 9 so it never collides with the Hai Phong codes used by the city run."""
    if not 0 <= n < 100000:
        raise ValueError(n)
    return f"9{n // 10000:02d}.{(n // 100) % 100:02d}.{n % 100:02d}.{suffix}"


def synthetic_agency(n, label="Cơ quan thử nghiệm"):
    from tenants.services import slug_for_name

    name = f"{label} {n:05d}"
    return {"name": name, "slug": slug_for_name(name), "kind": "commune", "national_code": synthetic_code(n)}


def check_identities(agencies):
    """Raise if any national code or slug is malformed or duplicated; returns a one-line verdict."""
    codes = [a["national_code"] for a in agencies]
    slugs = [a["slug"] for a in agencies]
    bad_codes = [c for c in codes if not NATIONAL_CODE_RE.match(c)]
    bad_slugs = [s for s in slugs if not SLUG_RE.match(s)]
    problems = []
    if bad_codes:
        problems.append(f"malformed codes {bad_codes[:5]}")
    if bad_slugs:
        problems.append(f"malformed slugs {bad_slugs[:5]}")
    if len(set(codes)) != len(codes):
        problems.append("duplicate national codes")
    if len(set(slugs)) != len(slugs):
        problems.append("duplicate slugs")
    if problems:
        raise AssertionError("; ".join(problems))
    return f"{len(agencies)} national codes valid+unique, {len(slugs)} slugs valid+unique"


def remove_agency(agency):
    """Drop an agency created by a bench sample, so a condition's agency count stays put. Not timed.

    As an operator would, never through `Agency.delete()`: Django's collector would follow the
    tenant apps' foreign keys to the agency and query their tables in the public schema, where they do
    not exist. The agency's rows in the shared tables are found the way the backup finds them
    (tenants.backup.public_tables_of_agency, derived report rows included) and deleted children first;
    then the agency row and its schema."""
    from django.db import connection, transaction

    from tenants.backup import AGENCY_TABLE, public_tables_of_agency

    connection.set_schema_to_public()
    with transaction.atomic(), connection.cursor() as cursor:
        tables = public_tables_of_agency(cursor, include_derived=True)
        for table in sorted(tables, key=lambda t: -t.level):
            cursor.execute(f'DELETE FROM public."{table.table}" WHERE {table.rows_of(agency)}')
        cursor.execute(f'DELETE FROM public."{AGENCY_TABLE}" WHERE id = %s', [agency.pk])
        cursor.execute(f'DROP SCHEMA IF EXISTS "{agency.schema_name}" CASCADE')


def drop_schema(schema_name):
    from django.db import connection

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')


def count_schemas(prefix=""):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%%' "
            "AND nspname NOT IN ('public', 'information_schema') AND nspname LIKE %s",
            [prefix.replace("_", "\\_") + "%"],
        )
        return cursor.fetchone()[0]


def _tree_state():
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_DIR, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
        ).stdout.strip()
        return f"git {head}" + (" + uncommitted changes" if dirty else "")
    except OSError:
        return "unknown"


def header(title, module):
    cmd = " ".join([".venv/bin/python -m", module, *sys.argv[1:]])
    print(f"# {title}")
    print(f"machine: {machine_description()}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    print(f"command: {cmd}")
    print(f"tree: {_tree_state()}")
    if "--quick" in sys.argv:
        print("quick run: small scale to check the script end to end; its figures are not measurements")
    sys.stdout.flush()
