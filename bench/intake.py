"""Counter intake: dossiers received per second through the HTTP API vs inserting the same rows with
raw SQL, in one run, on one scratch database.

    cd /work/main && .venv/bin/python -m bench.intake [--rounds 5] [--requests 60] [--clients 8]
                                                      [--workers 2] [--server-threads 4] [--raw 150]
                                                      [--inproc 15] [--batch 50] [--single 15]
                                                      [--profile-calls 20] [--no-profile]
    cd /work/main && .venv/bin/python -m bench.intake --quick   # 1 round, a few dossiers per method,
                                                                # 1 worker, 2 clients (tests/bench)

Set-up (scratch db egov_bench_intake, egov_bench_intake_quick with --quick; not timed): migrate_schemas; the city calendar
(calendar_city_ensure + calendar_holidays_seed for this year and the next); one published procedure
1.001193 with 3 components (2 required) and one fee, as tests/dossiers/conftest.py `desk` does; one
agency onboarded with agency_onboard (it adopts the procedure); one receiving officer with a
membership. The service writes per counter receipt (POST /<slug>/api/v1/dossiers/, dossier_receive =
register + accept, one transaction): the dossier row (insert, then updates), 3 component rows, the
day's code counter upsert, 2 events (register, accept), the public index row tracking_dossierindex
(insert, then update) and 2 index events.

Methods, alternated round by round (rotating order), each round a fixed number of dossiers:

  http           ONE gunicorn server (config.wsgi:application, DJANGO_SETTINGS_MODULE=config.settings.bench,
                 --workers W --worker-class gthread --threads T, 127.0.0.1 only), logged in once through
                 POST /tai-khoan/dang-nhap/ (real session cookie + CSRF token); a separate client process
                 posts --requests complete counter intakes (JSON) over --clients keep-alive connections
                 (stdlib http.client, one thread each). Every answer must be 201 with state "received".
  handler        the same request through Django's handler in-process (django.test.Client, force_login,
                 sequential): the whole Django + DRF stack without server, socket or concurrency.
  service        tenant_apps.dossiers.services.dossier_receive() called in a loop (sequential).
  raw-1tx        plain psycopg, one transaction per dossier, 1 connection: the counter upsert, the dossier
                 row, its 3 components (one multi-row INSERT), the 2 events, the index row, its 2 index
                 events, COMMIT -- the final rows the service leaves, copied column for column from a
                 dossier the service wrote (fresh code, ids, timestamps; the due time is copied, not
                 computed).
  raw-1tx-conc   the same with --clients connections in threads (the HTTP client's concurrency).
  raw-batch      context only: --batch dossiers per transaction (one counter upsert for the batch,
                 executemany in pipeline mode).

The ratio http / raw uses the faster of raw-1tx and raw-1tx-conc (the conservative one). Reported per
method: median dossiers/s over the rounds, CPU ms per dossier of the application process(es) (the
gunicorn workers for http, read from /proc) and of every postgres process on the host (context only
on a shared server); for http the client-side p50/p95 latency at --clients connections, and once on
a single connection (--single requests, no queueing). At the end the rows of every method are checked
to be the same shape (components, events, index row, index events per dossier; codes unique and
gap-free), then, unless --no-profile, the service path is profiled in-process: how long the day's
code counter row stays locked per receipt (upsert to end of COMMIT: receipts of one agency queue on
it), SQL statements and their time per issuing line, cProfile of dossier_receive() and of the POST
through the Django handler. The server is stopped and the scratch database dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from bench import common, servers
from bench.servers import postgres_cpu

DB = "egov_bench_intake"
PROCEDURE = "1.001193"
USERNAME = "bench_officer"
PASSWORD = "mat-khau-bench-1"
APPLICANT = {
    "name": "Nguyễn Văn An",
    "id_number": "031099001234",
    "phone": "0912345678",
    "address": "Thôn 1, đặc khu Bạch Long Vĩ",
}
COMPONENTS = [{"position": 1, "provided": True, "digitised": True}, {"position": 2, "provided": True}]
TAG = "bench-intake:"  # request_summary prefix naming the method that wrote a dossier


def payload(method, i):
    return {
        "procedure": PROCEDURE,
        "channel": "in_person",
        "applicant": APPLICANT,
        "components": COMPONENTS,
        "request_summary": f"{TAG}{method}:{i}",
    }


# --- HTTP client (separate process) ----------------------------------------------------------------
def run_client(spec):
    import http.client
    import itertools

    port, n, threads, path = spec["port"], spec["n"], spec["threads"], spec["path"]
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Cookie": spec["cookie"],
        "X-CSRFToken": spec["csrf"],
        "Host": f"127.0.0.1:{port}",
    }
    first = spec["first"]
    bodies = [json.dumps(payload("http", first + i), ensure_ascii=False).encode() for i in range(n)]
    counter = itertools.count()
    latencies = [[] for _ in range(threads)]
    errors = [[] for _ in range(threads)]
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=60) for _ in range(threads)]
    for conn in conns:  # open the keep-alive connections before the clock starts
        conn.request("GET", "/healthz/")
        conn.getresponse().read()
    barrier = threading.Barrier(threads + 1)

    def work(k):
        conn, lat, perf = conns[k], latencies[k], time.perf_counter
        barrier.wait()
        while True:
            i = next(counter)
            if i >= n:
                break
            t = perf()
            conn.request("POST", path, body=bodies[i], headers=headers)
            response = conn.getresponse()
            body = response.read()
            lat.append(perf() - t)
            if response.status != 201:
                errors[k].append(f"{response.status} {body[:300]!r}")
                continue
            data = json.loads(body)
            if data.get("state") != "received" or not data.get("code"):
                errors[k].append(f"unexpected body {body[:300]!r}")

    workers = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    cpu0 = time.process_time()
    barrier.wait()
    t0 = time.perf_counter()
    for w in workers:
        w.join()
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    for conn in conns:
        conn.close()
    all_errors = [e for errs in errors for e in errs]
    return {
        "n": n,
        "wall": wall,
        "rate": n / wall,
        "latencies": [x for lat in latencies for x in lat],
        "errors": len(all_errors),
        "first_error": all_errors[0] if all_errors else "",
        "client_cpu_share": cpu / wall,
    }


# --- server ---------------------------------------------------------------------------------------
class Server(servers.WsgiServer):
    name = "gunicorn (intake)"

    def __init__(self, workers, threads, logdir):
        self.port = servers.free_port()
        self.start(
            servers.gunicorn_argv(self.port, workers=workers, threads=threads),
            env=common.bench_env(DB),
            log_name=Path(logdir) / "gunicorn-intake.log",
        )

    def describe(self):
        return " ".join(["gunicorn", *self.argv[1:]])


def _cookies(response):
    out = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        out[name.strip()] = rest.split(";", 1)[0]
    return out


def login(port):
    """The officer logs in once through the real login form; returns (Cookie header, CSRF token)."""
    import http.client
    from urllib.parse import urlencode

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/tai-khoan/dang-nhap/")
    response = conn.getresponse()
    response.read()
    cookies = _cookies(response)
    if response.status != 200 or "csrftoken" not in cookies:
        raise RuntimeError(f"login page: {response.status}, cookies {sorted(cookies)}")
    form = urlencode(
        {"csrfmiddlewaretoken": cookies["csrftoken"], "username": USERNAME, "password": PASSWORD}
    )
    conn.request(
        "POST",
        "/tai-khoan/dang-nhap/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
        },
    )
    response = conn.getresponse()
    response.read()
    cookies.update(_cookies(response))  # the session cookie, and the CSRF token rotated at login
    conn.close()
    if response.status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"login failed: {response.status}, cookies {sorted(cookies)}")
    return f"csrftoken={cookies['csrftoken']}; sessionid={cookies['sessionid']}", cookies["csrftoken"]


def http_round(server, spec, n, first, tmpdir):
    spec = dict(spec, n=n, first=first)
    path = Path(tmpdir) / "client.json"
    path.write_text(json.dumps(spec))
    cpu0, pg0 = server.worker_cpu(), postgres_cpu()
    proc = subprocess.run(
        [common.PYTHON, "-m", "bench.intake", "--client", str(path)],
        cwd=common.PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    cpu1, pg1 = server.worker_cpu(), postgres_cpu()
    if proc.returncode != 0:
        raise RuntimeError(f"client failed:\n{proc.stdout}\n{proc.stderr}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["errors"]:
        raise RuntimeError(f"http: {result['errors']} bad answers, first: {result['first_error']}")
    result["app_cpu_ms"] = (cpu1 - cpu0) / n * 1000
    result["pg_cpu_ms"] = (pg1 - pg0) / n * 1000
    return result


# --- set-up ---------------------------------------------------------------------------------------
def setup_city():
    from datetime import date
    from decimal import Decimal

    from shared_apps.accounts.models import Role, User
    from shared_apps.accounts.services import membership_grant
    from shared_apps.calendar.services import calendar_city_ensure, calendar_holidays_seed
    from shared_apps.catalogue.content import ComponentSpec, FeeSpec
    from shared_apps.catalogue.services import sector_ensure
    from tenants.services import agency_onboard
    from tests.catalogue.conftest import publish

    calendar = calendar_city_ensure()
    year = date.today().year
    calendar_holidays_seed(calendar=calendar, years=[year, year + 1], acting_user=None)
    sector = sector_ensure(code="ho-tich", name="Hộ tịch", acting_user=None)
    publish(
        PROCEDURE,
        "Đăng ký khai sinh",
        sector,
        time_limit=Decimal("3"),
        components=(
            ComponentSpec("Tờ khai đăng ký khai sinh", "original", 1, True),
            ComponentSpec("Giấy chứng sinh", "original", 1, True),
            ComponentSpec("Giấy tờ chứng minh nơi cư trú", "copy", 1, False),
        ),
        fees=(FeeSpec("Lệ phí", 8000, "UBND xã"),),
    )
    ident = common.synthetic_agency(1, label="Xã Một Cửa")
    agency = agency_onboard(acting_user=None, **ident)
    officer = User.objects.create_user(username=USERNAME, password=PASSWORD, full_name="Cán bộ một cửa")
    membership_grant(agency=agency, user=officer, roles=[Role.RECEIVING_OFFICER], acting_user=None)
    return agency, officer


# --- in-process methods ---------------------------------------------------------------------------
class InProcess:
    def __init__(self, agency, officer):
        from django.test import Client

        self.agency, self.officer = agency, officer
        self.client = Client()
        self.client.force_login(officer)
        self.path = f"/{agency.slug}/api/v1/dossiers/"
        self.seq = 0

    def service_one(self, method="service"):
        from django.db import connection

        from tenant_apps.dossiers.services import dossier_receive

        if connection.schema_name != self.agency.schema_name:
            connection.set_tenant(self.agency)
        self.seq += 1
        return dossier_receive(
            agency=self.agency,
            procedure=PROCEDURE,
            applicant=APPLICANT,
            channel="in_person",
            components={c["position"]: c for c in COMPONENTS},
            acting_user=self.officer,
            request_summary=f"{TAG}{method}:{self.seq}",
        )

    def handler_one(self):
        self.seq += 1
        response = self.client.post(
            self.path,
            json.dumps(payload("handler", self.seq), ensure_ascii=False),
            content_type="application/json",
        )
        if response.status_code != 201:
            raise RuntimeError(f"handler: {response.status_code} {response.content[:300]!r}")
        return response

    def timed(self, fn, n):
        pg0, cpu0, t0 = postgres_cpu(), time.process_time(), time.perf_counter()
        for _ in range(n):
            fn()
        wall = time.perf_counter() - t0
        cpu, pg = time.process_time() - cpu0, postgres_cpu() - pg0
        return {
            "n": n,
            "wall": wall,
            "rate": n / wall,
            "app_cpu_ms": cpu / n * 1000,
            "pg_cpu_ms": pg / n * 1000,
        }


# --- raw SQL --------------------------------------------------------------------------------------
def timezone_now():
    from django.utils import timezone

    return timezone.now()


def _returned_ids(cur):
    """The ids of an executemany(..., returning=True), one result set per row, in order."""
    ids = []
    while True:
        ids.append(cur.fetchone()[0])
        if not cur.nextset():
            break
    return ids


class Raw:
    """Copies of the rows the service wrote for one reference dossier, inserted with plain psycopg."""

    def __init__(self, agency, reference_pk, db_url):
        import psycopg
        import psycopg.types.json

        self.psycopg = psycopg
        self.db_url = db_url
        self.schema = agency.schema_name
        self.agency_id = agency.pk
        self.prefix = agency.national_code
        s = f'"{self.schema}"'
        self.t = {
            "dossier": f"{s}.dossiers_dossier",
            "component": f"{s}.dossiers_dossiercomponent",
            "event": f"{s}.dossiers_dossierevent",
            "counter": f"{s}.dossiers_codecounter",
            "index": "public.tracking_dossierindex",
            "ievent": "public.tracking_indexevent",
        }
        with psycopg.connect(db_url) as conn:
            self.dossier = self._rows(conn, "dossier", "id = %s", [reference_pk])[0]
            self.components = self._rows(
                conn, "component", "dossier_id = %s ORDER BY position", [reference_pk]
            )
            self.events = self._rows(conn, "event", "dossier_id = %s ORDER BY seq", [reference_pk])
            self.index = self._rows(
                conn, "index", "agency_id = %s AND dossier_id = %s", [self.agency_id, reference_pk]
            )[0]
            self.ievents = self._rows(conn, "ievent", "entry_id = %s ORDER BY id", [self.index["id"]])
        for rows in ([self.dossier], self.components, self.events, [self.index], self.ievents):
            for row in rows:
                row.pop("id")
                for k, v in row.items():
                    if isinstance(v, (dict, list)):
                        row[k] = psycopg.types.json.Jsonb(v)
        self.sql = {
            "counter": f"INSERT INTO {self.t['counter']} (day, last) VALUES (%s, %s) ON CONFLICT (day) DO UPDATE "
            f"SET last = {self.t['counter']}.last + EXCLUDED.last RETURNING last",
            "dossier": self._insert("dossier", self.dossier, 1, returning=True),
            "components": self._insert("component", self.components[0], len(self.components)),
            "events": self._insert("event", self.events[0], len(self.events)),
            "index": self._insert("index", self.index, 1, returning=True),
            "ievents": self._insert("ievent", self.ievents[0], len(self.ievents)),
        }
        self.one = {
            k: self._insert(k, row, 1)
            for k, row in (
                ("component", self.components[0]),
                ("event", self.events[0]),
                ("ievent", self.ievents[0]),
            )
        }

    def _rows(self, conn, table, where, params):
        cur = conn.execute(f"SELECT * FROM {self.t[table]} WHERE {where}", params)
        names = [d.name for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def _insert(self, table, row, nrows, returning=False):
        cols = ", ".join(f'"{c}"' for c in row)
        one = "(" + ", ".join(["%s"] * len(row)) + ")"
        return (
            f"INSERT INTO {self.t[table]} ({cols}) VALUES "
            + ", ".join([one] * nrows)
            + (" RETURNING id" if returning else "")
        )

    def connect(self):
        return self.psycopg.connect(self.db_url)

    def dossier_values(self, code, tag, now):
        d = self.dossier
        row = dict(
            d,
            code=code,
            request_summary=tag,
            registered_at=now,
            received_at=now,
            step_started_at=now,
            updated_at=now,
        )
        if d["counted_from"] is not None:
            row["counted_from"] = d["counted_from"] + (now - d["received_at"])
        return list(row.values())

    def component_values(self, dossier_id):
        return [list(dict(c, dossier_id=dossier_id).values()) for c in self.components]

    def event_values(self, dossier_id, now):
        return [
            list(dict(e, dossier_id=dossier_id, at=now + timedelta(microseconds=k)).values())
            for k, e in enumerate(self.events)
        ]

    def index_values(self, dossier_id, code, now):
        return list(
            dict(self.index, dossier_id=dossier_id, code=code, received_at=now, updated_at=now).values()
        )

    def ievent_values(self, entry_id, now):
        return [
            list(dict(e, entry_id=entry_id, at=now + timedelta(microseconds=k)).values())
            for k, e in enumerate(self.ievents)
        ]

    def one_transaction(self, conn, tag, day, holds=None):
        """One dossier in one transaction, in the service's order of tables. With `holds`, appends
        how long the counter row stayed locked (upsert to end of COMMIT)."""
        now = timezone_now()
        with conn.transaction():
            locked = time.perf_counter()
            seq = conn.execute(self.sql["counter"], [day, 1]).fetchone()[0]
            code = f"{self.prefix}-{day:%y%m%d}-{seq:04d}"
            dossier_id = conn.execute(self.sql["dossier"], self.dossier_values(code, tag, now)).fetchone()[0]
            conn.execute(
                self.sql["components"], [v for row in self.component_values(dossier_id) for v in row]
            )
            conn.execute(self.sql["events"], [v for row in self.event_values(dossier_id, now) for v in row])
            entry_id = conn.execute(self.sql["index"], self.index_values(dossier_id, code, now)).fetchone()[0]
            conn.execute(self.sql["ievents"], [v for row in self.ievent_values(entry_id, now) for v in row])
        if holds is not None:
            holds.append(time.perf_counter() - locked)

    def batch_transaction(self, conn, tags, day):
        """len(tags) dossiers in one transaction: one counter upsert, executemany (pipelined) per table."""
        now = timezone_now()
        n = len(tags)
        with conn.transaction():
            last = conn.execute(self.sql["counter"], [day, n]).fetchone()[0]
            codes = [f"{self.prefix}-{day:%y%m%d}-{seq:04d}" for seq in range(last - n + 1, last + 1)]
            cur = conn.cursor()
            cur.executemany(
                self.sql["dossier"],
                [self.dossier_values(c, t, now) for c, t in zip(codes, tags, strict=True)],
                returning=True,
            )
            ids = _returned_ids(cur)
            cur.executemany(self.one["component"], [row for i in ids for row in self.component_values(i)])
            cur.executemany(self.one["event"], [row for i in ids for row in self.event_values(i, now)])
            cur.executemany(
                self.sql["index"],
                [self.index_values(i, c, now) for i, c in zip(ids, codes, strict=True)],
                returning=True,
            )
            entries = _returned_ids(cur)
            cur.executemany(self.one["ievent"], [row for e in entries for row in self.ievent_values(e, now)])

    def timed(self, conns, n, method, first, batch=None):
        from django.utils import timezone

        day = timezone.localdate()
        tags = [f"{TAG}{method}:{first + i}" for i in range(n)]
        pg0, cpu0 = postgres_cpu(), time.process_time()
        t0 = time.perf_counter()
        if batch:
            for k in range(0, n, batch):
                self.batch_transaction(conns[0], tags[k : k + batch], day)
        elif len(conns) == 1:
            for tag in tags:
                self.one_transaction(conns[0], tag, day)
        else:
            import itertools

            counter, failures = itertools.count(), []

            def work(conn):
                try:
                    while (i := next(counter)) < n:
                        self.one_transaction(conn, tags[i], day)
                except Exception as exc:  # pragma: no cover
                    failures.append(exc)

            threads = [threading.Thread(target=work, args=(c,)) for c in conns]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if failures:
                raise failures[0]
        wall = time.perf_counter() - t0
        cpu, pg = time.process_time() - cpu0, postgres_cpu() - pg0
        return {
            "n": n,
            "wall": wall,
            "rate": n / wall,
            "app_cpu_ms": cpu / n * 1000,
            "pg_cpu_ms": pg / n * 1000,
        }


# --- checks ---------------------------------------------------------------------------------------
def check_rows(agency, db_url):
    import psycopg

    s = f'"{agency.schema_name}"'
    sql = f"""
        WITH d AS (SELECT id, code, state, split_part(request_summary, ':', 2) AS m
                   FROM {s}.dossiers_dossier WHERE request_summary LIKE %s)
        SELECT d.m, count(*), count(DISTINCT d.code),
          sum((SELECT count(*) FROM {s}.dossiers_dossiercomponent c WHERE c.dossier_id = d.id)),
          sum((SELECT count(*) FROM {s}.dossiers_dossierevent e WHERE e.dossier_id = d.id)),
          sum((SELECT count(*) FROM public.tracking_dossierindex i
               WHERE i.agency_id = %s AND i.dossier_id = d.id AND i.code = d.code AND i.national_status = 2)),
          sum((SELECT count(*) FROM public.tracking_indexevent ie JOIN public.tracking_dossierindex i
               ON ie.entry_id = i.id WHERE i.agency_id = %s AND i.dossier_id = d.id)),
          count(*) FILTER (WHERE d.state = 'received')
        FROM d GROUP BY d.m ORDER BY d.m"""
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(sql, [TAG + "%", agency.pk, agency.pk]).fetchall()
        coded = conn.execute(f"SELECT count(code), count(DISTINCT code) FROM {s}.dossiers_dossier").fetchone()
        counter = conn.execute(f"SELECT coalesce(sum(last), 0) FROM {s}.dossiers_codecounter").fetchone()[0]
    table = []
    shapes = set()
    for m, n, codes, comps, events, index, ievents, received in rows:
        shape = (comps / n, events / n, index / n, ievents / n)
        shapes.add(shape)
        table.append(
            [
                m,
                n,
                "yes" if codes == n else f"NO ({codes})",
                f"{comps / n:g}",
                f"{events / n:g}",
                f"{index / n:g}",
                f"{ievents / n:g}",
                "yes" if received == n else f"NO ({received})",
            ]
        )
    print(
        common.md_table(
            [
                "method",
                "dossiers",
                "codes unique",
                "components/dossier",
                "events/dossier",
                "index rows/dossier",
                "index events/dossier",
                "all received",
            ],
            table,
        )
    )
    gap_free = coded[0] == coded[1] == counter
    print(
        f"codes: {coded[0]} issued, {coded[1]} distinct, counter total {counter} -> "
        f"{'gap-free and unique' if gap_free else 'MISMATCH'}; row shapes "
        f"{'identical across methods' if len(shapes) == 1 else 'DIFFER: ' + str(shapes)}"
    )
    if not gap_free or len(shapes) != 1:
        raise AssertionError("the methods did not write the same rows")


# --- profile --------------------------------------------------------------------------------------
def _call_site():
    """Innermost frame of project code (not .venv, not bench/) on the stack."""
    import traceback

    root = str(common.PROJECT_DIR)
    for frame in reversed(traceback.extract_stack()[:-3]):
        f = frame.filename
        if f.startswith(root) and "/.venv/" not in f and "/bench/" not in f:
            return f"{os.path.relpath(f, root)}:{frame.lineno} {frame.name}"
    return "(outside project code)"


def sql_by_call_site(fn, n):
    """Run fn n times; SQL statements and their time grouped by the project line that issued them."""
    from collections import defaultdict

    from django.db import connection

    sites = defaultdict(lambda: [0, 0.0])

    def wrapper(execute, sql, params, many, context):
        site = _call_site()
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sites[site][0] += 1
            sites[site][1] += time.perf_counter() - t

    t0 = time.perf_counter()
    with connection.execute_wrapper(wrapper):
        for _ in range(n):
            fn()
    wall = (time.perf_counter() - t0) / n
    return {k: (c / n, s / n) for k, (c, s) in sites.items()}, wall


def service_lock_holds(fn, n):
    """Seconds the day's code counter row stays locked per receipt: from the counter upsert to the
    end of the COMMIT (concurrent receipts of one agency queue on that row for this long)."""
    from django.db import connection, transaction

    holds = []

    def wrapper(execute, sql, params, many, context):
        if "dossiers_codecounter" in sql:
            t = time.perf_counter()
            transaction.on_commit(lambda: holds.append(time.perf_counter() - t))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        for _ in range(n):
            fn()
    return holds


def print_sql_sites(title, sites, wall):
    total_q = sum(c for c, _ in sites.values())
    total_s = sum(s for _, s in sites.values())
    print(
        f"\n### {title}: {total_q:.0f} SQL statements per dossier, {total_s * 1000:.1f} ms waiting on them of "
        f"{wall * 1000:.1f} ms wall ({total_s / wall:.0%}); by issuing line"
    )
    rows = [
        [site, f"{c:g}", f"{s * 1000:.2f}"]
        for site, (c, s) in sorted(sites.items(), key=lambda kv: -kv[1][1])
    ]
    print(common.md_table(["call site (file:line function)", "statements", "ms"], rows))


def _family(filename, root):
    """A coarse owner of a profiled function: psycopg, the Django ORM, DRF, the project, ..."""
    if "/site-packages/" in filename:
        rest = filename.split("/site-packages/", 1)[1]
        parts = rest.split("/")
        if parts[0] == "django" and len(parts) > 2 and parts[1] == "db":
            return "django.db (ORM + backend)"
        if parts[0] == "django":
            return f"django.{parts[1]}" if len(parts) > 2 else "django"
        return parts[0]
    if filename.startswith(root):
        rel = os.path.relpath(filename, root)
        return "project: " + "/".join(rel.split("/")[:2])
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins (C calls: I/O waits, getattr, ...)"
    return "python stdlib"


def print_cprofile(title, fn, n, top=18):
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        fn()
    prof.disable()
    stats = pstats.Stats(prof).stats
    root = str(common.PROJECT_DIR)
    rows = []
    for (filename, line, name), (_cc, ncalls, tottime, cumtime, _callers) in stats.items():
        if filename.startswith(root) and "/.venv/" not in filename and "/bench/" not in filename:
            rows.append((cumtime, ncalls, tottime, f"{os.path.relpath(filename, root)}:{line} {name}"))
    rows.sort(reverse=True)
    print(f"\n### {title}: cProfile, {n} calls, project functions by cumulative time (ms per dossier)")
    print(
        common.md_table(
            ["function", "calls/dossier", "cumulative ms", "own ms"],
            [[r[3], f"{r[1] / n:g}", f"{r[0] / n * 1000:.2f}", f"{r[2] / n * 1000:.2f}"] for r in rows[:top]],
        )
    )
    families = {}
    total_own = 0.0
    for (filename, _line, _name), (_cc, _ncalls, tottime, _cumtime, _callers) in stats.items():
        family = _family(filename, root)
        families[family] = families.get(family, 0.0) + tottime
        total_own += tottime
    print(f"\n{title}: own time by package (ms per dossier)")
    print(
        common.md_table(
            ["package", "own ms", "share"],
            [
                [f, f"{t / n * 1000:.2f}", f"{t / total_own:.0%}"]
                for f, t in sorted(families.items(), key=lambda kv: -kv[1])
            ],
        )
    )
    others = sorted(((v[2], v[1], k) for k, v in stats.items()), reverse=True)[:10]
    print(f"\n{title}: top own time overall (ms per dossier)")
    print(
        common.md_table(
            ["function", "calls/dossier", "own ms"],
            [
                [
                    f"{os.path.relpath(k[0], root) if k[0].startswith(root) else k[0]}:{k[1]} {k[2]}",
                    f"{c / n:g}",
                    f"{t / n * 1000:.2f}",
                ]
                for t, c, k in others
            ],
        )
    )


# --- main -----------------------------------------------------------------------------------------
def fmt_rate(values):
    return f"{statistics.median(values):.1f}"


def main():
    global DB
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=60, help="HTTP intakes per round")
    parser.add_argument("--clients", type=int, default=8, help="client keep-alive connections (threads)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--server-threads", type=int, default=4, help="gunicorn gthread threads per worker")
    parser.add_argument("--inproc", type=int, default=15, help="handler and service dossiers per round")
    parser.add_argument("--raw", type=int, default=150, help="raw SQL dossiers per round (each raw method)")
    parser.add_argument("--batch", type=int, default=50, help="dossiers per transaction in raw-batch")
    parser.add_argument("--single", type=int, default=15, help="HTTP requests on one connection (latency)")
    parser.add_argument("--profile-calls", type=int, default=20)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--client", help="internal: run the HTTP load client from this spec file")
    common.add_quick_argument(parser)
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.requests, args.clients, args.workers, args.server_threads = 1, 16, 2, 1, 2
        args.inproc, args.raw, args.batch, args.single, args.profile_calls = 3, 10, 5, 3, 3
    DB = common.scratch_name(DB, args.quick)

    if args.client:
        print(json.dumps(run_client(json.loads(Path(args.client).read_text()))))
        return

    common.header("bench/intake.py — counter intake: HTTP API vs raw SQL", "bench.intake")
    wall = time.perf_counter()
    server = None
    with common.scratch_database(DB) as db_url, tempfile.TemporaryDirectory(prefix="bench-intake-") as tmpdir:
        common.flush_bench_redis()
        common.setup_django()
        from django.db import connection

        migrate_s = common.migrate_schemas_in_process()
        started = time.perf_counter()
        agency, officer = setup_city()
        print(
            f"\nset-up: migrate_schemas {migrate_s:.1f} s; calendar + procedure {PROCEDURE} + agency "
            f"{agency.slug} + officer {time.perf_counter() - started:.1f} s"
        )
        with psycopg_admin(db_url) as conn:
            pg_settings = {
                k: conn.execute(f"SHOW {k}").fetchone()[0]
                for k in ("synchronous_commit", "fsync", "shared_buffers")
            }
        print("postgres: " + ", ".join(f"{k}={v}" for k, v in pg_settings.items()))

        inproc = InProcess(agency, officer)
        reference = inproc.service_one("reference")  # the rows raw SQL copies (also warms the caches)
        for _ in range(3):
            inproc.service_one("warmup")
            inproc.handler_one()
        raw = Raw(agency, reference.pk, db_url)
        raw_conn = raw.connect()
        raw_conns = [raw.connect() for _ in range(args.clients)]
        raw.timed([raw_conn], 20, "warmup", 0)
        raw.timed(raw_conns, 20, "warmup", 20)
        raw.timed([raw_conn], args.batch, "warmup", 40, batch=args.batch)

        try:
            server = Server(args.workers, args.server_threads, tmpdir)
            server.wait_ready()
            cookie, csrf = login(server.port)
            spec = {
                "port": server.port,
                "path": f"/{agency.slug}/api/v1/dossiers/",
                "threads": args.clients,
                "cookie": cookie,
                "csrf": csrf,
            }
            http_round(server, spec, max(2 * args.clients * args.workers, 20), 0, tmpdir)  # warm every thread
            print(f"server: {server.describe()}  (logged in through POST /tai-khoan/dang-nhap/)")
            print(
                f"client: separate process, {args.clients} keep-alive connections (http.client, one thread each)"
            )

            methods = ["http", "handler", "service", "raw-1tx", "raw-1tx-conc", "raw-batch"]
            results = {m: [] for m in methods}
            first = 1000
            for r in range(args.rounds):
                order = methods[r % len(methods) :] + methods[: r % len(methods)]
                for m in order:
                    first += 10000
                    if m == "http":
                        res = http_round(server, spec, args.requests, first, tmpdir)
                    elif m == "handler":
                        res = inproc.timed(inproc.handler_one, args.inproc)
                    elif m == "service":
                        res = inproc.timed(inproc.service_one, args.inproc)
                    elif m == "raw-1tx":
                        res = raw.timed([raw_conn], args.raw, m, first)
                    elif m == "raw-1tx-conc":
                        res = raw.timed(raw_conns, args.raw, m, first)
                    else:
                        res = raw.timed([raw_conn], args.raw, m, first, batch=args.batch)
                    results[m].append(res)
                print(
                    f"round {r + 1}/{args.rounds}: "
                    + ", ".join(f"{m} {results[m][-1]['rate']:.1f}/s" for m in methods)
                )
                sys.stdout.flush()

            single = http_round(server, dict(spec, threads=1), args.single, first + 10000, tmpdir)
        finally:
            if server is not None:
                server.stop()
            raw_conn.close()
            for c in raw_conns:
                c.close()

        label = {
            "http": f"HTTP API (gunicorn -w {args.workers} gthread×{args.server_threads}, {args.clients} clients)",
            "handler": "Django handler in-process (test Client, sequential)",
            "service": "dossier_receive() in-process (sequential)",
            "raw-1tx": "raw SQL, 1 tx/dossier, 1 connection",
            "raw-1tx-conc": f"raw SQL, 1 tx/dossier, {args.clients} connections",
            "raw-batch": f"raw SQL, {args.batch} dossiers/tx (context)",
        }
        print(
            f"\n## Results: {args.rounds} rounds; per round {args.requests} HTTP requests, {args.inproc} handler "
            f"and service calls, {args.raw} dossiers per raw method"
        )
        med = {m: statistics.median(x["rate"] for x in results[m]) for m in methods}
        rows = []
        for m in methods:
            rates = [x["rate"] for x in results[m]]
            rows.append(
                [
                    label[m],
                    fmt_rate(rates),
                    f"{min(rates):.1f}",
                    f"{max(rates):.1f}",
                    f"{1000 / med[m]:.2f}",
                    f"{statistics.median(x['app_cpu_ms'] for x in results[m]):.2f}",
                    f"{statistics.median(x['pg_cpu_ms'] for x in results[m]):.2f}",
                ]
            )
        print(
            common.md_table(
                [
                    "method",
                    "median dossiers/s",
                    "min",
                    "max",
                    "ms/dossier (1/median rate)",
                    "app CPU ms/dossier",
                    "postgres CPU ms/dossier (host-wide)",
                ],
                rows,
            )
        )
        print(
            "app CPU: gunicorn workers for http, this process otherwise (the raw rows include psycopg/Python)."
        )

        lat = [x for res in results["http"] for x in res["latencies"]]
        per_round_p50 = [common.percentile(res["latencies"], 50) * 1000 for res in results["http"]]
        per_round_p95 = [common.percentile(res["latencies"], 95) * 1000 for res in results["http"]]
        print(f"\n## HTTP latency (client side, {len(lat)} requests, {args.clients} concurrent connections)")
        print(
            common.md_table(
                [
                    "p50 ms",
                    "p95 ms",
                    "max ms",
                    "median of per-round p50",
                    "median of per-round p95",
                    "client CPU share",
                ],
                [
                    [
                        f"{common.percentile(lat, 50) * 1000:.1f}",
                        f"{common.percentile(lat, 95) * 1000:.1f}",
                        f"{max(lat) * 1000:.1f}",
                        f"{statistics.median(per_round_p50):.1f}",
                        f"{statistics.median(per_round_p95):.1f}",
                        f"{statistics.median(x['client_cpu_share'] for x in results['http']):.2f}",
                    ]
                ],
            )
        )
        lat1 = single["latencies"]
        print(
            f"one connection at a time (after the rounds, {len(lat1)} requests, no queueing): "
            f"p50 {common.percentile(lat1, 50) * 1000:.1f} ms, p95 {common.percentile(lat1, 95) * 1000:.1f} ms, "
            f"{single['rate']:.1f} dossiers/s"
        )

        print("\n## Same rows? (every dossier written during the run, by method)")
        check_rows(agency, db_url)

        print("\n## Ratios")
        raw_best = max(med["raw-1tx"], med["raw-1tx-conc"])
        per_round = [
            h["rate"] / max(a["rate"], b["rate"])
            for h, a, b in zip(results["http"], results["raw-1tx"], results["raw-1tx-conc"], strict=True)
        ]
        rows = [
            ["http / raw (faster of raw-1tx, raw-1tx-conc)", f"{med['http'] / raw_best:.3f}"],
            ["http / raw-1tx (1 connection)", f"{med['http'] / med['raw-1tx']:.3f}"],
            ["http / raw-1tx-conc", f"{med['http'] / med['raw-1tx-conc']:.3f}"],
            ["http / raw-batch", f"{med['http'] / med['raw-batch']:.3f}"],
            ["median of per-round http / raw (faster)", f"{statistics.median(per_round):.3f}"],
            ["service / raw-1tx (both sequential, 1 connection)", f"{med['service'] / med['raw-1tx']:.3f}"],
            [
                "handler / service (request + auth + response cost on top of the service)",
                f"{med['handler'] / med['service']:.3f}",
            ],
        ]
        print(common.md_table(["ratio", "value"], rows))
        ms = {m: 1000 / med[m] for m in methods}
        print(
            f"sequential time per dossier: raw-1tx {ms['raw-1tx']:.1f} ms, service {ms['service']:.1f} ms "
            f"(+{ms['service'] - ms['raw-1tx']:.1f} ms over raw), handler {ms['handler']:.1f} ms "
            f"(+{ms['handler'] - ms['service']:.1f} ms request/auth/response over the service)"
        )

        ratio = med["http"] / raw_best
        print("\n## Target")
        print(
            common.md_table(
                ["target", "measured", "verdict"],
                [
                    [
                        "HTTP intake ≥ 25% of the raw SQL rate (median dossiers/s)",
                        f"{med['http']:.1f} / {raw_best:.1f} = {ratio:.3f}",
                        "met" if ratio >= 0.25 else "MISSED",
                    ]
                ],
            )
        )

        if not args.no_profile:
            print("\n## Where the time goes (in-process, after the rounds)")
            n = args.profile_calls
            service_holds = service_lock_holds(inproc.service_one, n)
            raw_holds = []
            with raw.connect() as conn:
                from django.utils import timezone

                for i in range(n):
                    raw.one_transaction(conn, f"{TAG}raw-1tx:hold{i}", timezone.localdate(), holds=raw_holds)
            print(
                "\n### Counter row lock per receipt (counter upsert -> end of COMMIT; receipts of one agency "
                "queue on it, whatever the number of cores or workers)"
            )
            print(
                common.md_table(
                    ["path", "median ms", "p95 ms", "ceiling for one agency (1 / median)"],
                    [
                        [
                            label,
                            f"{statistics.median(h) * 1000:.1f}",
                            f"{common.percentile(h, 95) * 1000:.1f}",
                            f"{1 / statistics.median(h):.0f} receipts/s",
                        ]
                        for label, h in (("dossier_receive()", service_holds), ("raw-1tx", raw_holds))
                    ],
                )
            )
            sites, wall_one = sql_by_call_site(inproc.service_one, n)
            print_sql_sites("dossier_receive()", sites, wall_one)
            sites, wall_one = sql_by_call_site(inproc.handler_one, max(10, n // 2))
            print_sql_sites("POST /<slug>/api/v1/dossiers/ (Django handler, in-process)", sites, wall_one)
            print_cprofile("dossier_receive()", inproc.service_one, n)
            print_cprofile("POST through the Django handler", inproc.handler_one, max(10, n // 2), top=24)
        connection.close()
    print(f"\nwall time: {time.perf_counter() - wall:.1f} s (scratch database {DB} dropped, server stopped)")


def psycopg_admin(db_url):
    import psycopg

    return psycopg.connect(db_url, autocommit=True)


if __name__ == "__main__":
    main()
