"""Set-based recomputation of the report roll-ups (shared_apps.reports) for a few agencies, used when a
merger or move re-points many index rows at once (see copier.index_follow).

Built from the reports app's own `rebuild_sql` (same definitions as its row trigger), narrowed to the
agencies involved: their roll-up rows are deleted and recomputed from their index rows. If the reports
app is not installed, or its SQL no longer has the shape this narrowing expects, nothing is returned
and the caller keeps the row trigger on (slower, still correct)."""

from __future__ import annotations

import logging
import re

ROW_TRIGGER = "reports_index_rollup"
TABLES = (
    "reports_flow",
    "reports_flow_agency",
    "reports_open",
    "reports_open_month",
    "reports_late",
    "reports_step_open",
)
ROWS = "FROM public.tracking_dossierindex WHERE received_at IS NOT NULL"  # by reporting agency
HOLDER_ROWS = "FROM public.tracking_dossierindex ix WHERE ix.received_at IS NOT NULL"  # by holding agency
# a roll-up derived from another one ("... FROM public.reports_flow GROUP BY agency_id, month")
DERIVED = re.compile(r"FROM public\.(reports_\w+) GROUP BY agency_id\b")

log = logging.getLogger(__name__)


def _trigger_installed(cursor):
    cursor.execute(
        "SELECT 1 FROM pg_trigger WHERE tgname = %s AND NOT tgisinternal AND tgenabled <> 'D'", [ROW_TRIGGER]
    )
    return cursor.fetchone() is not None


def recompute_statements(cursor, *, agency_ids):
    """The statements that recompute the roll-ups of `agency_ids`, or [] (leave the trigger on)."""
    try:
        from shared_apps.reports import sql as reports_sql
    except ImportError:
        return []
    if not _trigger_installed(cursor):
        return []
    ids = "ARRAY[" + ", ".join(str(int(i)) for i in agency_ids) + "]::bigint[]"
    origin = reports_sql.has_origin_column(cursor)
    reporting = reports_sql.agency_expr("", origin)
    statements = list(reports_sql.rebuild_sql(origin))
    if not statements or not statements[0].lstrip().upper().startswith("TRUNCATE"):
        log.warning("reports.rebuild_sql changed shape: roll-ups kept by the row trigger")
        return []
    out = [f"DELETE FROM public.{table} WHERE agency_id = ANY({ids})" for table in TABLES]
    for statement in statements[1:]:
        if ROWS in statement:
            out.append(statement.replace(ROWS, f"{ROWS} AND {reporting} = ANY({ids})"))
        elif HOLDER_ROWS in statement:
            out.append(statement.replace(HOLDER_ROWS, f"{HOLDER_ROWS} AND ix.agency_id = ANY({ids})"))
        elif DERIVED.search(statement):
            out.append(
                DERIVED.sub(
                    lambda m: f"FROM public.{m.group(1)} WHERE agency_id = ANY({ids}) GROUP BY agency_id",
                    statement,
                )
            )
        else:
            log.warning("reports.rebuild_sql changed shape: roll-ups kept by the row trigger")
            return []
    return out
