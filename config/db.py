"""Inserting a small tree of rows (a parent, its children, rows that hang off those) in ONE statement,
with data-modifying CTEs.

For hot paths where round trips dominate (counter intake). Values come from ordinary model instances
and every concrete field is prepared by Django itself (`pre_save`, `get_db_prep_save`): defaults,
auto_now, JSON and arrays behave as with `save()`. Model `save()` methods and signals do NOT run:
use it only for models that rely on neither. Rows of one statement form one implicit transaction."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connection, connections

_META: dict = {}


def _meta(model):
    """(fields, quoted columns, SQL types) of a model, computed once per process."""
    meta = _META.get(model)
    if meta is None:
        quote = connection.ops.quote_name
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        meta = _META[model] = (
            fields,
            {f.attname: quote(f.column) for f in fields},
            {f.attname: f.db_type(connection) for f in fields},
            quote(model._meta.db_table),
        )
    return meta


class InsertChain:
    """`chain.insert("d", [dossier], source="counter", derived={"code": ("... counter.last ...", [])},
    returning="id, code")` adds `d AS (INSERT ... SELECT ... FROM counter, (VALUES ...) v RETURNING ...)`;
    later inserts refer to earlier ones by name (`derived={"dossier_id": ("d.id", [])}`)."""

    def __init__(self):
        self.ctes: list[str] = []
        self.params: list = []

    def raw(self, name, sql, params=()):
        self.ctes.append(f"{name} AS ({sql})")
        self.params.extend(params)
        return self

    def insert(self, name, instances, *, source=None, derived=None, returning=None, keep_values=()):
        """`keep_values`: attnames that are derived yet still passed as values (the derived SQL reads
        them as v."column"), e.g. a text completed with a value only SQL knows."""
        if not instances:
            return self
        fields, columns, types, table = _meta(type(instances[0]))
        derived = derived or {}
        given = [f for f in fields if f.attname not in derived or f.attname in keep_values]
        exprs = []
        for f in fields:
            if f.attname in derived:
                sql, params = derived[f.attname]
                exprs.append(sql)
                self.params.extend(params)
            else:
                exprs.append(f"CAST(v.{columns[f.attname]} AS {types[f.attname]})")
        row = "(" + ", ".join(["%s"] * len(given)) + ")"
        conn = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: one thread-local lookup, not one per value
        for instance in instances:
            self.params.extend(f.get_db_prep_save(f.pre_save(instance, add=True), conn) for f in given)
        values = f"(VALUES {', '.join([row] * len(instances))}) AS v({', '.join(columns[f.attname] for f in given)})"
        sources = ", ".join(s for s in (source, values) if s)
        self.ctes.append(
            f"{name} AS (INSERT INTO {table} ({', '.join(columns[f.attname] for f in fields)}) "
            f"SELECT {', '.join(exprs)} FROM {sources}"
            + (f" RETURNING {returning}" if returning else "")
            + ")"
        )
        return self

    def run(self, final_select):
        with connection.cursor() as cursor:
            cursor.execute("WITH " + ", ".join(self.ctes) + " " + final_select, self.params)
            return cursor.fetchone()
