"""A merger of N agencies holding M dossiers each into one new agency (issue #6: 10 x 10,000 in <= 60 s).

    cd /work/main && .venv/bin/python -m bench.merge [--agencies 10] [--per-agency 10000] [--orm-sample 500]
    cd /work/main && .venv/bin/python -m bench.merge --quick   # 2 x 50 dossiers, 10 by ORM (tests/bench)

Scratch database egov_bench_merge_h (egov_bench_merge_h_quick with --quick; dropped first and at the end). Untimed set-up: migrate, one
published commune procedure, N agencies onboarded with tenants.services.agency_onboard, then per
agency M realistic dossiers generated with set-based SQL (one INSERT ... SELECT per table from a
template row written by the ORM, so every column the models have is filled): states cycling through
10 states (7 in progress, 3 closed), 3 components, 5 events, a pause for the paused states, the
public index row with 2 public timeline events (roll-up trigger off while generating, then the
reports app's set-based rebuild, which re-creates the trigger), ANALYZE.

Timed: `tenants.merge.agencies_merge(sources=<N slugs>, new_agency={...})` — the whole production
call (onboarding of the new target, one transaction, commit), phases timed inside.

Baselines in the same run, on the same data:
  pg_dump|psql   `pg_dump -n <the N source schemas> | psql <another scratch db>` (that db gets the
                 public schema first, untimed, so the foreign keys hold): moving the same schemas
                 wholesale with the stock tools, every dossier (closed ones too) without any of the
                 merger's work;
  orm-sample     carrying --orm-sample dossiers with the ORM, object by object (dossier, components,
                 pauses, events, index row, one transfer event each), inside a rolled-back
                 transaction; extrapolated to the number of dossiers the merger carried.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import time
from decimal import Decimal

from bench import common

DB = "egov_bench_merge_h"
DUMP_DB = "egov_bench_merge_h_dump"
STATES = [
    "received",
    "in_appraisal",
    "awaiting_approval",
    "approved",
    "supplement_requested",
    "financial_obligation",
    "finished",
    "returned",
    "refused",
    "withdrawn",
]
ACTIONS = ["register", "accept", "assign", "appraise", "submit_for_approval"]


def seed_catalogue():
    from shared_apps.catalogue.content import ComponentSpec, FeeSpec, VersionContent
    from shared_apps.catalogue.services import (
        procedure_draft_create,
        procedure_version_publish,
        sector_ensure,
    )

    sector = sector_ensure(code="ho-tich", name="Hộ tịch", acting_user=None)
    content = VersionContent(
        levels=("commune",),
        channels=("in_person", "online"),
        time_limit=Decimal("3"),
        time_unit="working_days",
        online_mode="full",
        source="bench",
        components=(
            ComponentSpec("Tờ khai đăng ký khai sinh", "original", 1, True),
            ComponentSpec("Giấy chứng sinh", "original", 1, True),
            ComponentSpec("Giấy tờ chứng minh nơi cư trú", "copy", 1, False),
        ),
        fees=(FeeSpec("Lệ phí", 8000, "UBND xã"),),
    )
    version = procedure_draft_create(
        national_code="1.001193", name="Đăng ký khai sinh", sector=sector, content=content, acting_user=None
    )
    return procedure_version_publish(version=version, acting_user=None)


def clone_rows(cursor, schema, table, template_id, overrides, source_sql, params=()):
    """INSERT INTO schema.table (every column but id) SELECT override-or-template-value FROM
    <source_sql> CROSS JOIN the template row."""
    from tenants.copier import q, table_columns

    cols = [c[0] for c in table_columns(cursor, schema, table) if c[0] != "id"]
    exprs = [overrides.get(c, f"tpl.{q(c)}") for c in cols]
    cursor.execute(
        f"INSERT INTO {q(schema)}.{q(table)} ({', '.join(q(c) for c in cols)}) SELECT {', '.join(exprs)} "
        f"FROM {source_sql} CROSS JOIN (SELECT * FROM {q(schema)}.{q(table)} WHERE id = {int(template_id)}) tpl",
        list(params),
    )
    return cursor.rowcount


def generate(agency, version, per_agency):
    """M dossiers in the agency's schema and their public index rows, set-based."""
    from django.db import connection, transaction
    from django.utils import timezone

    from shared_apps.tracking.models import DossierIndex, IndexEvent
    from tenant_apps.dossiers.models import Dossier, DossierComponent, DossierEvent, DossierPause

    s = agency.schema_name
    now = timezone.now()
    with transaction.atomic():
        connection.set_tenant(agency)
        tpl = Dossier.objects.create(
            procedure_id=version.procedure_id,
            procedure_version=version,
            state="received",
            channel="in_person",
            applicant_name="Mẫu",
            applicant_address="Thôn 1",
            received_at=now,
            counted_from=now,
            due_at=now,
            original_due_at=now,
            time_limit=Decimal("3"),
            time_unit="working_days",
            current_step="assign",
            fees_total=8000,
        )
        comp = DossierComponent.objects.create(
            dossier=tpl,
            position=1,
            name="Tờ khai",
            form="original",
            provided=True,
            file=f"{s}/dossiers/0/mau.pdf",
            file_type="application/pdf",
        )
        event = DossierEvent.objects.create(
            dossier=tpl, seq=1, action="register", to_state="new", at=now, actor_name="Cán bộ một cửa"
        )
        pause = DossierPause.objects.create(
            dossier=tpl, kind="supplement", started_at=now, reason="Thiếu bản chính"
        )
        connection.set_schema_to_public()
        ix = DossierIndex.objects.create(
            agency=agency,
            dossier_id=0,
            code=None,
            procedure_id=version.procedure_id,
            procedure_name="Đăng ký khai sinh",
            state="received",
            national_status=2,
            channel="in_person",
        )
        ie = IndexEvent.objects.create(
            entry=ix, at=now, action="accept", national_status=2, agency_name=agency.name
        )
        states = "ARRAY[" + ", ".join(f"'{x}'" for x in STATES) + "]"
        code = agency.national_code  # digits and dots only
        with connection.cursor() as cursor:
            clone_rows(
                cursor,
                s,
                "dossiers_dossier",
                tpl.pk,
                {
                    "code": f"'{code}-' || to_char(date '2026-01-01' + (g.n / 1000), 'YYMMDD') || '-' || "
                    "lpad((mod(g.n, 1000) + 1)::text, 4, '0')",
                    "state": f"({states})[mod(g.n, 10) + 1]",
                    "applicant_name": "'Công dân ' || g.n",
                    "applicant_phone": "'09' || lpad(g.n::text, 8, '0')",
                    "applicant_id_number": "'0310990' || lpad(g.n::text, 5, '0')",
                    "received_at": "g.rcv",
                    "counted_from": "g.rcv",
                    "registered_at": "g.rcv",
                    "due_at": "g.rcv + interval '3 days'",
                    "original_due_at": "g.rcv + interval '3 days'",
                    "paused_since": "CASE WHEN mod(g.n, 10) IN (4, 5) THEN g.rcv + interval '1 day' END",
                    "resume_state": "CASE WHEN mod(g.n, 10) IN (4, 5) THEN 'in_appraisal' ELSE '' END",
                    "finished_at": "CASE WHEN mod(g.n, 10) IN (6, 7) THEN g.rcv + interval '2 days' END",
                    "returned_at": "CASE WHEN mod(g.n, 10) = 7 THEN g.rcv + interval '2 days' END",
                },
                "(SELECT n, %s::timestamptz - (n || ' minutes')::interval AS rcv FROM generate_series(1, %s) AS n) g",
                [now, per_agency],
            )
            others = f'(SELECT id, received_at, state FROM "{s}".dossiers_dossier WHERE id <> {tpl.pk}) d'
            clone_rows(
                cursor,
                s,
                "dossiers_dossiercomponent",
                comp.pk,
                {
                    "dossier_id": "d.id",
                    "position": "p.n",
                    "name": "'Thành phần số ' || p.n",
                    "file": f"'{s}/dossiers/' || d.id || '/scan' || p.n || '.pdf'",
                },
                f"{others} CROSS JOIN generate_series(1, 3) AS p(n)",
            )
            clone_rows(
                cursor,
                s,
                "dossiers_dossierevent",
                event.pk,
                {
                    "dossier_id": "d.id",
                    "seq": "e.n",
                    "action": "(ARRAY['register', 'accept', 'assign', 'appraise', "
                    "'submit_for_approval'])[e.n]",
                    "at": "d.received_at + (e.n || ' hours')::interval",
                    "to_state": "d.state",
                    "old_values": "jsonb_build_object('state', 'received', 'holder_id', null)",
                    "new_values": "jsonb_build_object('state', d.state, 'due_at', d.received_at)",
                },
                f"{others} CROSS JOIN generate_series(1, 5) AS e(n)",
            )
            clone_rows(
                cursor,
                s,
                "dossiers_dossierpause",
                pause.pk,
                {
                    "dossier_id": "d.id",
                    "started_at": "d.received_at + interval '1 day'",
                },
                f'(SELECT id, received_at FROM "{s}".dossiers_dossier WHERE id <> {tpl.pk} '
                "AND state IN ('supplement_requested', 'financial_obligation')) d",
            )
            for table in ("dossiers_dossierpause", "dossiers_dossierevent", "dossiers_dossiercomponent"):
                cursor.execute(f'DELETE FROM "{s}".{table} WHERE dossier_id = %s', [tpl.pk])
            cursor.execute(f'DELETE FROM "{s}".dossiers_dossier WHERE id = %s', [tpl.pk])
            national = (
                "CASE d.state WHEN 'received' THEN 2 WHEN 'supplement_requested' THEN 5 WHEN "
                "'financial_obligation' THEN 6 WHEN 'finished' THEN 9 WHEN 'returned' THEN 10 WHEN 'refused' "
                "THEN 3 WHEN 'withdrawn' THEN 7 ELSE 4 END"
            )
            clone_rows(
                cursor,
                "public",
                "tracking_dossierindex",
                ix.pk,
                {
                    "dossier_id": "d.id",
                    "code": "d.code",
                    "state": "d.state",
                    "national_status": national,
                    "received_at": "d.received_at",
                    "due_at": "d.due_at",
                    "finished_at": "d.finished_at",
                    "returned_at": "d.returned_at",
                    "applicant_name": "d.applicant_name",
                    "applicant_phone_tail": "right(d.applicant_phone, 4)",
                    "updated_at": "d.received_at",
                },
                f'"{s}".dossiers_dossier d',
            )
            clone_rows(
                cursor,
                "public",
                "tracking_indexevent",
                ie.pk,
                {
                    "entry_id": "x.id",
                    "at": "x.received_at + (k.n || ' hours')::interval",
                    "action": "(ARRAY['register', 'accept'])[k.n]",
                    "national_status": "x.national_status",
                },
                "(SELECT id, received_at, national_status FROM public.tracking_dossierindex WHERE agency_id = %s "
                "AND dossier_id <> 0) x CROSS JOIN generate_series(1, 2) AS k(n)",
                [agency.pk],
            )
            cursor.execute("DELETE FROM public.tracking_indexevent WHERE id = %s", [ie.pk])
            cursor.execute("DELETE FROM public.tracking_dossierindex WHERE id = %s", [ix.pk])


def table_counts(schemas):
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for table in (
            "dossiers_dossier",
            "dossiers_dossiercomponent",
            "dossiers_dossierevent",
            "dossiers_dossierpause",
        ):
            total = 0
            for s in schemas:
                cursor.execute(f'SELECT count(*) FROM "{s}"."{table}"')
                total += cursor.fetchone()[0]
            out[table] = total
    return out


def orm_sample(source, target, n):
    """Carry n dossiers object by object with the ORM (rolled back); returns seconds."""
    from django.db import connection, transaction
    from django.utils import timezone

    from shared_apps.tracking.models import DossierIndex, IndexEvent
    from tenant_apps.dossiers.models import Dossier, DossierEvent

    connection.set_tenant(source)
    # closed dossiers (still in the source, their codes not yet in the target): same shape of rows
    picked = list(
        Dossier.objects.filter(state__in=STATES[7:]).order_by("id").values_list("id", flat=True)[:n]
    )
    connection.set_schema_to_public()
    started = time.perf_counter()
    with transaction.atomic():
        for pk in picked:
            connection.set_tenant(source)
            d = Dossier.objects.prefetch_related("components", "pauses", "events").get(pk=pk)
            comps, pauses, events = list(d.components.all()), list(d.pauses.all()), list(d.events.all())
            connection.set_tenant(target)
            old_id = d.pk
            d.pk = None
            d.save(force_insert=True)
            for group in (comps, pauses, events):
                for row in group:
                    row.pk, row.dossier_id = None, d.pk
                    row.save(force_insert=True)
            DossierEvent.objects.create(
                dossier=d,
                seq=len(events) + 1,
                action="transfer_in",
                to_state=d.state,
                at=timezone.now(),
                note="orm",
            )
            connection.set_schema_to_public()
            entry = DossierIndex.objects.filter(agency=source, dossier_id=old_id).first()
            if entry is not None:
                entry.agency, entry.dossier_id = target, d.pk
                entry.save()
                IndexEvent.objects.create(
                    entry=entry,
                    at=timezone.now(),
                    action="transfer_in",
                    national_status=2,
                    agency_name=target.name,
                )
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    connection.set_schema_to_public()
    return elapsed


def dump_baseline(schemas, db, dump_db):
    """Seconds of `pg_dump -n <schemas> | psql <dump_db>` (public copied first, untimed), with the
    client tools of the server's major version (deploy/backup_city.py's pg_tool: PATH, the embedded
    PostgreSQL's own, Debian's)."""
    import psycopg

    from deploy.backup_city import pg_tool

    src_url, dst_url = common.database_url(db), common.create_database(dump_db)
    with psycopg.connect(src_url) as conn:
        major = conn.info.server_version // 10000
    pg_dump, psql = (shlex.quote(pg_tool(name, server_major=major)) for name in ("pg_dump", "psql"))
    env = dict(os.environ)
    pre = subprocess.run(
        f"{pg_dump} -n public '{src_url}' | {psql} -q -X '{dst_url}'",
        shell=True,
        env=env,
        capture_output=True,
        text=True,
    )
    if pre.returncode:
        raise RuntimeError(pre.stderr[-2000:])
    flags = " ".join(f"-n {s}" for s in schemas)
    started = time.perf_counter()
    run = subprocess.run(
        f"{pg_dump} {flags} '{src_url}' | {psql} -q -X -v ON_ERROR_STOP=1 '{dst_url}'",
        shell=True,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    common.drop_database(dump_db)
    if run.returncode:
        raise RuntimeError(run.stderr[-2000:])
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--agencies", type=int, default=10)
    parser.add_argument("--per-agency", type=int, default=10000)
    parser.add_argument("--orm-sample", type=int, default=500)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    common.add_quick_argument(parser)
    args = parser.parse_args()
    if args.quick:
        args.agencies, args.per_agency, args.orm_sample = 2, 50, 10
    db, dump_db = common.scratch_name(DB, args.quick), common.scratch_name(DUMP_DB, args.quick)
    common.header("Merger of agencies — bench/merge.py", "bench.merge")
    with common.scratch_database(db, keep=args.keep):
        common.setup_django()
        common.flush_bench_redis()
        from django.db import connection
        from tqdm import tqdm

        from shared_apps.tracking.models import DossierIndex
        from shared_apps.tracking.selectors import dossier_lookup
        from tenants.merge import agencies_merge
        from tenants.services import agency_onboard

        print(f"migrate_schemas: {common.migrate_schemas_in_process():.1f} s")
        version = seed_catalogue()
        agencies = [
            agency_onboard(acting_user=None, **common.synthetic_agency(n, "Xã thử sáp nhập"))
            for n in range(1, args.agencies + 1)
        ]
        started = time.perf_counter()
        from tenants.rollups import ROW_TRIGGER

        with connection.cursor() as cursor:  # generation only: roll-ups rebuilt set-based below
            cursor.execute(f"ALTER TABLE public.tracking_dossierindex DISABLE TRIGGER {ROW_TRIGGER}")
        for agency in tqdm(agencies, desc="generate", unit="agency", file=sys.stderr):
            generate(agency, version, args.per_agency)
        from django.db import transaction

        from shared_apps.reports import sql as reports_sql

        with transaction.atomic(), connection.cursor() as cursor:
            reports_sql.rebuild(cursor)  # re-creates the trigger, enabled: the merger runs with it
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"generated {args.agencies} x {args.per_agency} dossiers in {time.perf_counter() - started:.1f} s "
            "(set-based SQL, untimed set-up)"
        )
        schemas = [a.schema_name for a in agencies]
        before = table_counts(schemas)
        in_progress = DossierIndex.objects.filter(state__in=STATES[:7]).exclude(code=None)
        sample_codes = list(in_progress.order_by("?").values_list("code", flat=True)[:200])

        timings = {}
        bar = tqdm(total=args.agencies + 2, desc="merge", unit="step", file=sys.stderr)

        def progress(done, total, label):
            bar.set_postfix_str(str(label)[:30])
            bar.update(done - bar.n)

        started = time.perf_counter()
        report = agencies_merge(
            sources=[a.slug for a in agencies],
            target=None,
            acting_user=None,
            new_agency={
                "name": "Xã hợp nhất (bench)",
                "slug": "xa-hop-nhat-bench",
                "kind": "commune",
                "national_code": common.synthetic_code(99999),
            },
            progress=progress,
            timings=timings,
        )
        merge_seconds = time.perf_counter() - started
        bar.close()

        from tenants.models import Agency

        target = Agency.objects.get(slug="xa-hop-nhat-bench")
        after_target = table_counts([target.schema_name])
        after_sources = table_counts(schemas)
        assert after_sources == {
            k: v + (report.carried if k == "dossiers_dossierevent" else 0) for k, v in before.items()
        }, (before, after_sources)
        assert after_target["dossiers_dossier"] == report.carried == args.agencies * args.per_agency * 7 // 10
        wrong = [c for c in sample_codes if dossier_lookup(code=c).entry.agency.name != target.name]
        assert not wrong, wrong[:5]
        print(
            f"checked: {report.carried} dossiers carried, source tables intact (+1 transfer event each), "
            f"target rows {after_target}, {len(sample_codes)} sampled old codes resolve to the successor"
        )

        orm_seconds = orm_sample(agencies[0], target, args.orm_sample)
        orm_extrapolated = orm_seconds / args.orm_sample * report.carried
        dump_seconds = dump_baseline(schemas, db, dump_db)

        total_rows = sum(before.values())
        print()
        print(
            f"### Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {args.agencies} agencies x "
            f"{args.per_agency} dossiers -> one new agency"
        )
        print()
        print(
            f"Carried {report.carried} dossiers in progress (of {args.agencies * args.per_agency}); rows in the "
            f"source schemas: {before}."
        )
        print()
        rows = [
            ["agencies_merge (whole call, one transaction, commit)", common.fmt_s(merge_seconds, 2), "1.00×"]
        ]
        for phase, seconds in sorted(timings.items(), key=lambda kv: -kv[1]):
            rows.append([f"  phase: {phase}", common.fmt_s(seconds, 2), f"{seconds / merge_seconds:.2f}×"])
        rows.append(
            [
                f"baseline pg_dump -n <{args.agencies} schemas> \\| psql ({total_rows} rows, every dossier)",
                common.fmt_s(dump_seconds, 2),
                f"{dump_seconds / merge_seconds:.2f}×",
            ]
        )
        rows.append(
            [
                f"baseline ORM object by object ({args.orm_sample} measured, extrapolated to "
                f"{report.carried})",
                common.fmt_s(orm_extrapolated, 1),
                f"{orm_extrapolated / merge_seconds:.1f}×",
            ]
        )
        print(common.md_table(["what", "seconds", "/ merger"], rows))
        print()
        print(
            f"target ≤ 60 s: {'met' if merge_seconds <= 60 else 'MISSED'} ({merge_seconds:.1f} s); "
            f"loadavg at end {os.getloadavg()[0]:.2f}"
        )
        print("\n## Target")
        print(
            common.md_table(
                ["target", "measured", "verdict"],
                [
                    [
                        f"merger of {args.agencies} × {args.per_agency} dossiers ≤ 60 s (issue #6: 10 × 10,000)",
                        f"{merge_seconds:.1f} s",
                        "met" if merge_seconds <= 60 else "MISSED",
                    ]
                ],
            )
        )


if __name__ == "__main__":
    main()
