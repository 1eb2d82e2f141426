"""Per-agency backup and restore: the agency's schema plus its rows in the public schema, in one file.

The file is a zip: `manifest.json` and one CSV per table written by PostgreSQL's COPY, in a
consistent snapshot (one REPEATABLE READ, READ ONLY transaction). The manifest records the agency,
the schema's migration state, and for every table its columns, row count and the SHA-256 of its rows
in primary-key order.

Which public rows belong to an agency is read from the database catalogue, not listed by hand: every
public table with a foreign key to the agency table (memberships, the look-up index, outbox,
ratings, office hours, …), and every table with a foreign key to one of those (the index's timeline).
A table added later is therefore backed up without anyone remembering it. Derived read models
(settings.BACKUP_DERIVED_TABLE_PREFIXES: the statistics roll-ups) are not copied: the triggers that
maintain them from the look-up index run while the index rows are restored.

Restore (`agency_restore`) brings an agency back to the moment of its backup, in one transaction:
its schema is recreated from the template if it was lost, or emptied when `wipe=True` (it refuses to
write over data otherwise); the public rows of the agency are replaced; sequences are moved past the
restored ids; then every table is read back and its count and SHA-256 compared with the manifest — any
difference rolls everything back. A backup taken at another migration state than the platform's
is refused with a clear message (restore it on the release that took it, then migrate).

Rows keep their ids, so references between tables and to users stay valid. The users an agency's rows
point to live in the city's shared user table; a restore checks they all exist and names the missing
ones instead of restoring half. Whole-city backups are a different tool: see deploy/README.md."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from shared_apps.accounts.services import ensure_city_admin

from .hooks import replacing_agency_data
from .models import AgencyEvent
from .schema import schema_clone_from_template, schema_exists, template_schema_name

FORMAT = 1
AGENCY_TABLE = "tenants_agency"


def _q(ident):
    return '"' + ident.replace('"', '""') + '"'


@dataclass(frozen=True)
class PublicTable:
    table: str
    where: str  # SQL condition on the table's rows, with {agency} for the agency's id
    columns: tuple
    level: int  # 1: points to the agency; 2: points to a level-1 table

    def rows_of(self, agency):
        return self.where.format(agency=int(agency.pk))


def _tables(cursor, schema):
    cursor.execute(
        """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY 1""",
        [schema],
    )
    return [r[0] for r in cursor.fetchall()]


def _columns(cursor, schema, table):
    cursor.execute(
        """SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                      JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped
                      AND a.attgenerated = '' ORDER BY a.attnum""",
        [schema, table],
    )
    return tuple(r[0] for r in cursor.fetchall())


def _order(cursor, schema, table, columns):
    cursor.execute(
        """SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                      JOIN pg_namespace n ON n.oid = c.relnamespace
                      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
                      WHERE n.nspname = %s AND c.relname = %s AND i.indisprimary""",
        [schema, table],
    )
    keys = [r[0] for r in cursor.fetchall()] or list(columns)
    return ", ".join(_q(k) for k in keys)


def public_tables_of_agency(cursor, *, include_derived=False):
    """Public tables holding rows of one agency: FK to the agency table, and FK to those (one level)."""
    cursor.execute("""
        SELECT cl.relname, att.attname, ref.relname
        FROM pg_constraint con
        JOIN pg_class cl ON cl.oid = con.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
        JOIN pg_class ref ON ref.oid = con.confrelid
        JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = con.conkey[1]
        WHERE con.contype = 'f' AND n.nspname = 'public' AND array_length(con.conkey, 1) = 1
        ORDER BY 1, 2""")
    derived = () if include_derived else tuple(settings.BACKUP_DERIVED_TABLE_PREFIXES)
    fks = [fk for fk in cursor.fetchall() if not (derived and fk[0].startswith(derived))]
    direct = {}
    for table, column, ref in fks:
        if ref == AGENCY_TABLE and table != AGENCY_TABLE:
            direct.setdefault(table, []).append(column)
    out = {}
    for table, cols in direct.items():
        out[table] = " OR ".join(f"{_q(c)} = {{agency}}" for c in cols)
    for table, column, ref in fks:
        if ref in direct and table not in direct and table != AGENCY_TABLE:
            parent = f"SELECT id FROM public.{_q(ref)} WHERE {out[ref]}"
            clause = f"{_q(column)} IN ({parent})"
            out[table] = f"({out[table]}) OR {clause}" if table in out else clause
    return [
        PublicTable(t, w, _columns(cursor, "public", t), 1 if t in direct else 2)
        for t, w in sorted(out.items())
    ]


def _copy_out(cursor, select):
    """The rows of `select` as CSV bytes (COPY TO STDOUT)."""
    buf = io.BytesIO()
    with cursor.cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT csv)") as copy:
        for chunk in copy:
            buf.write(chunk)
    return buf.getvalue()


def _read_table(cursor, schema, table, columns, where=None):
    """(CSV bytes in primary-key order, row count). Rows are counted by SQL, not by newlines: a text
    value may hold one."""
    cols = ", ".join(_q(c) for c in columns)
    order = _order(cursor, schema, table, columns)
    select = f"SELECT {cols} FROM {_q(schema)}.{_q(table)}"
    if where:
        select += f" WHERE {where}"
    select += f" ORDER BY {order}"
    data = _copy_out(cursor, select)
    cursor.execute(f"SELECT count(*) FROM ({select}) t")
    return data, cursor.fetchone()[0]


def _migration_state(cursor, schema):
    cursor.execute(f"SELECT app, name FROM {_q(schema)}.django_migrations ORDER BY app, name")
    return [f"{a}.{n}" for a, n in cursor.fetchall()]


def _on_public(function):
    """Run on the public schema (names are schema-qualified) and put the caller's tenant back."""

    def wrapper(**kwargs):
        previous = connection.tenant
        connection.set_schema_to_public()
        try:
            return function(**kwargs)
        finally:
            connection.set_tenant(previous)

    wrapper.__doc__, wrapper.__name__ = function.__doc__, function.__name__
    return wrapper


@_on_public
def agency_backup(*, agency, out, acting_user):
    """Write the agency's backup to `out` (a path or a binary file object); return the manifest."""
    ensure_city_admin(acting_user)
    manifest = {
        "format": FORMAT,
        "taken_at": datetime.now(UTC).isoformat(),
        "agency": {
            "id": agency.pk,
            "slug": agency.slug,
            "name": agency.name,
            "national_code": agency.national_code,
            "schema_name": agency.schema_name,
        },
        "schema": {},
        "public": {},
    }
    connection.set_schema_to_public()
    outermost = not connection.in_atomic_block
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf,
    ):
        if outermost:  # one snapshot for every table (inside a caller's transaction, that one's)
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        schema = agency.schema_name
        if not schema_exists(schema):
            raise DomainError(_("Lược đồ dữ liệu %(s)s của cơ quan không tồn tại.") % {"s": schema})
        manifest["migrations"] = _migration_state(cursor, schema)
        for table in _tables(cursor, schema):
            if table == "django_migrations":
                continue
            columns = _columns(cursor, schema, table)
            data, count = _read_table(cursor, schema, table, columns)
            zf.writestr(f"schema/{table}.csv", data)
            manifest["schema"][table] = {
                "columns": list(columns),
                "rows": count,
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        for pt in public_tables_of_agency(cursor):
            data, count = _read_table(cursor, "public", pt.table, pt.columns, pt.rows_of(agency))
            zf.writestr(f"public/{pt.table}.csv", data)
            manifest["public"][pt.table] = {
                "columns": list(pt.columns),
                "rows": count,
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def _read_manifest(zf):
    try:
        manifest = json.loads(zf.read("manifest.json"))
    except (KeyError, ValueError) as exc:
        raise DomainError(_("Tệp không phải bản sao lưu cơ quan (thiếu manifest.json).")) from exc
    if manifest.get("format") != FORMAT:
        raise DomainError(_("Định dạng bản sao lưu %(f)s không được hỗ trợ.") % {"f": manifest.get("format")})
    return manifest


def _copy_in(cursor, schema, table, columns, data):
    cols = ", ".join(_q(c) for c in columns)
    with cursor.cursor.copy(f"COPY {_q(schema)}.{_q(table)} ({cols}) FROM STDIN (FORMAT csv)") as copy:
        copy.write(data)


def _reset_sequences(cursor, schema):
    cursor.execute(
        """SELECT s.relname, t.relname, a.attname FROM pg_class s
                      JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')
                      JOIN pg_class t ON t.oid = d.refobjid
                      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
                      JOIN pg_namespace n ON n.oid = s.relnamespace
                      WHERE s.relkind = 'S' AND n.nspname = %s""",
        [schema],
    )
    for seq, table, column in cursor.fetchall():
        cursor.execute(
            f"SELECT setval(%s, coalesce((SELECT max({_q(column)}) FROM {_q(schema)}.{_q(table)}), 0) + 1, false)",
            [f"{_q(schema)}.{_q(seq)}"],
        )


def _referenced_users_missing(cursor, schema):
    """Ids of users that rows of `schema` point to but that the city's user table no longer has."""
    cursor.execute(
        """SELECT cl.relname, att.attname FROM pg_constraint con
                      JOIN pg_class cl ON cl.oid = con.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
                      JOIN pg_class ref ON ref.oid = con.confrelid
                      JOIN pg_namespace rn ON rn.oid = ref.relnamespace
                      JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = con.conkey[1]
                      WHERE con.contype = 'f' AND n.nspname = %s AND rn.nspname = 'public'
                      AND ref.relname = 'accounts_user'""",
        [schema],
    )
    missing = set()
    for table, column in cursor.fetchall():
        cursor.execute(f"""SELECT DISTINCT t.{_q(column)} FROM {_q(schema)}.{_q(table)} t
                           WHERE t.{_q(column)} IS NOT NULL AND NOT EXISTS
                           (SELECT 1 FROM public.accounts_user u WHERE u.id = t.{_q(column)})""")
        missing.update(r[0] for r in cursor.fetchall())
    return sorted(missing)


@_on_public
def agency_restore(*, agency, source, acting_user, wipe=False):
    """Restore `agency` from the backup in `source` (a path or a binary file object). All or nothing."""
    ensure_city_admin(acting_user)
    with zipfile.ZipFile(source) as zf:
        manifest = _read_manifest(zf)
        if manifest["agency"]["slug"] != agency.slug or manifest["agency"]["id"] != agency.pk:
            raise DomainError(
                _("Bản sao lưu này của cơ quan “%(name)s” (/%(slug)s/), không phải của cơ quan đã chọn.")
                % {"name": manifest["agency"]["name"], "slug": manifest["agency"]["slug"]}
            )
        connection.set_schema_to_public()
        schema = agency.schema_name
        with transaction.atomic(), connection.cursor() as cursor:
            if schema_exists(schema):
                if _migration_state(cursor, schema) != manifest["migrations"]:
                    raise DomainError(
                        _(
                            "Bản sao lưu được lấy ở phiên bản cơ sở dữ liệu khác; hãy phục hồi bằng "
                            "phiên bản đã tạo ra nó rồi nâng cấp."
                        ),
                        code="migration_mismatch",
                    )
            else:
                if _migration_state(cursor, template_schema_name()) != manifest["migrations"]:
                    raise DomainError(
                        _(
                            "Bản sao lưu được lấy ở phiên bản cơ sở dữ liệu khác; hãy phục hồi bằng "
                            "phiên bản đã tạo ra nó rồi nâng cấp."
                        ),
                        code="migration_mismatch",
                    )
                schema_clone_from_template(schema)
            tables = [t for t in _tables(cursor, schema) if t != "django_migrations"]
            if set(tables) != set(manifest["schema"]):
                raise DomainError(_("Các bảng trong bản sao lưu không khớp với lược đồ hiện tại."))
            holding = [t for t in tables if _has_rows(cursor, schema, t)]
            if holding and not wipe:
                raise DomainError(
                    _(
                        "Cơ quan đang có dữ liệu (bảng %(t)s). Chỉ phục hồi vào cơ quan trống, hoặc "
                        "chọn xóa dữ liệu hiện có (--wipe)."
                    )
                    % {"t": ", ".join(holding[:5])},
                    code="not_empty",
                )
            with replacing_agency_data(agency):  # each app forgets its cached copies of these rows
                if holding:
                    # Checks still pending from earlier in the caller's transaction run now (TRUNCATE
                    # refuses a table with pending trigger events); loading below runs deferred again.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                    cursor.execute("TRUNCATE " + ", ".join(f"{_q(schema)}.{_q(t)}" for t in tables))
                public = {pt.table: pt for pt in public_tables_of_agency(cursor)}
                if set(public) != set(manifest["public"]):
                    raise DomainError(
                        _("Các bảng dùng chung trong bản sao lưu không khớp với hệ thống hiện tại.")
                    )
                # Children first (the index's timeline before the index rows).
                for name in sorted(public, key=lambda t: -public[t].level):
                    cursor.execute(f"DELETE FROM public.{_q(name)} WHERE {public[name].rows_of(agency)}")
                for table, meta in manifest["schema"].items():
                    _copy_in(cursor, schema, table, meta["columns"], zf.read(f"schema/{table}.csv"))
                for table, meta in sorted(manifest["public"].items(), key=lambda kv: public[kv[0]].level):
                    _copy_in(cursor, "public", table, meta["columns"], zf.read(f"public/{table}.csv"))
                missing = _referenced_users_missing(cursor, schema)
                if missing:
                    raise DomainError(
                        _("Bản sao lưu nhắc tới người dùng không còn trong hệ thống (id: %(ids)s).")
                        % {"ids": ", ".join(map(str, missing[:20]))},
                        code="users_missing",
                    )
                _reset_sequences(cursor, schema)
                cursor.execute(
                    "SET CONSTRAINTS ALL IMMEDIATE"
                )  # foreign keys checked now, inside the transaction
                _verify(cursor, manifest, schema, public, agency)
            AgencyEvent.objects.create(
                agency=agency,
                action="restored",
                actor=acting_user,
                new_values={
                    "taken_at": manifest["taken_at"],
                    "tables": len(manifest["schema"]) + len(manifest["public"]),
                    "rows": sum(m["rows"] for m in manifest["schema"].values()),
                },
            )
    return manifest


def _has_rows(cursor, schema, table):
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_q(schema)}.{_q(table)})")
    return cursor.fetchone()[0]


def _verify(cursor, manifest, schema, public, agency):
    """Read every restored table back; its rows must hash to what the backup recorded."""
    checks = [(schema, t, m, None) for t, m in manifest["schema"].items()]
    checks += [("public", t, m, public[t].rows_of(agency)) for t, m in manifest["public"].items()]
    for where_schema, table, meta, where in checks:
        data, count = _read_table(cursor, where_schema, table, tuple(meta["columns"]), where)
        if count != meta["rows"] or hashlib.sha256(data).hexdigest() != meta["sha256"]:
            raise DomainError(
                _("Phục hồi bảng %(t)s không khớp bản sao lưu (%(got)s/%(want)s dòng); đã hủy.")
                % {"t": table, "got": count, "want": meta["rows"]},
                code="verify_failed",
            )


def backup_summary(manifest):
    """A short text for the command line."""
    rows = sum(m["rows"] for m in manifest["schema"].values())
    public = sum(m["rows"] for m in manifest["public"].values())
    return (
        f"{manifest['agency']['name']} (/{manifest['agency']['slug']}/): {len(manifest['schema'])} tables, "
        f"{rows} rows in its schema, {public} rows in the shared tables"
    )
