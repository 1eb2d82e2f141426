"""Recompute the statistics roll-ups from the public look-up index (set-based), reinstalling the
triggers. Use after a bulk load with the triggers disabled, or with --check to compare the
trigger-maintained roll-ups with a fresh recomputation (exit 1 when they differ; nothing changes)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from shared_apps.reports import sql

TABLES = sql.TABLES


def snapshot(cursor):
    """Every roll-up row without ids and zero rows (a row can fall to zero after an update)."""
    out = {}
    for table in TABLES:
        cursor.execute(f"SELECT * FROM public.{table} LIMIT 0")
        cols = [c.name for c in cursor.description if c.name != "id"]
        value_cols = [
            c
            for c in cols
            if c
            not in (
                "agency_id",
                "procedure_id",
                "month",
                "due_date",
                "due_month",
                "close_month",
                "since_month",
            )
        ]
        nonzero = " OR ".join(f"{c} <> 0" for c in value_cols)
        cursor.execute(
            f"SELECT {', '.join(cols)} FROM public.{table} WHERE {nonzero} ORDER BY {', '.join(cols)}"
        )
        out[table] = cursor.fetchall()
    return out


class Command(BaseCommand):
    help = "Rebuild the statistics roll-ups (shared_apps.reports) from tracking_dossierindex."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="compare with a recomputation, change nothing, exit 1 on a difference",
        )

    def handle(self, *args, **opts):
        connection.set_schema_to_public()
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            before = snapshot(cur) if opts["check"] else None
            sql.rebuild(cur)
            if opts["check"]:
                after = snapshot(cur)
                transaction.set_rollback(True)
                diff = [t for t in TABLES if before[t] != after[t]]
                if diff:
                    raise CommandError("Số liệu tổng hợp lệch với chỉ mục: " + ", ".join(diff))
        self.stdout.write(
            f"reports_rebuild{' --check' if opts['check'] else ''}: ok in "
            f"{time.perf_counter() - started:.1f} s"
        )
