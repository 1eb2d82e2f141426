"""Fill the city-wide look-up index with synthetic data for benchmarks (bench/lookup.py).

    manage.py seed_bench_index --agencies 1000 --rows 10000000 [--events-per-row 2] [--days 730]
                               [--seed 1] [--batch 200000] [--replace] [--force]

A READ-MODEL bench tool, not a way to onboard agencies:

* agencies are inserted straight into tenants_agency (COPY) WITHOUT schemas: slug bench-lookup-NNNNN,
  schema_name bench_lookup_NNNNN, national code bench.common.synthetic_code(n), kind commune, active.
  Do not run migrate_schemas on the database afterwards: it would try to migrate 1,000 missing schemas.
* if the catalogue holds no procedure, one sector and a dozen procedures are inserted (no versions);
  otherwise the dossiers use the existing procedures.
* tracking_dossierindex gets --rows rows over the last --days days (ending yesterday, weekdays busy,
  Saturday quieter, Sunday almost empty, agencies of very different sizes), with codes
  <agency national code>-<yymmdd>-<4-digit sequence of the agency's day> for every dossier that was
  accepted (new, intake_supplement and refused dossiers have no code, as in the app), states and
  national statuses that depend on the dossier's age, due/finished/returned times, timeliness, phone
  and ID tails, owner ids for part of the online dossiers.
* tracking_indexevent gets a public timeline of at most --events-per-row events per dossier (the
  first ones and the latest one of a realistic path), written in time order as the app would.

Loading: one transaction. The foreign keys, primary/unique keys and secondary indexes of both tables
(and foreign keys of other, empty tables that point at them) are dropped, both tables truncated, the
rows streamed with COPY ... FREEZE from a Python generator in batches, then every key, index and
foreign key re-created with its original name and definition, the id sequences moved past the new
ids; ANALYZE after the commit.

Safety: refuses to run when an agency of the database has a schema (a real city) unless --force,
and when the index already holds rows or bench agencies unless --replace (which empties the two
index tables and deletes the previous bench agencies).
"""

from __future__ import annotations

import math
import random
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

INDEX = "tracking_dossierindex"
EVENTS = "tracking_indexevent"
AGENCY_SLUG_PREFIX = "bench-lookup-"
AGENCY_SCHEMA_PREFIX = "bench_lookup_"

INDEX_COLUMNS = (
    "id",
    "agency_id",
    "dossier_id",
    "code",
    "procedure_id",
    "procedure_name",
    "state",
    "national_status",
    "channel",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "timeliness",
    "is_paused",
    "apologised",
    "supplement_count",
    "applicant_name",
    "applicant_phone_tail",
    "applicant_id_tail",
    "owner_user_id",
    "current_step",
    "updated_at",
)
EVENT_COLUMNS = ("id", "entry_id", "at", "action", "national_status", "step", "agency_name")
AGENCY_COLUMNS = (
    "schema_name",
    "name",
    "short_name",
    "slug",
    "kind",
    "national_code",
    "admin_unit_code",
    "status",
    "status_reason",
    "created_at",
    "updated_at",
)

BENCH_SECTOR = ("bench-tra-cuu", "Tư pháp - Hộ tịch (bench)")
BENCH_PROCEDURES = [  # (national code, name, time limit in working days, weight)
    ("1.001193", "Đăng ký khai sinh", 1, 30),
    ("1.000894", "Đăng ký kết hôn", 3, 8),
    ("1.000656", "Đăng ký khai tử", 1, 6),
    ("2.000635", "Cấp bản sao trích lục hộ tịch", 1, 12),
    ("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", 3, 10),
    ("2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", 1, 40),
    ("2.000884", "Chứng thực chữ ký trong các giấy tờ, văn bản", 1, 15),
    ("1.003583", "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch", 3, 4),
    ("1.001022", "Đăng ký nhận cha, mẹ, con", 3, 2),
    ("1.004227", "Đăng ký giám hộ", 3, 1),
    ("1.008004", "Giải quyết chế độ trợ cấp xã hội hằng tháng", 7, 3),
    ("1.005388", "Cấp giấy phép xây dựng nhà ở riêng lẻ", 15, 4),
    ("1.004199", "Đăng ký biến động quyền sử dụng đất", 10, 5),
    ("2.001827", "Hỗ trợ chi phí mai táng", 5, 2),
]
WORKING_DAY_CHOICES = (1, 3, 5, 7, 10, 15, 20)  # time limits given to existing procedures, by id

# state -> (national status, current step, paused, code issued, public timeline (actions))
STATES = {
    "new": (1, "receive", False, False, ("register",)),
    "intake_supplement": (5, "receive", False, False, ("register", "request_intake_supplement")),
    "refused": (3, "", False, False, ("register", "refuse")),
    "received": (2, "assign", False, True, ("register", "accept")),
    "in_appraisal": (4, "appraise", False, True, ("register", "accept", "assign")),
    "awaiting_approval": (4, "approve", False, True, ("register", "accept", "assign", "submit_for_approval")),
    "approved": (
        4,
        "return",
        False,
        True,
        ("register", "accept", "assign", "submit_for_approval", "approve"),
    ),
    "supplement_requested": (
        5,
        "appraise",
        True,
        True,
        ("register", "accept", "assign", "request_supplement"),
    ),
    "financial_obligation": (
        6,
        "approve",
        True,
        True,
        ("register", "accept", "assign", "submit_for_approval", "request_financial_obligation"),
    ),
    "withdrawn": (7, "", False, True, ("register", "accept", "withdraw")),
    "stopped": (8, "", False, True, ("register", "accept", "assign", "stop")),
    "finished": (
        9,
        "return",
        False,
        True,
        ("register", "accept", "assign", "submit_for_approval", "approve", "record_result"),
    ),
    "returned": (
        10,
        "",
        False,
        True,
        ("register", "accept", "assign", "submit_for_approval", "approve", "record_result", "return_result"),
    ),
}
# action -> (national status after it, step it ends, share of the way from receipt to the last event)
ACTIONS = {
    "register": (1, "", 0.0),
    "accept": (2, "receive", 0.0),
    "request_intake_supplement": (5, "receive", 0.0),
    "refuse": (3, "receive", 1.0),
    "assign": (4, "assign", 0.05),
    "submit_for_approval": (4, "appraise", 0.6),
    "approve": (4, "approve", 0.85),
    "request_supplement": (5, "appraise", 1.0),
    "request_financial_obligation": (6, "approve", 1.0),
    "withdraw": (7, "", 1.0),
    "stop": (8, "appraise", 1.0),
    "record_result": (9, "result", 1.0),
    "return_result": (10, "return", 1.0),
}
# How long after receipt the latest event of a dossier in this state came, at most, in time limits
# (default 1.2): the dossiers still at the desk have had only their receipt.
REACH = {"new": 0, "intake_supplement": 0, "received": 0, "in_appraisal": 0.15, "refused": 0.1}
# State mix (percent) by the dossier's age relative to its procedure's time limit.
STATE_MIX = [
    (
        0.5,
        {
            "received": 30,
            "in_appraisal": 25,
            "awaiting_approval": 5,
            "approved": 2,
            "finished": 5,
            "returned": 8,
            "supplement_requested": 5,
            "financial_obligation": 2,
            "new": 10,
            "intake_supplement": 4,
            "refused": 3,
            "withdrawn": 1,
        },
    ),
    (
        1.0,
        {
            "returned": 25,
            "finished": 15,
            "in_appraisal": 20,
            "awaiting_approval": 10,
            "approved": 5,
            "received": 6,
            "supplement_requested": 8,
            "financial_obligation": 2,
            "refused": 2,
            "withdrawn": 2,
            "new": 3,
            "intake_supplement": 2,
        },
    ),
    (
        2.0,
        {
            "returned": 60,
            "finished": 10,
            "in_appraisal": 8,
            "awaiting_approval": 4,
            "approved": 2,
            "supplement_requested": 6,
            "financial_obligation": 2,
            "withdrawn": 2,
            "refused": 2,
            "stopped": 1,
            "new": 1,
            "intake_supplement": 1,
            "received": 1,
        },
    ),
    (
        math.inf,
        {
            "returned": 87,
            "finished": 3,
            "refused": 2,
            "withdrawn": 2,
            "stopped": 1,
            "new": 1,
            "supplement_requested": 2,
            "financial_obligation": 1,
            "in_appraisal": 1,
        },
    ),
]
FAMILY = (
    ["Nguyễn"] * 8
    + ["Trần"] * 3
    + ["Lê"] * 2
    + [
        "Phạm",
        "Hoàng",
        "Huỳnh",
        "Phan",
        "Vũ",
        "Võ",
        "Đặng",
        "Bùi",
        "Đỗ",
        "Hồ",
        "Ngô",
        "Dương",
        "Lý",
        "Đào",
        "Mạc",
    ]
)
MIDDLE = [
    "Văn",
    "Thị",
    "Hữu",
    "Đức",
    "Minh",
    "Thanh",
    "Ngọc",
    "Quang",
    "Thu",
    "Xuân",
    "Hoàng",
    "Anh",
    "Thị Thu",
    "Văn Đức",
    "Bảo",
    "Gia",
]
GIVEN = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Minh",
    "Nam",
    "Nga",
    "Phong",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Trang",
    "Trung",
    "Tuấn",
    "Vân",
    "Việt",
    "Yến",
    "Đạt",
    "Cường",
    "Huyền",
]


class Command(BaseCommand):
    help = (
        "Bench tool: fill the public look-up index (tracking_dossierindex + tracking_indexevent) with "
        "synthetic agencies (no schemas) and dossiers, using COPY. Refuses to touch a database with "
        "real agencies unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--agencies", type=int, default=1000)
        parser.add_argument("--rows", type=int, default=10_000_000, help="index rows (dossiers)")
        parser.add_argument(
            "--events-per-row",
            type=int,
            default=2,
            help="public timeline events per dossier, at most (first ones + latest one)",
        )
        parser.add_argument("--days", type=int, default=730, help="dossiers received over this many days")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch", type=int, default=200_000, help="index rows per COPY batch")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="empty the index tables and delete previous bench agencies first",
        )
        parser.add_argument(
            "--force", action="store_true", help="run even though agencies with schemas (a real city) exist"
        )

    # -- entry point ------------------------------------------------------------------------------
    def handle(self, *args, **opts):
        if not 1 <= opts["agencies"] <= 99_999:
            raise CommandError("--agencies must be between 1 and 99999")
        if opts["rows"] < 0 or opts["events_per_row"] < 0 or opts["days"] < 1 or opts["batch"] < 1:
            raise CommandError("--rows, --events-per-row must be >= 0, --days and --batch >= 1")
        connection.set_schema_to_public()
        self.verbose = opts["verbosity"] >= 1
        self.timings = []
        wall = time.perf_counter()
        with connection.cursor() as cur:
            self.check_safe(cur, opts)
        with transaction.atomic(), connection.cursor() as cur:
            raw = cur.cursor  # the psycopg cursor (COPY)
            cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
            cur.execute("SET LOCAL work_mem = '256MB'")
            cur.execute("SET LOCAL synchronous_commit = off")
            with self.step("catalogue"):
                procedures = self.ensure_procedures(cur)
                # Deferred foreign-key checks of the rows just written must run now: ALTER TABLE
                # refuses tables with pending trigger events.
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            with self.step("drop keys, indexes and foreign keys"):
                saved = self.drop_keys(cur)
            with self.step("truncate index tables, delete previous bench agencies"):
                cur.execute(f"TRUNCATE {EVENTS}, {INDEX}")
                if opts["replace"]:
                    cur.execute("DELETE FROM tenants_agency WHERE slug LIKE %s", [AGENCY_SLUG_PREFIX + "%"])
            with self.step(f"{opts['agencies']} agencies (COPY, no schemas)"):
                agencies = self.insert_agencies(cur, raw, opts["agencies"])
            # The statistics roll-ups' row trigger would fire per COPY row: off for the load, then
            # the roll-ups are rebuilt set-based after commit (reports_rebuild).
            cur.execute(f"ALTER TABLE {INDEX} DISABLE TRIGGER USER")
            with self.step("index rows + events (COPY FREEZE)"):
                n_rows, n_events = self.load(raw, agencies, procedures, opts)
            cur.execute(f"ALTER TABLE {INDEX} ENABLE TRIGGER USER")
            for label, sql in saved:
                with self.step(label):
                    cur.execute(sql)
            with self.step("sequences"):
                for table in (INDEX, EVENTS):
                    cur.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"GREATEST((SELECT max(id) FROM {table}), 1))"
                    )
            commit_started = time.perf_counter()
        self.timings.append(("commit", time.perf_counter() - commit_started))
        with self.step("ANALYZE"), connection.cursor() as cur:
            cur.execute(f"ANALYZE tenants_agency, catalogue_procedure, {INDEX}, {EVENTS}")
        with self.step("statistics roll-ups (reports_rebuild)"):
            from django.core.management import call_command

            call_command("reports_rebuild", verbosity=0)
        try:  # running processes must see the new agencies
            from tenants.directory import directory

            directory.bump()
        except Exception:  # noqa: BLE001 - Redis down: the directory reloads from PostgreSQL anyway
            pass
        total = time.perf_counter() - wall
        self.report(n_rows, n_events, agencies, total)

    # -- safety -----------------------------------------------------------------------------------
    def check_safe(self, cur, opts):
        cur.execute(
            "SELECT a.slug, a.schema_name FROM tenants_agency a JOIN pg_namespace n ON n.nspname = a.schema_name "
            "WHERE a.schema_name <> 'public' ORDER BY a.id"
        )
        real = cur.fetchall()
        if real and not opts["force"]:
            raise CommandError(
                f"this database has {len(real)} agencies with schemas (e.g. "
                f"{', '.join(s for s, _ in real[:3])}): it looks like a real city, not a bench database. "
                "seed_bench_index empties the look-up index; use a scratch database, or --force."
            )
        cur.execute(
            f"SELECT EXISTS (SELECT 1 FROM {INDEX}), "
            "(SELECT count(*) FROM tenants_agency WHERE slug LIKE %s)",
            [AGENCY_SLUG_PREFIX + "%"],
        )
        has_rows, bench_agencies = cur.fetchone()
        if (has_rows or bench_agencies) and not opts["replace"]:
            raise CommandError(
                f"the look-up index already holds rows ({INDEX} not empty: {has_rows}) or bench agencies "
                f"({bench_agencies}); --replace empties both index tables and deletes the bench agencies"
            )
        from bench.common import synthetic_code

        codes = [synthetic_code(n) for n in range(1, opts["agencies"] + 1)]
        cur.execute(
            "SELECT national_code FROM tenants_agency WHERE national_code = ANY(%s) AND slug NOT LIKE %s",
            [codes, AGENCY_SLUG_PREFIX + "%"],
        )
        clash = [r[0] for r in cur.fetchall()]
        if clash:
            raise CommandError(f"national codes already used by other agencies: {clash[:5]}")
        # Every NOT NULL column without a default must be one we write (the model may have grown).
        for table, columns in (
            (INDEX, INDEX_COLUMNS),
            (EVENTS, EVENT_COLUMNS),
            ("tenants_agency", AGENCY_COLUMNS),
        ):
            cur.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                "AND table_name = %s AND is_nullable = 'NO' AND column_default IS NULL "
                "AND is_identity = 'NO'",
                [table],
            )
            missing = sorted({r[0] for r in cur.fetchall()} - set(columns))
            if missing:
                raise CommandError(f"{table} has NOT NULL columns this command does not fill: {missing}")
        # Other tables pointing at the index (e.g. ratings) must be empty: their rows would dangle.
        cur.execute(
            "SELECT c.conrelid::regclass::text FROM pg_constraint c WHERE c.contype = 'f' "
            "AND c.confrelid = ANY(ARRAY[%s::regclass, %s::regclass]) "
            "AND c.conrelid <> ALL(ARRAY[%s::regclass, %s::regclass])",
            [INDEX, EVENTS, INDEX, EVENTS],
        )
        for (table,) in cur.fetchall():
            cur.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            if cur.fetchone()[0]:
                raise CommandError(
                    f"{table} references the look-up index and holds rows; refusing to replace it"
                )

    # -- set-up -----------------------------------------------------------------------------------
    def ensure_procedures(self, cur):
        """[(id, name, time limit in calendar days, weight)]"""
        from core.text import fold

        cur.execute("SELECT id, name FROM catalogue_procedure ORDER BY id LIMIT 60")
        rows = cur.fetchall()
        if rows:
            self.note(f"using {len(rows)} existing procedures")
            return [
                (pid, name, _calendar_days(WORKING_DAY_CHOICES[pid % len(WORKING_DAY_CHOICES)]), 1)
                for pid, name in rows
            ]
        cur.execute(
            "INSERT INTO catalogue_sector (code, name) VALUES (%s, %s) ON CONFLICT (code) DO NOTHING",
            list(BENCH_SECTOR),
        )
        cur.execute("SELECT id, name FROM catalogue_sector WHERE code = %s", [BENCH_SECTOR[0]])
        sector_id, sector_name = cur.fetchone()
        out = []
        for code, name, days, weight in BENCH_PROCEDURES:
            cur.execute(
                "INSERT INTO catalogue_procedure (national_code, name, search_text, created_at, sector_id) "
                "VALUES (%s, %s, %s, now(), %s) RETURNING id",
                [code, name, fold(f"{code} {name} {sector_name}"), sector_id],
            )
            out.append((cur.fetchone()[0], name, _calendar_days(days), weight))
        self.note(f"inserted sector {BENCH_SECTOR[0]} and {len(out)} procedures (no versions)")
        return out

    def drop_keys(self, cur):
        """Drop FKs, primary/unique keys and plain indexes of both tables; returns the statements that
        re-create them, in order (keys, indexes, foreign keys)."""
        tables = [INDEX, EVENTS]
        cur.execute(
            "SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c WHERE (c.contype IN ('p', 'u', 'f') AND c.conrelid = ANY(ARRAY[%s::regclass, "
            "%s::regclass])) OR (c.contype = 'f' AND c.confrelid = ANY(ARRAY[%s::regclass, %s::regclass])) "
            "ORDER BY c.contype = 'p' DESC, c.conrelid, c.conname",
            [*tables, *tables],
        )
        constraints = list(dict.fromkeys(cur.fetchall()))
        cur.execute(
            "SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i WHERE i.indrelid = ANY(ARRAY[%s::regclass, %s::regclass]) AND NOT EXISTS ("
            "SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid "
            "AND c.contype IN ('p', 'u', 'x')) ORDER BY 1, 2",
            tables,
        )
        indexes = cur.fetchall()
        for table, name, _kind, _definition in sorted(constraints, key=lambda c: c[2] != "f"):  # FKs first
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for _table, name, _definition in indexes:
            cur.execute(f"DROP INDEX {name}")
        redo = []
        for table, name, kind, definition in constraints:
            if kind in "pu":
                redo.append(
                    (
                        f"{'primary key' if kind == 'p' else 'unique'} {name}",
                        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}',
                    )
                )
        redo += [(f"index {name}", definition) for _table, name, definition in indexes]
        redo += [
            (f"foreign key {name}", f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            for table, name, kind, definition in constraints
            if kind == "f"
        ]
        self.note(
            f"dropped {len(constraints)} constraints and {len(indexes)} indexes (re-created after the load)"
        )
        return redo

    def insert_agencies(self, cur, raw, count):
        """[(id, national code, name)] of the bench agencies, in order."""
        from bench.common import synthetic_code

        now = timezone.now().isoformat()
        with raw.copy(f"COPY tenants_agency ({', '.join(AGENCY_COLUMNS)}) FROM STDIN") as copy:
            for n in range(1, count + 1):
                copy.write_row(
                    (
                        f"{AGENCY_SCHEMA_PREFIX}{n:05d}",
                        f"Xã Tra Cứu Thử {n:05d}",
                        f"Xã TC {n:05d}",
                        f"{AGENCY_SLUG_PREFIX}{n:05d}",
                        "commune",
                        synthetic_code(n),
                        "",
                        "active",
                        "",
                        now,
                        now,
                    )
                )
        cur.execute(
            "SELECT id, national_code, name FROM tenants_agency WHERE slug LIKE %s ORDER BY slug",
            [AGENCY_SLUG_PREFIX + "%"],
        )
        return cur.fetchall()

    # -- the load ---------------------------------------------------------------------------------
    def load(self, raw, agencies, procedures, opts):
        from psycopg.copy import QueuedLibpqWriter
        from tqdm import tqdm

        index_sql = f"COPY {INDEX} ({', '.join(INDEX_COLUMNS)}) FROM STDIN WITH (FREEZE)"
        events_sql = f"COPY {EVENTS} ({', '.join(EVENT_COLUMNS)}) FROM STDIN WITH (FREEZE)"
        bar = tqdm(
            total=opts["rows"],
            desc="index rows",
            unit="row",
            unit_scale=True,
            smoothing=0.05,
            disable=not self.verbose,
            file=self.stderr._out,
            mininterval=0.5,
        )
        n_rows = n_events = 0
        for index_lines, event_lines in generate(agencies, procedures, opts):
            with raw.copy(index_sql, writer=QueuedLibpqWriter(raw)) as copy:
                for chunk in _chunks(index_lines):
                    copy.write(chunk)
            if event_lines:
                with raw.copy(events_sql, writer=QueuedLibpqWriter(raw)) as copy:
                    for chunk in _chunks(event_lines):
                        copy.write(chunk)
            n_rows += len(index_lines)
            n_events += len(event_lines)
            bar.update(len(index_lines))
            bar.set_postfix(events=n_events, refresh=False)
        bar.close()
        return n_rows, n_events

    # -- output -----------------------------------------------------------------------------------
    def step(self, label):
        command = self

        class _Step:
            def __enter__(self):
                self.t = time.perf_counter()

            def __exit__(self, *exc):
                elapsed = time.perf_counter() - self.t
                command.timings.append((label, elapsed))
                if exc[0] is None:
                    command.note(f"{label}: {elapsed:.1f} s")

        return _Step()

    def note(self, text):
        if self.verbose:
            self.stdout.write(text)
            self.stdout.flush()

    def report(self, n_rows, n_events, agencies, total):
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT pg_total_relation_size('{INDEX}'), pg_relation_size('{INDEX}'), "
                f"pg_total_relation_size('{EVENTS}'), pg_relation_size('{EVENTS}'), "
                f"(SELECT count(code) FROM {INDEX})"
            )
            idx_total, idx_heap, ev_total, ev_heap, with_code = cur.fetchone()
        gib = 1024**3
        phases = "; ".join(f"{label} {s:.1f} s" for label, s in self.timings if s >= 0.05)
        self.stdout.write(
            f"seed_bench_index: {len(agencies)} agencies, {n_rows} index rows ({with_code} with a code), "
            f"{n_events} events ({n_events / max(n_rows, 1):.2f}/row) in {total:.1f} s\n"
            f"sizes: {INDEX} {idx_heap / gib:.2f} GiB heap, {idx_total / gib:.2f} GiB with indexes; "
            f"{EVENTS} {ev_heap / gib:.2f} GiB heap, {ev_total / gib:.2f} GiB with indexes\n"
            f"phases: {phases}"
        )


# --- the generator (plain functions: the hot loop) ------------------------------------------------
def _calendar_days(working_days):
    return max(1, math.ceil(working_days * 7 / 5))


def _latin1(text):
    """The UTF-8 bytes of `text` as a one-byte-per-character str. The generator builds its lines from
    these (concatenating one-byte strings is several times faster than mixing in Vietnamese text), and
    a chunk's .encode('latin-1') gives back exactly the UTF-8 bytes COPY expects."""
    return text.encode().decode("latin-1")


def _chunks(lines, size=5000):
    for i in range(0, len(lines), size):
        yield "".join(lines[i : i + size]).encode("latin-1")


def _largest_remainder(total, weights):
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)[: total - sum(out)]:
        out[i] += 1
    return out


def generate(agencies, procedures, opts):
    """Yield (index lines, event lines) batches, in receipt order (ids grow with time)."""
    rnd = random.Random(opts["seed"])
    rand, bits, choices = rnd.random, rnd.getrandbits, rnd.choices
    k_events = opts["events_per_row"]
    n_days = opts["days"]
    today = timezone.localdate()
    first_day = today - timedelta(days=n_days)  # day index n_days - 1 is yesterday
    now_local = timezone.localtime()
    now_t = n_days * 86400 + now_local.hour * 3600 + now_local.minute * 60 + now_local.second
    offset = now_local.strftime("%z")
    offset = offset[:3] if offset.endswith("00") else f"{offset[:3]}:{offset[3:]}"

    # Timestamps as seconds since first_day 00:00 local; text = DAY[t // 86400] + TOD[t % 86400].
    horizon = n_days + 400
    DAY = [(first_day + timedelta(days=d)).strftime("%Y-%m-%d ") for d in range(horizon)]
    YMD = [(first_day + timedelta(days=d)).strftime("%y%m%d") for d in range(n_days)]
    TOD = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}{offset}" for s in range(86400)]
    OFFICE = [s for s in range(7 * 3600 + 1800, 17 * 3600) if not 11 * 3600 + 1800 <= s < 13 * 3600 + 1800]
    DIGITS = [f"{i:04d}" for i in range(10000)]
    names_rnd = random.Random(opts["seed"] + 1)
    NAMES = [
        _latin1(f"{names_rnd.choice(FAMILY)} {names_rnd.choice(MIDDLE)} {names_rnd.choice(GIVEN)}")
        for _ in range(4096)
    ]
    CHANNEL = ["in_person"] * 35 + ["online"] * 26 + ["post"] * 3  # 64 slots

    def ts(t):
        return DAY[t // 86400] + TOD[t % 86400]

    # State tables: 1000 slots per age class.
    mixes = []
    for limit, weights in STATE_MIX:
        counts = _largest_remainder(1000, list(weights.values()))
        mixes.append((limit, [s for s, c in zip(weights, counts, strict=True) for _ in range(c)]))
    state_info = {
        s: (str(ns), step, "t" if paused else "f", coded, REACH.get(s, 1.2))
        for s, (ns, step, paused, coded, _path) in STATES.items()
    }
    # The public timeline kept per state: every event when short enough, else the first k-1 and the last.
    timeline = {}
    for s, (_ns, _step, _paused, _coded, path) in STATES.items():
        kept = (
            list(path) if len(path) <= k_events else ([*path[: k_events - 1], path[-1]] if k_events else [])
        )
        timeline[s] = [(a, str(ACTIONS[a][0]), ACTIONS[a][1], ACTIONS[a][2], a == path[-1]) for a in kept]

    # Agencies of very different sizes; the days: weekdays busy, Saturday morning, Sunday rare.
    n_ag = len(agencies)
    ag_weights = [rnd.lognormvariate(0, 0.9) for _ in range(n_ag)]
    ag_cum = list(_accumulate(ag_weights))
    ag_code = [f"{code}-" for _id, code, _name in agencies]
    ag_id = [str(a) for a, _code, _name in agencies]
    ag_name = [_latin1(name) for _id, _code, name in agencies]
    day_weight = [
        (1.0, 1.0, 1.0, 1.0, 1.0, 0.3, 0.03)[(first_day + timedelta(days=d)).weekday()] for d in range(n_days)
    ]
    per_day = _largest_remainder(opts["rows"], day_weight)

    proc_id = [str(p[0]) for p in procedures]
    proc_name = [_latin1(p[1]) for p in procedures]
    proc_days = [p[2] for p in procedures]
    proc_cum = list(_accumulate([p[3] for p in procedures]))
    proc_idx = range(len(procedures))
    ag_idx = range(n_ag)

    dossier_seq = [0] * n_ag
    next_id = 0
    next_event = 0
    pending = {}  # day -> event lines (without their id) due on that day
    batch = opts["batch"]
    index_lines, event_lines = [], []
    N = "\\N"

    for d in range(n_days):
        n = per_day[d]
        if n:
            ags = choices(ag_idx, cum_weights=ag_cum, k=n)
            procs = choices(proc_idx, cum_weights=proc_cum, k=n)
            secs = sorted(choices(OFFICE, k=n))
            day_seq = [0] * n_ag
            ymd = YMD[d]
            day0 = d * 86400
            age_days = n_days - d  # whole days until today
            # The state mix of the day's dossiers, by procedure (their age in time limits).
            day_tables = [
                next(table for limit, table in mixes if age_days / days < limit) for days in proc_days
            ]
            for i in range(n):
                a = ags[i]
                p = procs[i]
                sec = secs[i]
                t0 = day0 + sec
                lim = proc_days[p]
                r = bits(64)
                state = day_tables[p][r % 1000]
                r //= 1000
                ns, step, paused, coded, reach = state_info[state]
                next_id += 1
                dossier_seq[a] += 1
                channel = CHANNEL[r & 63]
                r >>= 6
                name = NAMES[r & 4095]
                r >>= 12
                phone = DIGITS[(r & 16383) % 10000]
                r >>= 14
                idt = DIGITS[(r & 16383) % 10000]
                r >>= 14
                # Three online dossiers in four were filed by a logged-in citizen (user ids are not keys).
                r = bits(32)
                owner = str(1 + (r >> 2) % 2_000_000) if channel == "online" and r & 3 else N
                supp_roll = rand()
                supplements = (
                    1
                    if state == "supplement_requested"
                    else (0 if supp_roll < 0.91 else 1 if supp_roll < 0.99 else 2)
                )
                span = now_t - t0
                due_t = t0 + lim * 86400
                timeliness, fin, ret, apologised = "", N, N, "f"
                if coded:
                    day_seq[a] += 1
                    code = f"{ag_code[a]}{ymd}-{day_seq[a]:04d}"
                    received = received_at = DAY[d] + TOD[sec]
                    due = DAY[d + lim] + TOD[sec]
                else:
                    code, received, due = N, N, N
                    received_at = DAY[d] + TOD[sec]
                if state == "finished" or state == "returned":
                    f = 0.15 + rand() * 0.9  # share of the time limit used; > 1 (about 1 in 18): late
                    finish_t = t0 + min(int(f * lim * 86400), int(span * 0.9))
                    fin = ts(finish_t)
                    if finish_t > due_t:
                        timeliness = "late"
                        apologised = "t" if rand() < 0.3 else "f"
                    else:
                        timeliness = "early" if finish_t < due_t - 86400 else "on_time"
                    if state == "returned":
                        return_t = finish_t + min(int(rand() * 3 * 86400), (now_t - finish_t) // 2)
                        ret = ts(return_t)
                        last_t = return_t
                    else:
                        last_t = finish_t
                else:
                    last_t = t0 + int(rand() * min(span, lim * 86400 * reach)) if reach else t0
                    finish_t = last_t
                updated = received_at if last_t == t0 else ts(last_t)
                entry = str(next_id)
                index_lines.append(
                    f"{entry}\t{ag_id[a]}\t{dossier_seq[a]}\t{code}\t{proc_id[p]}\t{proc_name[p]}\t{state}\t{ns}\t"
                    f"{channel}\t{received}\t{due}\t{fin}\t{ret}\t{timeliness}\t{paused}\t{apologised}\t"
                    f"{supplements}\t{name}\t{phone}\t{idt}\t{owner}\t{step}\t{updated}\n"
                )
                agency_name = ag_name[a]
                for action, ans, astep, share, is_last in timeline[state]:
                    if is_last:
                        at = last_t
                    elif action == "record_result":
                        at = finish_t
                    else:
                        at = t0 + int(share * (last_t - t0))
                    rest = (
                        f"\t{entry}\t{received_at if at == t0 else ts(at)}\t{action}\t{ans}\t{astep}\t"
                        f"{agency_name}\n"
                    )
                    eday = at // 86400
                    if eday <= d:
                        next_event += 1
                        event_lines.append(f"{next_event}{rest}")
                    else:
                        pending.setdefault(eday, []).append(rest)
        for rest in pending.pop(d, ()):  # later events of earlier dossiers that happened on day d
            next_event += 1
            event_lines.append(f"{next_event}{rest}")
        if len(index_lines) >= batch:
            yield index_lines, event_lines
            index_lines, event_lines = [], []
    for eday in sorted(pending):  # today's events
        for rest in pending[eday]:
            next_event += 1
            event_lines.append(f"{next_event}{rest}")
    if index_lines or event_lines:
        yield index_lines, event_lines


def _accumulate(values):
    total = 0.0
    for v in values:
        total += v
        yield total
