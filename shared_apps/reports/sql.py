"""The SQL that maintains the roll-ups (see models.py for what each table holds).

One PL/pgSQL function gives a row's contribution with a sign (+1 / -1); the row trigger on
tracking_dossierindex subtracts the OLD row's contribution and adds the NEW one (so a row whose
agency, state, verdict or months change moves between buckets), a statement trigger empties the
roll-ups on TRUNCATE. `REBUILD` recomputes everything from the index set-based with the SAME
definitions (the tests prove trigger-maintained == rebuilt).

Definitions, for a row with ``received_at`` (rows without it — not yet received, refused at intake —
count nowhere):

* reporting agency: ``origin_agency_id`` when the index has that column and it is set (a dossier
  handed over to another agency counts at the lead agency that received it and returns the result),
  else ``agency_id``;
* month of an instant: ``date_trunc('month', instant AT TIME ZONE <settings.TIME_ZONE>)``;
* settled: ``finished_at`` set (result recorded; status 9, or 10 once handed over);
* open: not settled and ``national_status`` in ``core.dossier.IN_PROGRESS_STATUSES`` (2, 4, 5, 6) —
  received, being processed (incl. at another agency), supplement requested, financial obligation;
* closed without a result: neither (withdrawn 7, stopped 8, ...), at ``updated_at`` (the last
  change of the row: the moment it left the open states);
* close instant: ``finished_at`` for settled rows, ``transferred_out_at`` for history rows that left
  open, ``updated_at`` for the others; NULL when open.
* more than one supplement request ("multi"): ``supplement_count > 1`` (the row's current count; it
  changes only while the dossier is open, and the change moves the row's contributions). Counted
  on the flows by the received month (``multi_supplement_received``) and by the close month of
  settled and closed-without-result rows (``multi_supplement_closed``) — so that the multi ones open
  at a month boundary are their difference summed over the months before it —, in ``reports_late``
  (``multi_supplement``) and in the open roll-ups (``multi_supplement``, and ``multi_paused`` = multi
  AND paused: the multi ones not counted as overdue whatever their appointment).
* carried by a merger or a move (tenants.copier; the index keeps a HISTORY row at the source,
  ``transferred_out_at`` set, and the LIVE row at the target gets ``transferred_in_at``), so that each
  month's figures stay where the dossier was held and a merged-away agency's old reports never change:
  - a history row counts at the source as any row until it left: received, settled (if it was settled
    before it left), closed without a result (idem), else ``transferred_out`` in the month it left;
    never open. Carried away while paused: not late at the months before (clock stopped).
  - a live row carried in (received before ``transferred_in_at``) counts at the target from that
    month: ``received_transferred`` instead of received (no digitisation counters: counted where it was
    received), then settled / closed / open as any row, with ``since_month`` = that month on the open
    and late roll-ups, so that at an earlier month boundary it is overdue only where it was held. One
    carried already closed (settled, withdrawn) counts nowhere at the target: it counts at the source.
  - a row received after it was carried (an online submission accepted by the target) is an ordinary
    receipt of the target.
* step due date (update compliance, ``reports_step_open``): local date of ``step_due_at``, else of
  ``due_at``, else NO_DUE; counted for open rows that are not paused, at the HOLDING agency
  (``agency_id``). An update that changes only the step's due date or the holder touches only that
  roll-up.
"""

from django.conf import settings
from django.db import connection

from core.dossier import IN_PROGRESS_STATUSES

from .models import NO_DUE, NO_DUE_MONTH, SINCE_ALWAYS

TABLES = (
    "reports_flow",
    "reports_flow_agency",
    "reports_open",
    "reports_open_month",
    "reports_late",
    "reports_step_open",
)
TRUNCATE_LIST = ", ".join(f"public.{t}" for t in TABLES)
FLOW_COLUMNS = (
    "received_online",
    "received_offline",
    "settled_early",
    "settled_on_time",
    "settled_late",
    "settled_unjudged",
    "settled_on_time_766",
    "closed_other",
    "settled_seconds",
    "received_digitised",
    "components_received",
    "components_reused",
    "multi_supplement_received",
    "multi_supplement_closed",
    "received_transferred",
    "transferred_out",
)
# Every overload of the helper (its arguments follow FLOW_COLUMNS): dropped before it is re-created.
DROP_FLOW_ADD = """
DO $$ DECLARE f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
           WHERE p.proname = 'reports_flow_add' AND p.pronamespace = 'public'::regnamespace LOOP
    EXECUTE 'DROP FUNCTION ' || f;
  END LOOP;
END $$;
"""


def _tz():
    return settings.TIME_ZONE


def has_origin_column(cursor=None) -> bool:
    def run(cur):
        cur.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' "
            "AND table_name = 'tracking_dossierindex' AND column_name = 'origin_agency_id'"
        )
        return cur.fetchone() is not None

    if cursor is not None:
        return run(cursor)
    with connection.cursor() as cur:
        return run(cur)


def agency_expr(prefix: str, origin: bool) -> str:
    return f"COALESCE({prefix}origin_agency_id, {prefix}agency_id)" if origin else f"{prefix}agency_id"


def month_expr(value: str) -> str:
    return f"date_trunc('month', {value} AT TIME ZONE '{_tz()}')::date"


def step_due_expr(prefix: str) -> str:
    """Local date the current step is due: its sub-deadline, else the appointment, else NO_DUE."""
    return (
        f"COALESCE((COALESCE({prefix}step_due_at, {prefix}due_at) AT TIME ZONE '{_tz()}')::date, "
        f"DATE '{NO_DUE}')"
    )


def flow_call(ag: str, procedure: str, month: str, values: dict) -> str:
    """``PERFORM reports_flow_add(...)`` with `values` (column -> SQL expression) in FLOW_COLUMNS order,
    0 for the columns not named."""
    unknown = set(values) - set(FLOW_COLUMNS)
    if unknown:
        raise ValueError(f"not flow columns: {sorted(unknown)}")
    args = ", ".join(str(values.get(c, 0)) for c in FLOW_COLUMNS)
    return f"PERFORM public.reports_flow_add({ag}, {procedure}, {month}, {args});"


def flow_select(values: dict) -> str:
    """A SELECT list of every flow column in FLOW_COLUMNS order (0 for those not named)."""
    return ", ".join(f"{values.get(c, 0)} AS {c}" for c in FLOW_COLUMNS)


def functions_sql(origin: bool) -> str:
    tz = _tz()
    flow_set = ", ".join(f"{c} = t.{c} + EXCLUDED.{c}" for c in FLOW_COLUMNS)
    cols = ", ".join(FLOW_COLUMNS)
    args = ", ".join(f"d_{c}" for c in FLOW_COLUMNS)
    params = ", ".join(f"d_{c} bigint" for c in FLOW_COLUMNS)
    statuses = ", ".join(str(s) for s in IN_PROGRESS_STATUSES)
    agency_old, agency_new = agency_expr("OLD.", origin), agency_expr("NEW.", origin)
    month_old, month_new = month_expr("OLD.updated_at"), month_expr("NEW.updated_at")
    s_if = lambda cond: f"CASE WHEN {cond} THEN s ELSE 0 END"  # noqa: E731
    received_here = flow_call(
        "ag",
        "r.procedure_id",
        month_expr("r.received_at"),
        {
            "received_online": s_if("on_line"),
            "received_offline": s_if("NOT on_line"),
            "received_digitised": s_if(
                "r.components_total > 0 AND r.components_digitised >= r.components_total"
            ),
            "components_received": "s * r.components_total",
            "components_reused": "s * r.components_reused",
            "multi_supplement_received": s_if("multi"),
        },
    )
    received_carried = flow_call(
        "ag",
        "r.procedure_id",
        "v_since",
        {"received_transferred": "s", "multi_supplement_received": s_if("multi")},
    )
    settled = flow_call(
        "ag",
        "r.procedure_id",
        "v_close",
        {
            "settled_early": s_if("r.timeliness = 'early'"),
            "settled_on_time": s_if("r.timeliness = 'on_time'"),
            "settled_late": s_if("r.timeliness = 'late'"),
            "settled_unjudged": s_if("r.timeliness NOT IN ('early', 'on_time', 'late')"),
            "settled_on_time_766": s_if("r.timeliness IN ('early', 'on_time') AND r.supplement_count <= 1"),
            "settled_seconds": "s * floor(extract(epoch FROM r.finished_at - r.received_at))::bigint",
            "multi_supplement_closed": s_if("multi"),
        },
    )
    left = flow_call(
        "ag", "r.procedure_id", "v_close", {"transferred_out": "s", "multi_supplement_closed": s_if("multi")}
    )
    closed = flow_call(
        "ag", "r.procedure_id", "v_close", {"closed_other": "s", "multi_supplement_closed": s_if("multi")}
    )
    return (
        DROP_FLOW_ADD
        + f"""
CREATE OR REPLACE FUNCTION public.reports_flow_add(a bigint, p bigint, m date, {params}) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO public.reports_flow AS t (agency_id, procedure_id, month, {cols})
  VALUES (a, p, m, {args})
  ON CONFLICT (agency_id, procedure_id, month) DO UPDATE SET {flow_set};
  INSERT INTO public.reports_flow_agency AS t (agency_id, month, {cols})
  VALUES (a, m, {args})
  ON CONFLICT (agency_id, month) DO UPDATE SET {flow_set};
$$;

CREATE OR REPLACE FUNCTION public.reports_step_contribute(r public.tracking_dossierindex, s integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF r.received_at IS NULL OR r.finished_at IS NOT NULL OR r.national_status NOT IN ({statuses}) OR r.is_paused
     OR r.transferred_out_at IS NOT NULL
  THEN
    RETURN;
  END IF;
  INSERT INTO public.reports_step_open AS t (agency_id, due_date, n)
  VALUES (r.agency_id, {step_due_expr("r.")}, s)
  ON CONFLICT ON CONSTRAINT reports_step_open_key DO UPDATE SET n = t.n + EXCLUDED.n;
END $$;

CREATE OR REPLACE FUNCTION public.reports_contribute(r public.tracking_dossierindex, s integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  ag bigint := {agency_expr("r.", origin)};
  carried_in boolean := r.transferred_in_at IS NOT NULL AND r.received_at < r.transferred_in_at;
  gone boolean := r.transferred_out_at IS NOT NULL AND r.national_status IN ({statuses});  -- carried away open
  settled boolean := r.finished_at IS NOT NULL;
  is_open boolean := r.finished_at IS NULL AND r.transferred_out_at IS NULL AND r.national_status IN ({statuses});
  multi boolean := r.supplement_count > 1;
  on_line boolean := r.channel = 'online';
  v_since date := DATE '{SINCE_ALWAYS}';
  v_close date;
  v_due date;
BEGIN
  IF r.received_at IS NULL THEN RETURN; END IF;
  -- carried in already closed (settled, withdrawn...): it counts where it was closed (its history row)
  IF carried_in AND (r.finished_at IS NOT NULL AND r.finished_at < r.transferred_in_at OR (r.finished_at IS NULL
      AND r.national_status NOT IN ({statuses}) AND r.updated_at < r.transferred_in_at)) THEN
    RETURN;
  END IF;
  PERFORM public.reports_step_contribute(r, s);
  IF carried_in THEN
    v_since := {month_expr("r.transferred_in_at")};
    {received_carried}
  ELSE
    {received_here}
  END IF;
  IF settled THEN
    v_close := {month_expr("r.finished_at")};
    {settled}
  ELSIF gone THEN
    v_close := {month_expr("r.transferred_out_at")};
    {left}
  ELSIF NOT is_open THEN
    v_close := {month_expr("r.updated_at")};
    {closed}
  END IF;
  IF is_open THEN
    INSERT INTO public.reports_open AS t (agency_id, procedure_id, due_date, since_month, n, paused,
                                          multi_supplement, multi_paused)
    VALUES (ag, r.procedure_id, COALESCE((r.due_at AT TIME ZONE '{tz}')::date, DATE '{NO_DUE}'), v_since, s,
            CASE WHEN r.is_paused THEN s ELSE 0 END, CASE WHEN multi THEN s ELSE 0 END,
            CASE WHEN multi AND r.is_paused THEN s ELSE 0 END)
    ON CONFLICT ON CONSTRAINT reports_open_key DO UPDATE
      SET n = t.n + EXCLUDED.n, paused = t.paused + EXCLUDED.paused,
          multi_supplement = t.multi_supplement + EXCLUDED.multi_supplement,
          multi_paused = t.multi_paused + EXCLUDED.multi_paused;
    INSERT INTO public.reports_open_month AS t (agency_id, due_month, since_month, n, paused, multi_supplement,
                                                multi_paused)
    VALUES (ag, COALESCE({month_expr("r.due_at")}, DATE '{NO_DUE_MONTH}'), v_since, s,
            CASE WHEN r.is_paused THEN s ELSE 0 END, CASE WHEN multi THEN s ELSE 0 END,
            CASE WHEN multi AND r.is_paused THEN s ELSE 0 END)
    ON CONFLICT ON CONSTRAINT reports_open_month_key DO UPDATE
      SET n = t.n + EXCLUDED.n, paused = t.paused + EXCLUDED.paused,
          multi_supplement = t.multi_supplement + EXCLUDED.multi_supplement,
          multi_paused = t.multi_paused + EXCLUDED.multi_paused;
  ELSIF r.due_at IS NOT NULL AND NOT (gone AND r.is_paused) THEN
    -- (carried away while paused: its clock was stopped, so it was not overdue at the month boundaries
    -- before, whatever the appointment it had before the pause — as for the open ones)
    v_due := {month_expr("r.due_at")};
    IF v_close > v_due THEN
      INSERT INTO public.reports_late AS t (agency_id, procedure_id, due_month, close_month, since_month, n,
                                            multi_supplement)
      VALUES (ag, r.procedure_id, v_due, v_close, v_since, s, CASE WHEN multi THEN s ELSE 0 END)
      ON CONFLICT ON CONSTRAINT reports_late_key DO UPDATE
        SET n = t.n + EXCLUDED.n, multi_supplement = t.multi_supplement + EXCLUDED.multi_supplement;
    END IF;
  END IF;
END $$;

CREATE OR REPLACE FUNCTION public.reports_index_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.received_at IS NULL AND NEW.received_at IS NULL THEN
      RETURN NULL;  -- not received before nor after: counts nowhere
    END IF;
    -- Most updates (assign, appraise, approve, ...) change nothing the roll-ups count: skip them, so
    -- that an agency's transactions do not queue on its roll-up rows for nothing.
    IF ({agency_old}, OLD.procedure_id, OLD.received_at, OLD.finished_at, OLD.due_at, OLD.timeliness,
        OLD.supplement_count, OLD.is_paused, OLD.channel, OLD.national_status, OLD.components_total,
        OLD.components_digitised, OLD.components_reused, OLD.transferred_in_at, OLD.transferred_out_at)
       IS NOT DISTINCT FROM
       ({agency_new}, NEW.procedure_id, NEW.received_at, NEW.finished_at, NEW.due_at, NEW.timeliness,
        NEW.supplement_count, NEW.is_paused, NEW.channel, NEW.national_status, NEW.components_total,
        NEW.components_digitised, NEW.components_reused, NEW.transferred_in_at, NEW.transferred_out_at)
       AND (OLD.finished_at IS NOT NULL OR OLD.national_status IN ({statuses})
            OR ({month_old} = {month_new} AND OLD.transferred_in_at IS NULL)) THEN
      -- ... but a new step (or holder) moves the dossier in the step roll-up only
      IF (OLD.agency_id, OLD.step_due_at) IS DISTINCT FROM (NEW.agency_id, NEW.step_due_at) THEN
        PERFORM public.reports_step_contribute(OLD, -1);
        PERFORM public.reports_step_contribute(NEW, 1);
      END IF;
      RETURN NULL;
    END IF;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM public.reports_contribute(OLD, -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM public.reports_contribute(NEW, 1); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION public.reports_index_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE {TRUNCATE_LIST};
  RETURN NULL;
END $$;
"""
    )


TRIGGERS = """
DROP TRIGGER IF EXISTS reports_index_rollup ON public.tracking_dossierindex;
CREATE TRIGGER reports_index_rollup AFTER INSERT OR UPDATE OR DELETE ON public.tracking_dossierindex
  FOR EACH ROW EXECUTE FUNCTION public.reports_index_changed();
DROP TRIGGER IF EXISTS reports_index_truncate ON public.tracking_dossierindex;
CREATE TRIGGER reports_index_truncate AFTER TRUNCATE ON public.tracking_dossierindex
  FOR EACH STATEMENT EXECUTE FUNCTION public.reports_index_truncated();
"""

DROP = (
    """
DROP TRIGGER IF EXISTS reports_index_rollup ON public.tracking_dossierindex;
DROP TRIGGER IF EXISTS reports_index_truncate ON public.tracking_dossierindex;
DROP FUNCTION IF EXISTS public.reports_index_changed();
DROP FUNCTION IF EXISTS public.reports_index_truncated();
DROP FUNCTION IF EXISTS public.reports_contribute(public.tracking_dossierindex, integer);
DROP FUNCTION IF EXISTS public.reports_step_contribute(public.tracking_dossierindex, integer);
"""
    + DROP_FLOW_ADD
)


def rebuild_sql(origin: bool) -> list[str]:
    """Set-based recomputation from the index, same definitions as `reports_contribute`."""
    statuses = ", ".join(str(s) for s in IN_PROGRESS_STATUSES)
    cols = ", ".join(FLOW_COLUMNS)
    sums = ", ".join(f"sum({c})" for c in FLOW_COLUMNS)
    carried_in = "(transferred_in_at IS NOT NULL AND received_at < transferred_in_at)"
    rows = f"""
      SELECT {agency_expr("", origin)} AS ag, procedure_id, received_at, due_at, finished_at, timeliness,
             supplement_count, is_paused, channel = 'online' AS on_line, components_total, components_digitised,
             components_reused, {carried_in} AS carried_in,
             transferred_out_at IS NOT NULL AND national_status IN ({statuses}) AS gone_open,
             finished_at IS NULL AND transferred_out_at IS NULL AND national_status IN ({statuses}) AS is_open,
             CASE WHEN {carried_in} THEN {month_expr("transferred_in_at")} ELSE DATE '{SINCE_ALWAYS}' END AS since,
             CASE WHEN {carried_in} THEN {month_expr("transferred_in_at")} ELSE {month_expr("received_at")} END
               AS arrive_month,
             CASE WHEN finished_at IS NOT NULL THEN {month_expr("finished_at")}
                  WHEN transferred_out_at IS NOT NULL AND national_status IN ({statuses})
                    THEN {month_expr("transferred_out_at")}
                  WHEN national_status NOT IN ({statuses}) THEN {month_expr("updated_at")} END AS close_month
      FROM public.tracking_dossierindex WHERE received_at IS NOT NULL
        AND NOT ({carried_in} AND (finished_at IS NOT NULL AND finished_at < transferred_in_at OR (finished_at IS NULL
             AND national_status NOT IN ({statuses}) AND updated_at < transferred_in_at)))"""
    arrived = flow_select(
        {
            "received_online": "(on_line AND NOT carried_in)::int",
            "received_offline": "(NOT on_line AND NOT carried_in)::int",
            "received_digitised": "(NOT carried_in AND components_total > 0 AND components_digitised >= components_total)::int",
            "components_received": "CASE WHEN carried_in THEN 0 ELSE components_total END::bigint",
            "components_reused": "CASE WHEN carried_in THEN 0 ELSE components_reused END::bigint",
            "multi_supplement_received": "(supplement_count > 1)::int",
            "received_transferred": "carried_in::int",
        }
    )
    closed = flow_select(
        {
            "settled_early": "(finished_at IS NOT NULL AND timeliness = 'early')::int",
            "settled_on_time": "(finished_at IS NOT NULL AND timeliness = 'on_time')::int",
            "settled_late": "(finished_at IS NOT NULL AND timeliness = 'late')::int",
            "settled_unjudged": "(finished_at IS NOT NULL AND timeliness NOT IN ('early', 'on_time', 'late'))::int",
            "settled_on_time_766": "(finished_at IS NOT NULL AND timeliness IN ('early', 'on_time') AND supplement_count <= 1)::int",
            "closed_other": "(finished_at IS NULL AND NOT gone_open)::int",
            "settled_seconds": "CASE WHEN finished_at IS NOT NULL "
            "THEN floor(extract(epoch FROM finished_at - received_at))::bigint ELSE 0 END",
            "multi_supplement_closed": "(supplement_count > 1)::int",
            "transferred_out": "(finished_at IS NULL AND gone_open)::int",
        }
    )
    return [
        f"TRUNCATE {TRUNCATE_LIST}",
        f"""
INSERT INTO public.reports_flow (agency_id, procedure_id, month, {cols})
SELECT ag, procedure_id, month, {sums} FROM (
  SELECT ag, procedure_id, arrive_month AS month, {arrived}
  FROM r
  UNION ALL
  SELECT ag, procedure_id, close_month, {closed}
  FROM r WHERE close_month IS NOT NULL
) x GROUP BY ag, procedure_id, month""".replace("FROM r", f"FROM ({rows}) r"),
        f"""
INSERT INTO public.reports_flow_agency (agency_id, month, {cols})
SELECT agency_id, month, {sums} FROM public.reports_flow GROUP BY agency_id, month""",
        f"""
INSERT INTO public.reports_open (agency_id, procedure_id, due_date, since_month, n, paused, multi_supplement,
                                 multi_paused)
SELECT ag, procedure_id, COALESCE((due_at AT TIME ZONE '{_tz()}')::date, DATE '{NO_DUE}') AS due_date, since,
       count(*), count(*) FILTER (WHERE is_paused), count(*) FILTER (WHERE supplement_count > 1),
       count(*) FILTER (WHERE supplement_count > 1 AND is_paused)
FROM ({rows}) r WHERE is_open GROUP BY 1, 2, 3, 4""",
        """
INSERT INTO public.reports_open_month (agency_id, due_month, since_month, n, paused, multi_supplement, multi_paused)
SELECT agency_id, date_trunc('month', due_date)::date, since_month, sum(n), sum(paused), sum(multi_supplement),
       sum(multi_paused)
FROM public.reports_open GROUP BY agency_id, 2, 3""",
        # by HOLDING agency (tenants.rollups narrows it on ix.agency_id, not on the reporting agency)
        f"""
INSERT INTO public.reports_step_open (agency_id, due_date, n)
SELECT ix.agency_id, {step_due_expr("ix.")}, count(*)
FROM public.tracking_dossierindex ix WHERE ix.received_at IS NOT NULL
  AND ix.finished_at IS NULL AND ix.national_status IN ({statuses}) AND NOT ix.is_paused
  AND ix.transferred_out_at IS NULL
GROUP BY 1, 2""",
        f"""
INSERT INTO public.reports_late (agency_id, procedure_id, due_month, close_month, since_month, n, multi_supplement)
SELECT ag, procedure_id, {month_expr("due_at")}, close_month, since, count(*),
       count(*) FILTER (WHERE supplement_count > 1)
FROM ({rows}) r WHERE NOT is_open AND due_at IS NOT NULL AND close_month > {month_expr("due_at")}
  AND NOT (gone_open AND is_paused)
GROUP BY 1, 2, 3, 4, 5""",
    ]


def install(cursor):
    """(Re-)create the functions and triggers; picks up ``origin_agency_id`` once the index has it."""
    cursor.execute(functions_sql(has_origin_column(cursor)))
    cursor.execute(TRIGGERS)


def rebuild(cursor):
    """Reinstall the functions and recompute every roll-up from the index (one transaction: the
    caller's). Locks the index against writers meanwhile so nothing is counted twice or missed."""
    cursor.execute("LOCK TABLE public.tracking_dossierindex IN SHARE MODE")
    install(cursor)
    for statement in rebuild_sql(has_origin_column(cursor)):
        cursor.execute(statement)


# The app's migrations. Only the LAST one runs `migration_install` forwards (install the current SQL,
# rebuild every roll-up from the index): the SQL reads tables and columns that later migrations add,
# so earlier migrations run nothing forwards. A new migration takes `migration_install` over and the
# previous one gets `migrations.RunPython.noop`. Going back drops the functions and triggers
# (`migration_drop`); `manage.py reports_rebuild` restores those of the code then deployed.
def migration_install(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        rebuild(cursor)


def migration_drop(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(DROP)
