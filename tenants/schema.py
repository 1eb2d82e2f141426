"""Agency schemas: create one by cloning the migrated template schema, and describe one for comparison.

Cloning replays DDL that is generated once from the template's catalog (pg_catalog), then cached per
process and keyed by the template's migration state. One onboarding is therefore one round trip of
plain DDL inside the caller's transaction: no migration files are read, no Python migration code
runs, and PostgreSQL's transactional DDL makes a failure leave nothing behind.

Supported template contents are what Django migrations create: tables, columns (identity, defaults,
generated columns, collations), primary/unique/check/exclusion/foreign-key constraints, indexes,
sequences and comments, the rows of tables that migrations filled (django_migrations at least), and
row triggers whose function lives in the public schema (the dossier history's hash chain). Anything
else in the template (views, functions, constraint triggers, types) is refused with a clear error
rather than silently skipped.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import quote_schema_name


class TemplateSchemaError(RuntimeError):
    pass


def _q(ident):
    return '"' + ident.replace('"', '""') + '"'


def _literal(text):
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class CloneScript:
    fingerprint: tuple
    ddl: list[str]  # run with search_path = the new schema; unqualified names land there
    fk_ddl: list[str]
    data_tables: list[tuple[str, list[str]]]  # (table, insertable columns) with rows to copy
    sequences: list[str]


_cache_lock = threading.Lock()
_cache: dict[str, CloneScript] = {}


def template_schema_name():
    return settings.TENANT_TEMPLATE_SCHEMA


def _fingerprint(cursor, template):
    cursor.execute(
        f"SELECT count(*), coalesce(max(id), 0) FROM {quote_schema_name(template)}.django_migrations"
    )
    return tuple(cursor.fetchone())


def _refuse_unsupported(cursor, template):
    cursor.execute(
        """
        SELECT 'relation ' || c.relname || ' (kind ' || c.relkind::text || ')'
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = %(s)s AND c.relkind NOT IN ('r', 'p', 'i', 'I', 'S')
        UNION ALL
        SELECT 'function ' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = %(s)s
        UNION ALL
        SELECT 'trigger ' || t.tgname || ' (a constraint trigger)' FROM pg_trigger t
          JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = %(s)s AND NOT t.tgisinternal AND t.tgconstraint <> 0
        UNION ALL
        SELECT 'type ' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
         WHERE n.nspname = %(s)s AND t.typtype IN ('e', 'd', 'r', 'm')
        """,
        {"s": template},
    )
    bad = [r[0] for r in cursor.fetchall()]
    if bad:
        raise TemplateSchemaError(
            "The template schema holds objects the clone does not copy: "
            + ", ".join(bad)
            + ". Teach tenants.schema to copy them (and extend the clone-equals-migrate test)."
        )


def _build_script(cursor, template, fingerprint):
    _refuse_unsupported(cursor, template)
    # With only the template on the search path, catalog functions print same-schema names
    # unqualified and everything else (public.accounts_user, ...) qualified.
    cursor.execute(f"SET LOCAL search_path TO {quote_schema_name(template)}")
    try:
        cursor.execute(
            """
            SELECT c.oid, c.relname, c.relkind, c.relpersistence, obj_description(c.oid, 'pg_class')
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname
            """,
            [template],
        )
        tables = cursor.fetchall()
        oids = [t[0] for t in tables]
        cursor.execute(
            """
            SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
                   CASE WHEN a.attcollation <> t.typcollation THEN co.collname END,
                   col_description(a.attrelid, a.attnum),
                   s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
                   sc.relname, format_type(s.seqtypid, NULL)
              FROM pg_attribute a
              JOIN pg_type t ON t.oid = a.atttypid
              LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
              LEFT JOIN pg_collation co ON co.oid = a.attcollation
              LEFT JOIN pg_depend dep ON a.attidentity <> '' AND dep.refobjid = a.attrelid
                    AND dep.refobjsubid = a.attnum AND dep.deptype = 'i'
                    AND dep.classid = 'pg_class'::regclass
              LEFT JOIN pg_class sc ON sc.oid = dep.objid AND sc.relkind = 'S'
              LEFT JOIN pg_sequence s ON s.seqrelid = sc.oid
             WHERE a.attrelid = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attrelid, a.attnum
            """,
            [oids],
        )
        columns: dict[int, list] = {}
        for row in cursor.fetchall():
            columns.setdefault(row[0], []).append(row[1:])

        cursor.execute(
            """
            SELECT con.conrelid, con.conname, con.contype, pg_get_constraintdef(con.oid)
              FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
             WHERE n.nspname = %s AND con.conrelid <> 0 AND con.contype IN ('p', 'u', 'x', 'c', 'f')
             ORDER BY CASE con.contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'x' THEN 2
                      WHEN 'c' THEN 3 ELSE 4 END, con.conname
            """,
            [template],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """
            SELECT ic.relname, pg_get_indexdef(i.indexrelid)
              FROM pg_index i
              JOIN pg_class ic ON ic.oid = i.indexrelid
              JOIN pg_namespace n ON n.oid = ic.relnamespace
             WHERE n.nspname = %s
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                                WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                                  AND c.contype IN ('p', 'u', 'x'))
             ORDER BY ic.relname
            """,
            [template],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            """
            SELECT c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin,
                   s.seqmax, s.seqcache, s.seqcycle, own.relname, att.attname
              FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_sequence s ON s.seqrelid = c.oid
              LEFT JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass
                   AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
              LEFT JOIN pg_class own ON own.oid = d.refobjid
              LEFT JOIN pg_attribute att ON att.attrelid = d.refobjid AND att.attnum = d.refobjsubid
             WHERE n.nspname = %s AND c.relkind = 'S'
               AND (d.deptype IS NULL OR d.deptype = 'a')
             ORDER BY c.relname
            """,
            [template],
        )
        standalone_sequences = cursor.fetchall()
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'S' ORDER BY c.relname",
            [template],
        )
        all_sequences = [r[0] for r in cursor.fetchall()]

        ddl: list[str] = []
        for name, typ, start, inc, smin, smax, cache, cycle, _own, _att in standalone_sequences:
            ddl.append(
                f"CREATE SEQUENCE {_q(name)} AS {typ} INCREMENT BY {inc} MINVALUE {smin} "
                f"MAXVALUE {smax} START WITH {start} CACHE {cache}{' CYCLE' if cycle else ''}"
            )
        data_tables = []
        comments = []
        for oid, relname, _relkind, persistence, comment in tables:
            cols_sql = []
            insertable = []
            for (
                attname,
                typ,
                notnull,
                default,
                identity,
                generated,
                collation,
                col_comment,
                sstart,
                sinc,
                smin,
                smax,
                scache,
                scycle,
                seqname,
                _seqtype,
            ) in columns.get(oid, []):
                part = f"{_q(attname)} {typ}"
                if collation:
                    part += f" COLLATE {_q(collation)}"
                if generated == "s":
                    part += f" GENERATED ALWAYS AS ({default}) STORED"
                elif identity:
                    kind = "ALWAYS" if identity == "a" else "BY DEFAULT"
                    part += (
                        f" GENERATED {kind} AS IDENTITY (SEQUENCE NAME {_q(seqname)}"
                        f" INCREMENT BY {sinc} MINVALUE {smin} MAXVALUE {smax} START WITH {sstart}"
                        f" CACHE {scache}{' CYCLE' if scycle else ''})"
                    )
                elif default is not None:
                    part += f" DEFAULT {default}"
                if notnull:
                    part += " NOT NULL"
                cols_sql.append(part)
                if generated != "s":
                    insertable.append(attname)
                if col_comment is not None:
                    comments.append(
                        f"COMMENT ON COLUMN {_q(relname)}.{_q(attname)} IS {_literal(col_comment)}"
                    )
            unlogged = "UNLOGGED " if persistence == "u" else ""
            ddl.append(f"CREATE {unlogged}TABLE {_q(relname)} ({', '.join(cols_sql)})")
            if comment is not None:
                comments.append(f"COMMENT ON TABLE {_q(relname)} IS {_literal(comment)}")
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_q(relname)})")
            if cursor.fetchone()[0]:
                data_tables.append((relname, insertable))
        ddl.extend(comments)
        for name, _typ, _s, _i, _mn, _mx, _c, _cy, own, att in standalone_sequences:
            if own and att:
                ddl.append(f"ALTER SEQUENCE {_q(name)} OWNED BY {_q(own)}.{_q(att)}")

        relname_by_oid = {t[0]: t[1] for t in tables}
        fk_ddl = []
        for conrelid, conname, contype, definition in constraints:
            stmt = f"ALTER TABLE {_q(relname_by_oid[conrelid])} ADD CONSTRAINT {_q(conname)} {definition}"
            (fk_ddl if contype == "f" else ddl).append(stmt)
        cursor.execute("SELECT quote_ident(%s)", [template])
        ident = cursor.fetchone()[0]  # as the catalog prints it: unquoted when it can be
        qualified = f" ON {ident}."
        only_qualified = f" ON ONLY {ident}."
        for _name, definition in indexes:
            definition = definition.replace(only_qualified, " ON ONLY ", 1).replace(qualified, " ON ", 1)
            ddl.append(definition)
        # Row triggers whose function lives in public (functions in the template are refused above):
        # printed with the table unqualified, so the statement lands in the new schema.
        cursor.execute(
            """SELECT pg_get_triggerdef(t.oid, true) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = %s AND NOT t.tgisinternal ORDER BY c.relname, t.tgname""",
            [template],
        )
        ddl.extend(r[0] for r in cursor.fetchall())
        return CloneScript(fingerprint, ddl, fk_ddl, data_tables, all_sequences)
    finally:
        cursor.execute("SET LOCAL search_path TO DEFAULT")
        connection.search_path_set_schemas = None


def template_fingerprint():
    """The template's migration state as text (what a spare schema must match to be used)."""
    return ":".join(str(v) for v in clone_script().fingerprint)


def clone_script():
    template = template_schema_name()
    with transaction.atomic(), connection.cursor() as cursor:
        try:
            with connection.cursor() as probe:
                fingerprint = _fingerprint(probe, template)
        except Exception as exc:
            raise TemplateSchemaError(
                f"The template schema {template!r} is missing or not migrated: run "
                "`manage.py migrate_schemas` first."
            ) from exc
        cached = _cache.get(template)
        if cached is not None and cached.fingerprint == fingerprint:
            return cached
        with _cache_lock:
            script = _build_script(cursor, template, fingerprint)
            _cache[template] = script
            return script


def schema_clone_from_template(schema_name):
    """Create `schema_name` as a copy of the template. Must run inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("schema_clone_from_template must run inside transaction.atomic()")
    script = clone_script()
    template = quote_schema_name(template_schema_name())
    target = quote_schema_name(schema_name)
    statements = [f"CREATE SCHEMA {target}", f"SET LOCAL search_path TO {target}"]
    statements += script.ddl
    statements += script.fk_ddl
    for table, cols in script.data_tables:
        col_list = ", ".join(_q(c) for c in cols)
        statements.append(
            f"INSERT INTO {target}.{_q(table)} ({col_list}) OVERRIDING SYSTEM VALUE "
            f"SELECT {col_list} FROM {template}.{_q(table)}"
        )
    for seq in script.sequences:
        statements.append(
            f"SELECT setval('{target}.{_q(seq)}', last_value, is_called) FROM {template}.{_q(seq)}"
        )
    statements.append("SET LOCAL search_path TO DEFAULT")
    with connection.cursor() as cursor:
        # One round trip: psycopg sends a parameterless multi-statement string as a simple query.
        cursor.execute(";\n".join(statements))
    # The connection's idea of its search_path is gone after SET LOCAL: make it set it again.
    connection.search_path_set_schemas = None


def schema_exists(schema_name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = %s)", [schema_name])
        return cursor.fetchone()[0]


def schema_describe(schema_name):
    """Everything that makes a schema what it is, with the schema's own name taken out, so that two
    schemas built differently can be compared for equality."""
    out = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL search_path TO {quote_schema_name(schema_name)}")
        queries = {
            "tables": """SELECT c.relname, c.relkind, c.relpersistence FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %(s)s
                AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY 1""",
            "columns": """SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
                a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
                a.attcollation, col_description(a.attrelid, a.attnum)
                FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE n.nspname = %(s)s AND c.relkind IN ('r', 'p') AND a.attnum > 0
                AND NOT a.attisdropped ORDER BY 1, 2""",
            "constraints": """SELECT c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid),
                con.condeferrable, con.condeferred, con.convalidated
                FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
                JOIN pg_namespace n ON n.oid = con.connamespace WHERE n.nspname = %(s)s ORDER BY 1, 2""",
            "indexes": """SELECT ic.relname, c.relname, pg_get_indexdef(i.indexrelid), i.indisunique,
                i.indisprimary FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
                WHERE n.nspname = %(s)s ORDER BY 1""",
            "sequences": """SELECT c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,
                s.seqmin, s.seqmax, s.seqcache, s.seqcycle FROM pg_sequence s
                JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = %(s)s ORDER BY 1""",
            "sequence_owners": """SELECT c.relname, own.relname, att.attname, d.deptype FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass
                 AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
                JOIN pg_class own ON own.oid = d.refobjid
                JOIN pg_attribute att ON att.attrelid = d.refobjid AND att.attnum = d.refobjsubid
                WHERE n.nspname = %(s)s AND c.relkind = 'S' ORDER BY 1""",
            "table_comments": """SELECT c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %(s)s
                AND c.relkind IN ('r', 'p') ORDER BY 1""",
            "triggers": """SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid, true), t.tgenabled FROM pg_trigger t
                JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = %(s)s AND NOT t.tgisinternal ORDER BY 1, 2""",
        }
        for key, sql in queries.items():
            cursor.execute(sql, {"s": schema_name})
            out[key] = cursor.fetchall()
        cursor.execute("SELECT quote_ident(%s)", [schema_name])
        qualified = f"{cursor.fetchone()[0]}."
        out["indexes"] = [
            (name, table, definition.replace(qualified, "<schema>."), uniq, prim)
            for name, table, definition, uniq, prim in out["indexes"]
        ]
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        out["migrations"] = cursor.fetchall()
        seq_states = []
        for seq, *_rest in out["sequences"]:
            cursor.execute(f"SELECT last_value, is_called FROM {_q(seq)}")
            seq_states.append((seq, *cursor.fetchone()))
        out["sequence_states"] = seq_states
        cursor.execute("SET LOCAL search_path TO DEFAULT")
    connection.search_path_set_schemas = None
    return out
