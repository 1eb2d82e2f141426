"""Statistics at city scale: report II.06a and the city dashboard's data from the roll-ups
(shared_apps.reports), against the same city figure computed by UNION ALL over agency schemas.

    cd /work/main && .venv/bin/python -m bench.reports [--agencies 1000] [--rows 10000000]
                       [--union-agencies 1000] [--repeat 15] [--seed 1] [--db egov_bench_reports]
                       [--keep] [--reuse]
    cd /work/main && .venv/bin/python -m bench.reports --quick   # 20 agencies, 20,000 rows, 3 repeats,
                                                                # db egov_bench_reports_quick (tests/bench)

Set-up (scratch database, dropped at the end unless --keep; --reuse skips the set-up when the kept
database holds the data):
  1. migrate_schemas;
  2. the row trigger that feeds the roll-ups is DISABLED, then `manage.py seed_bench_index --agencies N
     --rows R --events-per-row 0` loads the public index (COPY; agencies without schemas; states, channels,
     appointments and verdicts that depend on each dossier's age; see that command);
  3. the trigger is enabled again and `manage.py reports_rebuild` computes the roll-ups set-based
     (what a deployment does after a bulk load);
  4. --union-agencies agency schemas are created, each with a `dossiers_dossier` table holding that
     agency's dossiers (the columns II.06a needs, copied from the index) and the indexes an agency
     schema has on them (received_at; state, due_at) — with a progress bar.

Timed (each --repeat times after 2 warm-ups, median / p95 / max, milliseconds, server-side in this
process, its start-up objects frozen out of the garbage collector's reach as a web process does —
config/startup.py):
  * selector  ii06a() for the whole city, last full calendar year and the current year; the city
    dashboard's data (dashboard_get: table by agency + trend + 766 indicators + compliance); the same
    for one agency (the median-sized one);
  * http      the API through Django's full handler (middleware, session auth, DRF, JSON) with
    django.test.Client, logged in as a city administrator: /api/v1/reports/ii06a/ and
    /api/v1/reports/dashboard/, city and one agency (scope=co-quan:<slug>);
  * union     the same city II.06a totals (last full year) by ONE query over UNION ALL of the agency
    schemas' dossier tables (2 runs: it is slow), and a check that it gives the same numbers.

Targets (issue #7): city ≤ 100 ms, one agency ≤ 20 ms, server-side.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from bench import common

DB = "egov_bench_reports"
SCHEMA_PREFIX = "bench_rep_"


def bar(done, total, started, label=""):
    width = 30
    filled = int(width * done / total) if total else width
    elapsed = time.perf_counter() - started
    eta = elapsed / done * (total - done) if done else 0
    sys.stdout.write(
        f"\r  {label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
        f"{elapsed:.0f} s elapsed, ~{eta:.0f} s left "
    )
    if done >= total:
        sys.stdout.write("\n")
    sys.stdout.flush()


def timed(fn, repeat, warm=2):
    for _ in range(warm):
        fn()
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def row(label, ms, target=None):
    med, p95 = statistics.median(ms), common.percentile(ms, 95)
    verdict = (
        ""
        if target is None
        else ("met" if p95 <= target else ("median met, p95 missed" if med <= target else "MISSED"))
    )
    return [
        label,
        len(ms),
        f"{med:.1f}",
        f"{p95:.1f}",
        f"{max(ms):.1f}",
        f"≤ {target}" if target else "",
        verdict,
    ]


UNION_FIGURES = """
  count(*) FILTER (WHERE received_at >= %(s)s AND received_at < %(e)s AND channel = 'online'),
  count(*) FILTER (WHERE received_at >= %(s)s AND received_at < %(e)s AND channel <> 'online'),
  count(*) FILTER (WHERE received_at < %(s)s AND NOT (COALESCE(finished_at < %(s)s, false) OR (finished_at IS NULL
                   AND national_status NOT IN (2, 4, 5, 6) AND updated_at < %(s)s))),
  count(*) FILTER (WHERE finished_at >= %(s)s AND finished_at < %(e)s AND timeliness = 'early'),
  count(*) FILTER (WHERE finished_at >= %(s)s AND finished_at < %(e)s AND timeliness = 'on_time'),
  count(*) FILTER (WHERE finished_at >= %(s)s AND finished_at < %(e)s AND timeliness = 'late'),
  count(*) FILTER (WHERE finished_at IS NULL AND national_status NOT IN (2, 4, 5, 6)
                   AND updated_at >= %(s)s AND updated_at < %(e)s),
  count(*) FILTER (WHERE received_at < %(e)s AND NOT (COALESCE(finished_at < %(e)s, false) OR (finished_at IS NULL
                   AND national_status NOT IN (2, 4, 5, 6) AND updated_at < %(e)s))),
  count(*) FILTER (WHERE received_at < %(e)s AND due_at < %(e)s AND NOT is_paused
                   AND NOT (COALESCE(finished_at < %(e)s, false) OR (finished_at IS NULL
                   AND national_status NOT IN (2, 4, 5, 6) AND updated_at < %(e)s)))
"""
# in_progress_overdue: a dossier waiting for the citizen's supplement (paused: its clock stopped) is
# not overdue; for a past period end its pause state is the current one, as in the roll-ups.
UNION_NAMES = (
    "received_online",
    "received_offline",
    "carried_over",
    "settled_early",
    "settled_on_time",
    "settled_late",
    "closed_other",
    "in_progress",
    "in_progress_overdue",
)
COPY_COLUMNS = (
    "id",
    "procedure_id",
    "state",
    "national_status",
    "channel",
    "received_at",
    "due_at",
    "finished_at",
    "timeliness",
    "supplement_count",
    "is_paused",
    "updated_at",
)


def build_agency_schemas(cur, agency_ids):
    started = time.perf_counter()
    cols = ", ".join(COPY_COLUMNS)
    for i, (n, pk) in enumerate(agency_ids, 1):
        schema = f"{SCHEMA_PREFIX}{n:05d}"
        cur.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
        cur.execute(
            f"CREATE TABLE {schema}.dossiers_dossier AS SELECT {cols} FROM public.tracking_dossierindex "
            "WHERE agency_id = %s AND received_at IS NOT NULL",
            [pk],
        )
        cur.execute(
            f"CREATE INDEX ON {schema}.dossiers_dossier (received_at); "
            f"CREATE INDEX ON {schema}.dossiers_dossier (state, due_at)"
        )
        if i % 10 == 0 or i == len(agency_ids):
            bar(i, len(agency_ids), started, "agency schemas")
    return time.perf_counter() - started


def union_sql(schemas):
    branches = " UNION ALL ".join(
        f"SELECT received_at, finished_at, due_at, updated_at, channel, timeliness, national_status, is_paused "
        f"FROM {s}.dossiers_dossier"
        for s in schemas
    )
    return f"SELECT {UNION_FIGURES} FROM ({branches}) d"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--agencies", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument(
        "--union-agencies", type=int, default=None, help="agency schemas (default: --agencies)"
    )
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--db", default=None, help=f"scratch database (default {DB}, with --quick {DB}_quick)"
    )
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    common.add_quick_argument(parser)
    args = parser.parse_args()
    if args.quick:
        args.agencies, args.rows, args.union_agencies, args.repeat = 20, 20_000, 20, 3
    args.db = args.db or common.scratch_name(DB, args.quick)
    union_n = args.union_agencies if args.union_agencies is not None else args.agencies

    common.header(
        "bench/reports.py — II.06a and the city dashboard from the roll-ups vs UNION ALL", "bench.reports"
    )
    wall = time.perf_counter()
    reuse = False
    if args.reuse:
        try:
            import psycopg

            with psycopg.connect(common.database_url(args.db)) as c:
                n = c.execute("SELECT count(*) FROM tracking_dossierindex").fetchone()[0]
                reuse = n == args.rows
        except Exception:  # noqa: BLE001 - no such database: build it
            reuse = False
    if not reuse:
        common.create_database(args.db)
    os.environ.update(common.bench_env(args.db))
    try:
        common.flush_bench_redis()
        common.setup_django()
        import logging

        from django.db import connection

        logging.getLogger("django.request").setLevel(logging.ERROR)
        setup = []
        if not reuse:
            t = common.migrate_schemas_in_process()
            setup.append(("migrate_schemas", t))
            with connection.cursor() as cur:
                cur.execute("ALTER TABLE tracking_dossierindex DISABLE TRIGGER reports_index_rollup")
            connection.close()
            print("\nmanage.py seed_bench_index (its output):")
            sys.stdout.flush()
            t, _ = common.manage(
                [
                    "seed_bench_index",
                    "--agencies",
                    str(args.agencies),
                    "--rows",
                    str(args.rows),
                    "--events-per-row",
                    "0",
                    "--seed",
                    str(args.seed),
                ],
                args.db,
                capture=False,
            )
            setup.append((f"seed_bench_index ({args.rows:,} rows, trigger disabled)", t))
            with connection.cursor() as cur:
                cur.execute("ALTER TABLE tracking_dossierindex ENABLE TRIGGER reports_index_rollup")
            connection.close()
            t, proc = common.manage(["reports_rebuild"], args.db)
            setup.append(("reports_rebuild (roll-ups from the index, set-based)", t))
            print(proc.stdout.strip())
        from django.utils import timezone

        from shared_apps.reports.dashboard import dashboard_get
        from shared_apps.reports.periods import Period
        from shared_apps.reports.scopes import scope_of_agency, scope_resolve
        from shared_apps.reports.selectors import ii06a
        from tenants.directory import directory

        with connection.cursor() as cur:
            cur.execute(
                "SELECT a.id, a.slug, count(*) FROM tenants_agency a JOIN tracking_dossierindex i "
                "ON i.agency_id = a.id WHERE a.slug LIKE 'bench-lookup-%%' GROUP BY 1, 2 ORDER BY 3, 1"
            )
            sizes = cur.fetchall()
            median_agency = sizes[len(sizes) // 2]
            cur.execute("SELECT id FROM tenants_agency WHERE slug LIKE 'bench-lookup-%%' ORDER BY id")
            bench_ids = [r[0] for r in cur.fetchall()]
            if not reuse or not _schemas_present(cur, union_n):
                print(f"\nagency schemas for the UNION ALL comparison ({union_n}):")
                t = build_agency_schemas(cur, list(enumerate(bench_ids[:union_n], 1)))
                cur.execute("ANALYZE")
                setup.append(
                    (f"{union_n} agency schemas with their dossiers (CREATE TABLE AS + 2 indexes)", t)
                )
            for table in (
                "reports_flow",
                "reports_flow_agency",
                "reports_open",
                "reports_late",
                "tracking_dossierindex",
            ):
                cur.execute(f"SELECT count(*), pg_total_relation_size('{table}') FROM {table}")
                n, size = cur.fetchone()
                setup.append((f"size: {table}", f"{n:,} rows, {size / 1024**2:.0f} MiB"))
            cur.execute("SHOW shared_buffers")
            shared_buffers = cur.fetchone()[0]

        print("\n## set-up\n")
        print(
            common.md_table(
                ["step", "s / size"], [[k, f"{v:.1f}" if isinstance(v, float) else v] for k, v in setup]
            )
        )
        print(
            f"postgres shared_buffers={shared_buffers}; median agency {median_agency[1]} "
            f"({median_agency[2]:,} dossiers)"
        )

        today = timezone.localdate()
        year = Period.year(today.year - 1)
        this_year = Period.current_year()
        city = scope_resolve("thanh-pho")
        directory.invalidate_local()
        agency = directory.by_slug(median_agency[1])
        one = scope_of_agency(agency)
        # as a web process does once loaded (config/wsgi.py): long-lived objects out of the collector's reach
        from config.startup import freeze_startup_objects

        freeze_startup_objects()
        results = []
        R = args.repeat
        results.append(row(f"selector: ii06a city, {year.label}", timed(lambda: ii06a(period=year), R), 100))
        results.append(
            row(
                f"selector: ii06a city, {this_year.label} (current)",
                timed(lambda: ii06a(period=this_year), R),
                100,
            )
        )
        results.append(
            row(
                f"selector: ii06a city by agency, {year.label}",
                timed(lambda: ii06a(period=year, by="agency"), R),
                100,
            )
        )
        results.append(
            row(
                f"selector: city dashboard data, {year.label}",
                timed(lambda: dashboard_get(scope=city, period=year), R),
                100,
            )
        )
        results.append(
            row(
                f"selector: ii06a one agency, {year.label}",
                timed(lambda: ii06a(period=year, agency_ids=[agency.pk]), R),
                20,
            )
        )
        results.append(
            row(
                f"selector: agency dashboard data, {year.label}",
                timed(lambda: dashboard_get(scope=one, period=year), R),
                20,
            )
        )

        from django.test import Client

        from shared_apps.accounts.models import User

        admin = User.objects.filter(username="bench_reports_admin").first() or User.objects.create_user(
            username="bench_reports_admin", password="x-bench-1", is_city_admin=True
        )
        client = Client()
        client.force_login(admin)

        def get(url):
            def fn():
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code, response.content[:300])

            return fn

        y = year.code
        results.append(
            row(
                f"http: GET /api/v1/reports/ii06a/?period={y} (city, by agency)",
                timed(get(f"/api/v1/reports/ii06a/?period={y}"), R),
                100,
            )
        )
        results.append(
            row(
                f"http: GET /api/v1/reports/dashboard/?period={y} (city)",
                timed(get(f"/api/v1/reports/dashboard/?period={y}"), R),
                100,
            )
        )
        results.append(
            row(
                f"http: GET /api/v1/reports/ii06a/?period={y}&scope=co-quan:… (one agency)",
                timed(get(f"/api/v1/reports/ii06a/?period={y}&scope=co-quan:{agency.slug}&by=agency"), R),
                20,
            )
        )
        results.append(
            row(
                f"http: GET /api/v1/reports/dashboard/?period={y}&scope=co-quan:… (one agency)",
                timed(get(f"/api/v1/reports/dashboard/?period={y}&scope=co-quan:{agency.slug}"), R),
                20,
            )
        )

        print("\n## timings (ms, server-side, in this process)\n")
        print(common.md_table(["what", "n", "median", "p95", "max", "target", "verdict"], results))
        sys.stdout.flush()

        # UNION ALL over the agency schemas, same figures
        from shared_apps.reports.scopes import period_bounds

        start, end = period_bounds(year)
        schemas = [f"{SCHEMA_PREFIX}{n:05d}" for n in range(1, union_n + 1)]
        sql = union_sql(schemas)
        with connection.cursor() as cur:

            def union():
                cur.execute(sql, {"s": start, "e": end})
                return cur.fetchone()

            union_ms = timed(union, 2, warm=0)
            values = dict(zip(UNION_NAMES, union(), strict=True))
        # the baseline of the comparison: no target of its own (the ratio to the roll-ups is what counts)
        union_row = row(
            f"union: city II.06a totals {year.label}, UNION ALL over {union_n} agency schemas (baseline)",
            union_ms,
        )
        selector_ids = bench_ids[:union_n] if union_n < len(bench_ids) else None
        mine = ii06a(period=year, agency_ids=selector_ids).totals
        same = {k: (values[k], getattr(mine, k)) for k in UNION_NAMES}
        rollup_ms = timed(lambda: ii06a(period=year, agency_ids=selector_ids), 15)
        rollup_row = row("roll-ups: the same totals by `ii06a` (same run, right after)", rollup_ms, 100)
        print(
            common.md_table(
                ["what", "n", "median", "p95", "max", "target", "verdict"], [union_row, rollup_row]
            )
        )
        print(
            f"\nUNION ALL / roll-ups (medians): {statistics.median(union_ms) / statistics.median(rollup_ms):,.0f}×"
        )
        print("\n## roll-ups vs UNION ALL, same figures (" + year.label + ")\n")
        print(
            common.md_table(
                ["figure", "UNION ALL over schemas", "roll-ups", "equal"],
                [[k, f"{a:,}", f"{b:,}", "yes" if a == b else "NO"] for k, (a, b) in same.items()],
            )
        )
        print(f"\nwall time: {time.perf_counter() - wall:.0f} s")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            common.drop_database(args.db)
            print(f"scratch database {args.db} dropped")


def _schemas_present(cur, n):
    cur.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE %s", [SCHEMA_PREFIX + "%"])
    return cur.fetchone()[0] >= n


if __name__ == "__main__":
    main()
