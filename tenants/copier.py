"""Carry dossiers from one agency's schema into another's, set-based and generic.

Used by mergers (`tenants.merge.agencies_merge`) and moves (`dossiers_move`). Nothing here knows the
dossier tables' columns: they are read from the PostgreSQL catalogue at run time, so columns other
apps add later keep being copied. Every statement is one `INSERT … SELECT` / `UPDATE … FROM` across
the two schemas, joined to a temporary mapping table (old id -> new id) that lives until commit.

What is copied for each carried dossier:
- the dossier row, with a new id from the target's sequence (code, appointment and every other column
  unchanged; a value that would break a unique index of the target other than the code's — e.g. an
  online idempotency key, unique per citizen — is cleared, or prefixed when the column is NOT NULL;
  in an index of several columns the last one is cleared: (owner, key) keeps the owner);
- every row of every table of the schema with a foreign key to the dossier (components with their
  file references, pauses, events with their original sequence numbers, whatever is added later),
  with the foreign key remapped;
- one transfer event in the target and one in the source ("chuyển … do sáp nhập"), each a copy of
  the dossier's last event with the transfer's own values (so new NOT NULL columns stay filled);
- the public look-up row is re-pointed at the target (same code) with a transfer event on its
  public timeline (`index_follow`, once for all sources); a `DossierTransfer` pointer is written for
  every dossier.
The source row stays where it was, unchanged (its `transfer_out` event and the pointer say where the
dossier went)."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection

from .hooks import agency_data_added

DOSSIER_TABLE = "dossiers_dossier"
EVENT_TABLE = "dossiers_dossierevent"
INDEX_TABLE = "tracking_dossierindex"
INDEX_EVENT_TABLE = "tracking_indexevent"
MAP = "pg_temp.agency_transfer_map"


def q(name):
    return connection.ops.quote_name(name)


def t(schema, table):
    return f"{q(schema)}.{q(table)}"


# -- the catalogue ---------------------------------------------------------------------------------
def table_columns(cursor, schema, table):
    """[(name, is_nullable, is_identity_or_default_serial)] in column order."""
    cursor.execute(
        "SELECT a.attname, NOT a.attnotnull, "
        "       (a.attidentity <> '' OR pg_get_serial_sequence(%s, a.attname) IS NOT NULL) "
        "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attnum",
        [f"{q(schema)}.{q(table)}", schema, table],
    )
    return cursor.fetchall()


def referencing_tables(cursor, schema, table):
    """[(table, fk column)] of the schema's tables with a one-column foreign key to `table`."""
    cursor.execute(
        "SELECT c.relname, a.attname FROM pg_constraint k "
        "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_class r ON r.oid = k.confrelid JOIN pg_namespace rn ON rn.oid = r.relnamespace "
        "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] "
        "WHERE k.contype = 'f' AND n.nspname = %s AND rn.nspname = %s AND r.relname = %s "
        "AND array_length(k.conkey, 1) = 1 ORDER BY c.relname",
        [schema, schema, table],
    )
    return cursor.fetchall()


def unique_indexes(cursor, schema, table):
    """The column lists of the table's unique indexes and constraints (the primary key and indexes on
    expressions excluded), in index order."""
    cursor.execute(
        "SELECT array_agg(a.attname ORDER BY k.ord) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "WHERE n.nspname = %s AND c.relname = %s AND i.indisunique AND NOT i.indisprimary "
        "AND NOT (0 = ANY(i.indkey::int2[])) "
        "GROUP BY i.indexrelid",
        [schema, table],
    )
    return sorted(tuple(r[0]) for r in cursor.fetchall())


def common_columns(cursor, source_schema, target_schema, table):
    source = {name for name, _n, _s in table_columns(cursor, source_schema, table)}
    return [c for c in table_columns(cursor, target_schema, table) if c[0] in source]


# -- the copy -------------------------------------------------------------------------------------
@contextmanager
def timed(timings, key):
    """Add the seconds spent in the block to timings[key] (benchmarks pass a dict; None = off)."""
    if timings is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[key] = timings.get(key, 0.0) + time.perf_counter() - started


@dataclass
class CarryResult:
    carried: int = 0
    by_state: dict = field(default_factory=dict)
    child_rows: dict = field(default_factory=dict)
    cleared: dict = field(default_factory=dict)  # unique column -> values cleared because they collided


def map_prepare(cursor):
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {MAP.split('.')[1]} ("
        "source_agency_id bigint NOT NULL, old_id bigint NOT NULL, new_id bigint NOT NULL, "
        "PRIMARY KEY (source_agency_id, old_id)) ON COMMIT DROP"
    )


# Copy without re-checking each copied row's foreign keys (see bulk_begin). A module setting so a test
# can take the path a database role without that privilege takes.
TRUST_COPY = True


def map_reset(cursor):
    """Start a merger or move with an empty mapping (an earlier one may have run in this transaction);
    bulk statements follow: give them memory for hashes and sorts (this transaction only)."""
    map_prepare(cursor)
    cursor.execute(f"TRUNCATE {MAP}")
    cursor.execute("SET LOCAL work_mem = '64MB'")


def bulk_begin(cursor):
    """Every row the copier writes references rows that exist (the source rows satisfied the same
    foreign keys; the ids it remaps point at rows it wrote or at the target agency), so PostgreSQL's
    per-row foreign-key checks and row triggers would only re-verify hundreds of thousands of
    references (`pg_restore --disable-triggers` skips them for the same reason). When the database
    role may (a superuser), `session_replication_role = replica` skips them for this transaction until
    `bulk_end`; the roll-ups the skipped row trigger would have kept are recomputed by index_follow.
    Returns whether the checks are skipped."""
    if not TRUST_COPY:
        return False
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    row = cursor.fetchone()
    if not (row and row[0]):
        return False
    cursor.execute("SET LOCAL session_replication_role = replica")
    return True


def bulk_end(cursor):
    cursor.execute("SELECT current_setting('session_replication_role')")
    if cursor.fetchone()[0] == "replica":
        cursor.execute("SET LOCAL session_replication_role = origin")


def _triggers_skipped(cursor):
    cursor.execute("SELECT current_setting('session_replication_role')")
    return cursor.fetchone()[0] == "replica"


def carried_filter(*, closed_states, dossier_ids):
    """SQL condition (alias d) and params choosing the dossiers to carry: either the chosen ids, or
    every dossier not in a closed state. Dossiers already carried away earlier are never chosen."""
    if dossier_ids is not None:
        return "d.id = ANY(%s)", [list(dossier_ids)]
    return "NOT (d.state = ANY(%s))", [list(closed_states)]


def code_conflicts(cursor, *, source, target, where, params):
    cursor.execute(
        f"SELECT d.code FROM {t(source.schema_name, DOSSIER_TABLE)} d "
        f"WHERE {where} AND d.code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM public.tenants_dossiertransfer x "
        "  WHERE x.source_agency_id = %s AND x.source_dossier_id = d.id) "
        f"AND EXISTS (SELECT 1 FROM {t(target.schema_name, DOSSIER_TABLE)} o WHERE o.code = d.code) ORDER BY 1",
        [*params, source.pk],
    )
    return [r[0] for r in cursor.fetchall()]


def dossiers_carry(
    *,
    cursor,
    source,
    target,
    kind,
    note_out,
    note_in,
    acting_user,
    now,
    closed_states,
    dossier_ids=None,
    timings=None,
):
    """Copy the chosen dossiers of `source` into `target` (see the module docstring). The caller
    holds the transaction and has checked code conflicts. Returns a CarryResult."""
    result = CarryResult()
    map_prepare(cursor)
    where, params = carried_filter(closed_states=closed_states, dossier_ids=dossier_ids)
    with timed(timings, "map"):
        result.carried = _map_fill(cursor, source=source, target=target, where=where, params=params)
    if not result.carried:
        return result
    join = f"JOIN {MAP} m ON m.source_agency_id = {int(source.pk)} AND m.old_id = d.id"
    with timed(timings, "dossiers"):
        _copy_dossiers(cursor, source=source, target=target, join=join, result=result)
    with timed(timings, "children"):
        _copy_children(cursor, source=source, target=target, result=result)
    with timed(timings, "transfer events"):
        _transfer_events(
            cursor,
            source=source,
            target=target,
            note_in=note_in,
            note_out=note_out,
            acting_user=acting_user,
            now=now,
        )
    with timed(timings, "pointers"):
        _pointer_rows(
            cursor, source=source, target=target, kind=kind, join=join, now=now, acting_user=acting_user
        )
    return result


def _map_fill(cursor, *, source, target, where, params):
    src, dst = source.schema_name, target.schema_name
    cursor.execute(
        f"INSERT INTO {MAP} (source_agency_id, old_id, new_id) "
        f"SELECT %s, d.id, nextval(pg_get_serial_sequence(%s, 'id')) "
        f"FROM {t(src, DOSSIER_TABLE)} d WHERE {where} AND NOT EXISTS ("
        "  SELECT 1 FROM public.tenants_dossiertransfer x WHERE x.source_agency_id = %s AND x.source_dossier_id = d.id"
        ") ORDER BY d.id",
        [source.pk, f"{q(dst)}.{q(DOSSIER_TABLE)}", *params, source.pk],
    )
    carried = cursor.rowcount
    cursor.execute(f"ANALYZE {MAP}")  # temporary tables have no statistics otherwise: bad join plans
    return carried


def _copy_dossiers(cursor, *, source, target, join, result):
    """1. the dossier rows"""
    src, dst = source.schema_name, target.schema_name
    cols = common_columns(cursor, src, dst, DOSSIER_TABLE)
    # column to clear -> the unique indexes it would break (the last column of each; not id or code)
    clearing: dict = {}
    for columns in unique_indexes(cursor, dst, DOSSIER_TABLE):
        if columns[-1] not in ("id", "code"):
            clearing.setdefault(columns[-1], []).append(columns)
    exprs = []
    for name, nullable, _serial in cols:
        if name == "id":
            exprs.append("m.new_id")
        elif name in clearing:
            clash = " OR ".join(
                f"EXISTS (SELECT 1 FROM {t(dst, DOSSIER_TABLE)} o WHERE "
                + " AND ".join(f"o.{q(c)} = d.{q(c)}" for c in columns)
                + ")"
                for columns in clearing[name]
            )
            cursor.execute(
                f"SELECT count(*) FROM {t(src, DOSSIER_TABLE)} d {join} WHERE d.{q(name)} IS NOT NULL AND ({clash})"
            )
            result.cleared[name] = cursor.fetchone()[0]
            replacement = "NULL" if nullable else f"left({_literal(source.slug)} || ':' || d.{q(name)}, 64)"
            exprs.append(f"CASE WHEN {clash} THEN {replacement} ELSE d.{q(name)} END")
        else:
            exprs.append(f"d.{q(name)}")
    names = ", ".join(q(c[0]) for c in cols)
    cursor.execute(
        f"INSERT INTO {t(dst, DOSSIER_TABLE)} ({names}) SELECT {', '.join(exprs)} "
        f"FROM {t(src, DOSSIER_TABLE)} d {join} ORDER BY d.id"
    )
    cursor.execute(f"SELECT d.state, count(*) FROM {t(src, DOSSIER_TABLE)} d {join} GROUP BY 1 ORDER BY 1")
    result.by_state = dict(cursor.fetchall())


def _copy_children(cursor, *, source, target, result):
    """2. every table with a foreign key to the dossier (components, pauses, events, later additions)"""
    src, dst = source.schema_name, target.schema_name
    for table, fk in referencing_tables(cursor, src, DOSSIER_TABLE):
        child_cols = [c for c in common_columns(cursor, src, dst, table) if not (c[0] == "id" and c[2])]
        names = ", ".join(q(c[0]) for c in child_cols)
        exprs = []
        for name, _nullable, _serial in child_cols:
            if name == fk:
                exprs.append("m.new_id")
            elif table == EVENT_TABLE and name == "agency_name":
                # history written at the old agency: say so, now that it sits in the successor's schema
                exprs.append(f"COALESCE(NULLIF(c.{q(name)}, ''), %s)")
            else:
                exprs.append(f"c.{q(name)}")
        cursor.execute(
            f"INSERT INTO {t(dst, table)} ({names}) SELECT {', '.join(exprs)} FROM {t(src, table)} c "
            f"JOIN {MAP} m ON m.source_agency_id = {int(source.pk)} AND m.old_id = c.{q(fk)} ORDER BY c.id",
            [source.name] * sum(1 for e in exprs if "%s" in e),
        )
        result.child_rows[table] = cursor.rowcount


def _transfer_events(cursor, *, source, target, note_in, note_out, acting_user, now):
    """3. the transfer event on both sides (the source's row itself is not rewritten: its last event
    and the DossierTransfer pointer say where it went)"""
    src, dst = source.schema_name, target.schema_name
    transfer = {
        "from_agency": source.slug,
        "from_agency_name": source.name,
        "to_agency": target.slug,
        "to_agency_name": target.name,
    }
    actor_id = acting_user.pk if acting_user is not None else None
    actor_name = (getattr(acting_user, "display_name", None) or str(acting_user)) if acting_user else ""
    _append_transfer_event(
        cursor,
        schema=dst,
        dossier_side="m.new_id",
        source_pk=source.pk,
        action="transfer_in",
        note=note_in,
        transfer=transfer,
        old_id_side="m.old_id",
        new_id_side="m.new_id",
        actor_id=actor_id,
        actor_name=actor_name,
        now=now,
        giver=source.name,
        receiver=target.name,
    )
    _append_transfer_event(
        cursor,
        schema=src,
        dossier_side="m.old_id",
        source_pk=source.pk,
        action="transfer_out",
        note=note_out,
        transfer=transfer,
        old_id_side="m.old_id",
        new_id_side="m.new_id",
        actor_id=actor_id,
        actor_name=actor_name,
        now=now,
        giver=source.name,
        receiver=target.name,
    )


def index_follow(*, cursor, target, sources, now, timings=None):
    """4. (after every source is carried) the public look-up rows follow their dossiers to the target;
    each public timeline shows the transfer; "..._agency_id" columns of the index other than the
    holder (e.g. the origin of a handed-over dossier) that named a source now name the target.

    The roll-ups of shared_apps.reports are kept by a row trigger on the index. Fired for tens of
    thousands of rows that all land in the same few roll-up rows, it updates those rows once per
    index row in one transaction (each update slower than the last). So the trigger is switched
    off for these statements (skipped already when bulk_begin could; else `ALTER TABLE … DISABLE
    TRIGGER`, which locks the index until commit: this phase runs last) and the roll-ups of the
    agencies involved are recomputed set-based with the reports app's own definitions."""
    from . import rollups

    ids = sorted({target.pk, *(s.pk for s in sources)})
    recompute = rollups.recompute_statements(cursor, agency_ids=ids)
    skipped = _triggers_skipped(cursor)
    alter = bool(recompute) and not skipped
    # Nothing to recompute with (no reports app, or its SQL changed shape): the row trigger must keep
    # the roll-ups, so it has to fire here even when bulk_begin switched the row triggers off.
    trigger_back_on = skipped and not recompute
    if trigger_back_on:
        cursor.execute("SET LOCAL session_replication_role = origin")
    if alter:
        # deferred foreign-key checks already queued on the index (earlier writes in this transaction)
        # and those of the statements below must run before the table can be altered
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE public.{INDEX_TABLE} DISABLE TRIGGER {rollups.ROW_TRIGGER}")
    with timed(timings, "public index"):
        index_columns = table_columns(cursor, "public", INDEX_TABLE)
        history = _index_history_keep(cursor, target=target, columns=index_columns)
        cursor.execute(
            f"UPDATE public.{INDEX_TABLE} ix SET agency_id = %s, dossier_id = m.new_id FROM {MAP} m "
            "WHERE ix.agency_id = m.source_agency_id AND ix.dossier_id = m.old_id",
            [target.pk],
        )
        for name, _nullable, _serial in index_columns:
            if name.endswith("_agency_id") and name != "agency_id":
                cursor.execute(
                    f"UPDATE public.{INDEX_TABLE} ix SET {q(name)} = %s FROM {MAP} m "
                    f"JOIN {t(target.schema_name, DOSSIER_TABLE)} d ON d.id = m.new_id "
                    f"WHERE ix.code = d.code AND ix.{q(name)} = m.source_agency_id",
                    [target.pk],
                )
        if history:
            _index_history_write(cursor, columns=index_columns, now=now)
        ie_cols = [c for c in table_columns(cursor, "public", INDEX_EVENT_TABLE) if c[0] != "id"]
        overrides = {
            "at": "%(now)s",
            "action": "'transfer_in'",
            "national_status": "ix.national_status",
            "step": "ix.current_step",
            "agency_name": "%(target_name)s",
            "entry_id": "ix.id",
        }
        names = ", ".join(q(c[0]) for c in ie_cols)
        exprs = ", ".join(overrides.get(c[0], f"last.{q(c[0])}") for c in ie_cols)
        cursor.execute(
            f"INSERT INTO public.{INDEX_EVENT_TABLE} ({names}) SELECT {exprs} "
            f"FROM {MAP} m JOIN public.{INDEX_TABLE} ix ON ix.agency_id = %(target)s AND ix.dossier_id = m.new_id "
            f"JOIN LATERAL (SELECT * FROM public.{INDEX_EVENT_TABLE} e WHERE e.entry_id = ix.id "
            "  ORDER BY e.at DESC, e.id DESC LIMIT 1) last ON true",
            {"now": now, "target_name": target.name, "target": target.pk},
        )
    if recompute:
        with timed(timings, "report roll-ups"):
            for statement in recompute:
                cursor.execute(statement)
            if alter:
                cursor.execute(f"ALTER TABLE public.{INDEX_TABLE} ENABLE TRIGGER {rollups.ROW_TRIGGER}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    if trigger_back_on:
        cursor.execute("SET LOCAL session_replication_role = replica")  # as bulk_begin left it, for bulk_end


HISTORY = "pg_temp.agency_transfer_index_history"
HISTORY_COLUMNS = {"transferred_in_at", "transferred_out_at", "origin_agency_id"}


def _index_history_keep(cursor, *, target, columns):
    """Before the live rows move: keep a copy of each row that REPORTS at a source (its holder is the
    source and it names no other lead agency, or it names the source as its lead agency while another
    agency holds it) and mark the live row as carried in (``transferred_in_at``). Rows a source held
    for another lead agency report there before and after: they are only re-keyed. Returns whether
    the index has the history columns (else nothing is kept: the old behaviour)."""
    names = {c[0] for c in columns}
    if not HISTORY_COLUMNS <= names:
        return False
    cursor.execute(f"DROP TABLE IF EXISTS {HISTORY}")
    cursor.execute(
        f"CREATE TEMP TABLE {HISTORY.split('.')[1]} ON COMMIT DROP AS "
        f"SELECT ix.*, m.source_agency_id AS h_agency_id, m.old_id AS h_dossier_id "
        f"FROM {MAP} m JOIN {t(target.schema_name, DOSSIER_TABLE)} d ON d.id = m.new_id "
        f"JOIN public.{INDEX_TABLE} ix ON ix.code = d.code AND ix.transferred_out_at IS NULL "
        "WHERE COALESCE(ix.origin_agency_id, ix.agency_id) = m.source_agency_id"
    )
    return True


def _index_history_write(cursor, *, columns, now):
    """After the live rows moved: they are carried in at `now`; the kept copies go back in as history
    rows under the source's key (its agency, its dossier id), carried away at `now`, without an owner
    (a citizen's list shows the live row only) and naming no other lead agency (they report at the
    source). A row not yet received counts nowhere and leaves no history."""
    cursor.execute(
        f"UPDATE public.{INDEX_TABLE} ix SET transferred_in_at = %s FROM {HISTORY} h WHERE ix.id = h.id",
        [now],
    )
    overrides = {
        "agency_id": "h.h_agency_id",
        "dossier_id": "h.h_dossier_id",
        "transferred_out_at": "%(now)s",
        "owner_user_id": "NULL",
    }
    cols = [c[0] for c in columns if c[0] != "id"]
    exprs = [
        overrides.get(c, "NULL" if c.endswith("_agency_id") and c != "agency_id" else f"h.{q(c)}")
        for c in cols
    ]
    cursor.execute(
        f"INSERT INTO public.{INDEX_TABLE} ({', '.join(q(c) for c in cols)}) "
        f"SELECT {', '.join(exprs)} FROM {HISTORY} h WHERE h.received_at IS NOT NULL",
        {"now": now},
    )


def _pointer_rows(cursor, *, source, target, kind, join, now, acting_user):
    """5. the pointer left behind"""
    src = source.schema_name
    actor_id = acting_user.pk if acting_user is not None else None
    cursor.execute(
        "INSERT INTO public.tenants_dossiertransfer (kind, source_agency_id, source_dossier_id, target_agency_id, "
        "target_dossier_id, code, state, at, actor_id) "
        f"SELECT %s, %s, m.old_id, %s, m.new_id, coalesce(d.code, ''), d.state, %s, %s FROM {t(src, DOSSIER_TABLE)} d {join}",
        [kind, source.pk, target.pk, now, actor_id],
    )


def _literal(value):
    return "'" + str(value).replace("'", "''") + "'"


def _append_transfer_event(
    cursor,
    *,
    schema,
    dossier_side,
    source_pk,
    action,
    note,
    transfer,
    old_id_side,
    new_id_side,
    actor_id,
    actor_name,
    now,
    giver,
    receiver,
):
    """One event per carried dossier in `schema`: a copy of the dossier's last event with the
    transfer's values (seq = last + 1, state unchanged, old/new = where the dossier was / is)."""
    cols = [c for c in table_columns(cursor, schema, EVENT_TABLE) if not (c[0] == "id" and c[2])]
    overrides = {
        "dossier_id": dossier_side,
        "seq": "last.seq + 1",
        "action": "%(action)s",
        "from_state": "d.state",
        "to_state": "d.state",
        "actor_id": "%(actor_id)s",
        "actor_name": "%(actor_name)s",
        "at": "%(now)s",
        "note": "%(note)s",
        "old_values": f"jsonb_build_object('agency', %(from)s, 'agency_name', %(from_name)s, 'dossier_id', {old_id_side})",
        "new_values": f"jsonb_build_object('agency', %(to)s, 'agency_name', %(to_name)s, 'dossier_id', {new_id_side})",
        "step": "d.current_step",
        "giver_name": "%(giver)s",
        "receiver_name": "%(receiver)s",
        "step_due_at": "d.step_due_at",
        "step_timeliness": "''",
        "agency_name": "''",
    }
    # sealed here onto the carried chain (tenant_apps/dossiers/chain.py): the merger may run with
    # triggers off (session_replication_role), so the insert trigger cannot be relied on
    content = (
        "public.dossier_event_content(last.seq + 1, %(action)s::text, d.state, d.state, "
        "%(actor_id)s::bigint, %(actor_name)s::text, %(now)s::timestamptz, %(note)s::text, "
        f"{overrides['old_values']}, {overrides['new_values']}, d.current_step, %(giver)s::text, "
        "%(receiver)s::text, d.step_due_at, '')"
    )
    overrides["prev_hash"] = "last.hash"
    overrides["hash"] = f"public.dossier_event_hash(last.hash, {content})"
    names = ", ".join(q(c[0]) for c in cols)
    exprs = ", ".join(overrides.get(c[0], f"last.{q(c[0])}") for c in cols)
    cursor.execute(
        f"INSERT INTO {t(schema, EVENT_TABLE)} ({names}) SELECT {exprs} "
        f"FROM {MAP} m JOIN {t(schema, DOSSIER_TABLE)} d ON d.id = {dossier_side} "
        f"JOIN LATERAL (SELECT * FROM {t(schema, EVENT_TABLE)} e WHERE e.dossier_id = d.id "
        "  ORDER BY e.seq DESC LIMIT 1) last ON true "
        "WHERE m.source_agency_id = %(source)s",
        {
            "action": action,
            "actor_id": actor_id,
            "actor_name": actor_name,
            "now": now,
            "note": note,
            "from": transfer["from_agency"],
            "from_name": transfer["from_agency_name"],
            "to": transfer["to_agency"],
            "to_name": transfer["to_agency_name"],
            "giver": giver,
            "receiver": receiver,
            "source": source_pk,
        },
    )


def adoptions_reconcile(*, cursor, source, target, procedure_ids=None):
    """Union of adopted procedures: the target adopts (with the source's local settings) every
    procedure the source had and it had not. Returns (added, conflicts): a conflict is a procedure
    both adopted with different local settings; the target's settings are kept."""
    table = "adoption_procedureadoption"
    src, dst = source.schema_name, target.schema_name
    cols = [c for c in common_columns(cursor, src, dst, table) if not (c[0] == "id" and c[2])]
    compare = [c[0] for c in cols if c[0] not in ("procedure_id", "adopted_at", "adopted_by_id")]
    only = "AND s.procedure_id = ANY(%(ids)s)" if procedure_ids is not None else ""
    params = {"ids": list(procedure_ids or [])}
    row = lambda alias: "ROW(" + ", ".join(f"{alias}.{q(c)}" for c in compare) + ")"  # noqa: E731
    cursor.execute(
        f"SELECT s.procedure_id FROM {t(src, table)} s JOIN {t(dst, table)} o ON o.procedure_id = s.procedure_id "
        f"WHERE {row('s')}::text IS DISTINCT FROM {row('o')}::text {only} ORDER BY 1",
        params,
    )
    conflicts = [r[0] for r in cursor.fetchall()]
    names = ", ".join(q(c[0]) for c in cols)
    cursor.execute(
        f"INSERT INTO {t(dst, table)} ({names}) SELECT {', '.join('s.' + q(c[0]) for c in cols)} "
        f"FROM {t(src, table)} s WHERE NOT EXISTS (SELECT 1 FROM {t(dst, table)} o "
        f"WHERE o.procedure_id = s.procedure_id) {only}",
        params,
    )
    added = cursor.rowcount
    if added:
        agency_data_added(target)  # the target's intake plans are read again
    return added, conflicts


def pointer_pairs(cursor, schema):
    """Cross-agency pointers of the dossier table: (`x_agency_id`, `x_dossier_id`) column pairs (e.g.
    the inter-agency hand-over's origin and current holder), found by name at run time."""
    names = {c[0] for c in table_columns(cursor, schema, DOSSIER_TABLE)}
    return sorted(
        (n, n[: -len("_agency_id")] + "_dossier_id")
        for n in names
        if n.endswith("_agency_id") and n[: -len("_agency_id")] + "_dossier_id" in names
    )


def pointers_remap(*, cursor, target, sources):
    """After every source is carried: pointers (in other agencies' dossiers and in the target) that
    named a carried dossier by its old (agency, id) now name the target's copy (the public index's
    are re-pointed by `index_follow`). Only agencies a carried dossier points at can hold such a pointer, so only those schemas
    (and the target's) are visited."""
    pairs = pointer_pairs(cursor, target.schema_name)
    source_ids = [s.pk for s in sources]
    if pairs:
        refs = " UNION ".join(
            f"SELECT d.{q(a)} FROM {t(target.schema_name, DOSSIER_TABLE)} d "
            f"JOIN {MAP} m ON m.new_id = d.id WHERE d.{q(a)} IS NOT NULL"
            for a, _d in pairs
        )
        cursor.execute(
            f"SELECT a.id, a.schema_name FROM public.tenants_agency a WHERE a.id IN ({refs}) "
            "AND NOT (a.id = ANY(%s))",
            [source_ids],
        )
        schemas = {target.schema_name} | {row[1] for row in cursor.fetchall()}
        for schema in sorted(schemas):
            for agency_col, dossier_col in pointer_pairs(cursor, schema):
                cursor.execute(
                    f"UPDATE {t(schema, DOSSIER_TABLE)} x SET {q(agency_col)} = %s, {q(dossier_col)} = m.new_id "
                    f"FROM {MAP} m WHERE x.{q(agency_col)} = m.source_agency_id AND x.{q(dossier_col)} = m.old_id",
                    [target.pk],
                )
