"""City-wide look-up by dossier code: look-ups per second and latency through HTTP (GET
/api/v1/lookup/<code>/) on a big public index, against the same two SELECTs in raw SQL.

    cd /work/main && .venv/bin/python -m bench.lookup [--agencies 1000] [--rows 10000000]
                       [--events-per-row 2] [--seed 1] [--rounds 5] [--requests 20000] [--clients 8]
                       [--server granian|gunicorn] [--load-client wrk|python] [--workers N]
                       [--server-threads N] [--raw 20000] [--inproc 2000]
                       [--unknown 0.10] [--paced-rate 1000] [--paced-requests 20000] [--single 2000]
                       [--reuse] [--keep] [--no-profile] [--db egov_bench_lookup] [--seed-only]
    cd /work/main && .venv/bin/python -m bench.lookup --quick   # 20,000 rows, 1 small round of each,
                                                               # db egov_bench_lookup_quick (tests/bench)

Set-up (scratch database egov_bench_lookup, egov_bench_lookup_quick with --quick, or --db NAME: one
per engineer on a shared server):
migrate_schemas, then `manage.py seed_bench_index` (agencies inserted without schemas, --rows index rows with their public timeline; COPY FREEZE,
keys and indexes re-built after the load, ANALYZE; it prints its own phases). The seed dominates the
run. --keep leaves the database behind; --reuse then skips migrate + seed when the database already
holds exactly --agencies bench agencies and --rows index rows (repeated runs in a few minutes).

Look-ups: random existing codes, each used once in the whole run (about --unknown of the requests ask
for well-formed codes that do not exist: 404), as the citizens' QR codes and typed codes would.

Methods, alternated round by round (rotating order):

  http      ONE gunicorn (config.wsgi:application, config.settings.bench, --workers W --worker-class
            gthread --threads T, 127.0.0.1, LOOKUP_*=10^9 (LOOKUP_BUDGETS) so the throttle counts but never
            refuses), loaded by a separate client process: --clients keep-alive connections (stdlib
            http.client, one thread each), --requests look-ups per round. Every answer is checked (200
            with the same code, or 404 not_found). Server-side time per request = gunicorn's access log
            %(D)s (microseconds from the parsed request to the end of the response, inside the worker).
  raw-1     plain psycopg (defaults: server-side binding, auto-prepared), the two SELECTs the ORM look-up
            of the first run sent (captured from that ORM code, same SQL text), sequential on 1
            connection: the PostgreSQL baseline, unchanged since the first run.
  raw-N     the same on --clients connections (threads).
  selector  dossier_lookup() in-process, sequential (its one prepared statement, without HTTP, DRF or
            middleware).
  handler   the GET through Django's handler in-process (django.test.Client, sequential): the whole
            Django + DRF stack (throttle included) without server or socket. NOT the fast path of
            config/wsgi.py (shared_apps.tracking.fastpath).
  fastpath  the same GET through the fast path in-process (LookupFastPath, sequential WSGI calls):
            what the http methods go through, without server or socket.

Then, on the same server: a paced round (--paced-rate look-ups/s for --paced-requests, open loop:
request i is due at start + i/rate; the client latency is counted from that due time, so a server
that falls behind cannot hide it) and a single-connection round (--single, no queueing). Then
EXPLAIN (ANALYZE, BUFFERS) of the two queries for one code, and unless --no-profile where the time
of one look-up goes (SQL, health checks, Redis round trips, cProfile of the handler).

Targets (issue): p99 server-side <= 5 ms, >= 1,000 look-ups/s on this machine's 2 cores. Judged as:
look-ups/s = median of the http rounds; p99 server-side at the paced 1,000/s load (the target load),
and reported under saturation too. The scratch database is dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench import common, servers
from bench.servers import postgres_cpu

DB = "egov_bench_lookup"
# the look-up's budgets (per address, per code, proof tries, city-wide): raised so that they count
# but never answer 429 during a measurement
LOOKUP_BUDGETS = (
    "LOOKUP_RATE_PER_MINUTE",
    "LOOKUP_CODE_RATE_PER_HOUR",
    "LOOKUP_PROOF_TRIES_PER_HOUR",
    "LOOKUP_GLOBAL_RATE_PER_MINUTE",
)
PATH = "/api/v1/lookup/{code}/"
AGENCY_SLUG_PREFIX = "bench-lookup-"  # seed_bench_index's agencies
ACCESS_FORMAT = "%(D)s %(s)s %(m)s %(U)s"


# --- HTTP client (separate process) ----------------------------------------------------------------
def run_client(spec):
    import http.client
    import itertools

    port, threads, rate = spec["port"], spec["threads"], spec.get("rate")
    items = spec["items"]  # [path, code or "", expected status]
    n = len(items)
    headers = {"Accept": "application/json", "Host": f"127.0.0.1:{port}"}
    counter = itertools.count()
    latencies = [[] for _ in range(threads)]  # from sending (closed loop) / from the due time (paced)
    service = [[] for _ in range(threads)]  # from sending, both modes
    errors = [[] for _ in range(threads)]
    statuses = [{} for _ in range(threads)]
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=60) for _ in range(threads)]
    for conn in conns:  # open the keep-alive connections before the clock starts
        conn.request("GET", "/healthz/")
        conn.getresponse().read()
    barrier = threading.Barrier(threads + 1)
    start = [0.0]

    def work(k):
        conn, lat, svc, perf, sleep = conns[k], latencies[k], service[k], time.perf_counter, time.sleep
        barrier.wait()
        t_start = start[0]
        while True:
            i = next(counter)
            if i >= n:
                break
            path, code, expected = items[i]
            due = None
            if rate:
                due = t_start + i / rate
                delay = due - perf()
                if delay > 0:
                    sleep(delay)
            t = perf()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            end = perf()
            svc.append(end - t)
            lat.append(end - (due if due is not None else t))
            statuses[k][response.status] = statuses[k].get(response.status, 0) + 1
            if response.status != expected:
                errors[k].append(f"{path}: {response.status} (expected {expected}) {body[:200]!r}")
                continue
            data = json.loads(body)
            if expected == 200 and code and data.get("code") != code:
                errors[k].append(f"{path}: wrong body {body[:200]!r}")
            elif expected == 404 and data.get("code") != "not_found":
                errors[k].append(f"{path}: wrong 404 body {body[:200]!r}")

    workers = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    cpu0 = time.process_time()
    start[0] = time.perf_counter() + 0.01
    barrier.wait()
    t0 = time.perf_counter()
    for w in workers:
        w.join()
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    for conn in conns:
        conn.close()
    all_errors = [e for errs in errors for e in errs]
    merged = {}
    for s in statuses:
        for k, v in s.items():
            merged[str(k)] = merged.get(str(k), 0) + v
    return {
        "n": n,
        "wall": wall,
        "rate": n / wall,
        "latencies": [x for lat in latencies for x in lat],
        "service": [x for s in service for x in s],
        "errors": len(all_errors),
        "first_error": all_errors[0] if all_errors else "",
        "statuses": merged,
        "client_cpu_share": cpu / wall,
    }


# --- server ---------------------------------------------------------------------------------------
GRANIAN_ACCESS_FORMAT = "%(dt_ms).3f %(status)d %(method)s %(path)s"


class Server(servers.WsgiServer):
    """The WSGI server under test: `granian` (what deploy/compose.yaml runs) or `gunicorn` (gthread),
    config.wsgi:application, config.settings.bench, with an access log of server-side times."""

    def __init__(self, workers, threads, logdir, kind="granian"):
        self.kind = self.name = kind
        self.count_master_cpu = True
        self.port = servers.free_port()
        if kind == "granian":
            self.access_log = Path(logdir) / f"{kind}-lookup.log"  # granian logs access lines to stdout
            argv = [
                str(Path(common.PYTHON).with_name("granian")),
                "--interface",
                "wsgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--blocking-threads",
                str(threads),
                "--log-level",
                "warning",
                "--access-log",
                "--access-log-fmt",
                GRANIAN_ACCESS_FORMAT,
                "config.wsgi:application",
            ]
        else:
            self.access_log = Path(logdir) / "access.log"
            argv = servers.gunicorn_argv(
                self.port,
                workers=workers,
                threads=threads,
                extra=("--access-logfile", str(self.access_log), "--access-logformat", ACCESS_FORMAT),
            )
        env = common.bench_env(DB)
        for budget in LOOKUP_BUDGETS:
            env[budget] = str(10**9)
        self.start(argv, env=env, log_name=Path(logdir) / f"{kind}-lookup.log")

    def describe(self):
        argv = [a if a not in (ACCESS_FORMAT, GRANIAN_ACCESS_FORMAT) else f"'{a}'" for a in self.argv[1:]]
        if "--access-logfile" in argv:
            argv[argv.index("--access-logfile") + 1] = "<tmp>/access.log"
        return " ".join([self.kind, *argv]) + "  (env LOOKUP_*_RATE_*=1000000000)"

    def server_times(self):
        """{path: (microseconds, status)} of every look-up in the access log so far (each path is
        requested once in the whole run)."""
        out = {}
        if not self.access_log.exists():
            return out
        for line in self.access_log.read_text().splitlines():
            parts = line.split()
            if len(parts) == 4 and parts[3].startswith("/api/v1/lookup/"):
                micros = round(float(parts[0]) * 1000) if self.kind == "granian" else int(parts[0])
                out[parts[3]] = (micros, int(parts[1]))
        return out


def http_round(server, items, threads, tmpdir, rate=None):
    spec_path = Path(tmpdir) / "client.json"
    spec_path.write_text(json.dumps({"port": server.port, "threads": threads, "items": items, "rate": rate}))
    cpu0, pg0 = server.worker_cpu(), postgres_cpu()
    proc = subprocess.run(
        [common.PYTHON, "-m", "bench.lookup", "--client", str(spec_path)],
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
    n = len(items)
    result["app_cpu_ms"] = (cpu1 - cpu0) / n * 1000
    result["pg_cpu_ms"] = (pg1 - pg0) / n * 1000
    result["paths"] = [path for path, _code, _expected in items]
    return result


WRK_SCRIPT = r"""
-- Each wrk thread sends its share of the round's paths in order for the round's duration (sized by
-- the caller so that no path is sent twice; a wrap-around is counted); every answer must be 200
-- (found) or 404 (unknown code), and the share of 404s is compared with the paths sent.
local threads, counter = {}, 1
function setup(thread)
  thread:set("id", counter); counter = counter + 1; table.insert(threads, thread)
end
function init(args)
  paths, i, wraps, c200, c404, other = {}, 0, 0, 0, 0, 0
  local k, n = 0, tonumber(args[2])
  for line in io.lines(args[1]) do
    if k % n == id - 1 then
      local status, path = line:match("^(%d+) (.+)$")
      paths[#paths + 1] = path
    end
    k = k + 1
  end
end
function request()
  i = i + 1
  if i > #paths then i = 1; wraps = wraps + 1 end
  return wrk.format("GET", paths[i], {["Accept"] = "application/json"})
end
function response(status, headers, body)
  if status == 200 then c200 = c200 + 1 elseif status == 404 then c404 = c404 + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local t = {wraps = 0, c200 = 0, c404 = 0, other = 0}
  for _, th in ipairs(threads) do
    for key, _ in pairs(t) do t[key] = t[key] + th:get(key) end
  end
  io.write(string.format('WRK {"requests": %d, "wraps": %d, "c200": %d, "c404": %d, "other": %d, '
    .. '"errors": %d, "us": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d}\n', summary.requests, t.wraps,
    t.c200, t.c404, t.other, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.duration, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def wrk_round(server, items, connections, tmpdir, *, seconds, threads=2):
    """A saturated round with wrk (C, event loop; --load-client wrk): the load generator takes a small
    share of the 2 cores instead of most of one (the Python client). Every answer's status is checked
    against the expected one (200 found / 404 unknown) in wrk's Lua hooks; bodies are checked by
    `spot_check`. Client latency percentiles are wrk's (send → response, per connection)."""
    script, paths_file = Path(tmpdir) / "round.lua", Path(tmpdir) / "paths.txt"
    script.write_text(WRK_SCRIPT)
    paths_file.write_text("".join(f"{expected} {path}\n" for path, _code, expected in items))
    connections = max(connections, threads)
    cpu0, pg0 = server.worker_cpu(), postgres_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            f"http://127.0.0.1:{server.port}",
            "--",
            str(paths_file),
            str(threads),
        ],
        capture_output=True,
        text=True,
    )
    wall_outer = time.perf_counter() - t0
    cpu1, pg1 = server.worker_cpu(), postgres_cpu()
    line = next((x for x in proc.stdout.splitlines() if x.startswith("WRK ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed:\n{proc.stdout}\n{proc.stderr}")
    out = json.loads(line[4:])
    n = len(items)
    # wrk may send a few requests beyond the paths (a thread's last request before stop takes effect):
    # they repeat the thread's last path; the rate counts what was sent.
    expected_404 = sum(1 for _path, _code, expected in items if expected == 404) / max(1, n)
    answered = out["c200"] + out["c404"]
    share_404 = out["c404"] / max(1, answered)
    if (
        out["other"]
        or out["errors"]
        or answered < out["requests"]
        or (expected_404 and abs(share_404 - expected_404) > 0.05 + 3 / max(1, answered) ** 0.5)
    ):
        raise RuntimeError(
            f"wrk: unexpected answers {out} for {n} paths (expected 404 share {expected_404:.3f})"
        )
    wall = out["us"] / 1e6
    return {
        "n": out["requests"],
        "wall": wall,
        "wall_outer": wall_outer,
        "rate": out["requests"] / wall,
        "wraps": out["wraps"],
        "partial": True,
        "latency_pct": {k: out[k] / 1e6 for k in ("p50", "p95", "p99", "max")},
        "latencies": [],
        "service": [],
        "errors": 0,
        "statuses": {},
        "client_cpu_share": None,
        "app_cpu_ms": (cpu1 - cpu0) / out["requests"] * 1000,
        "pg_cpu_ms": (pg1 - pg0) / out["requests"] * 1000,
        "paths": [path for path, _code, _expected in items],
    }


def spot_check(server, items):
    """Fetch a few of the round's codes again and check the whole body (wrk checks statuses only)."""
    for path, code, expected in items:
        request = urllib.request.Request(
            f"http://127.0.0.1:{server.port}{path}", headers={"Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, body = response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            status, body = exc.code, json.loads(exc.read())
        if (
            status != expected
            or (expected == 200 and body.get("code") != code)
            or (expected == 404 and body.get("code") != "not_found")
        ):
            raise RuntimeError(f"spot check {path}: {status} {body}")


def attach_server_times(server, results):
    """Server-side µs of each request of each result, from the access log (read once at the end:
    gunicorn writes the line after the response, so a round's last lines may lag its client)."""
    times = server.server_times()
    for res in results:
        found = [times[p] for p in res["paths"] if p in times]
        if not res.get("partial") and len(found) != len(res["paths"]):
            raise RuntimeError(f"access log: {len(res['paths']) - len(found)} requests missing")
        res["server_us"] = [t for t, _s in found]
        res["server_us_200"] = [t for t, s in found if s == 200]
        res["server_us_404"] = [t for t, s in found if s == 404]


# --- codes ----------------------------------------------------------------------------------------
def sample_items(db_url, n_known, n_unknown, seed):
    """(known codes, unknown codes): random existing codes without repetition, and well-formed codes of
    the bench agencies that do not exist (sequence numbers above any day's count)."""
    import psycopg

    rnd = random.Random(seed)
    with psycopg.connect(db_url) as conn:
        max_id = conn.execute("SELECT max(id) FROM tracking_dossierindex").fetchone()[0]
        known = []
        seen = set()
        while len(known) < n_known:
            want = int((n_known - len(known)) * 1.08) + 100
            ids = [i for i in (rnd.randint(1, max_id) for _ in range(want)) if i not in seen]
            seen.update(ids)
            rows = conn.execute(
                "SELECT code FROM tracking_dossierindex WHERE id = ANY(%s) AND code IS NOT NULL", [ids]
            ).fetchall()
            known.extend(r[0] for r in rows)
        known = known[:n_known]
        rnd.shuffle(known)
        prefixes = [
            r[0]
            for r in conn.execute(
                "SELECT national_code FROM tenants_agency WHERE slug LIKE %s", [AGENCY_SLUG_PREFIX + "%"]
            ).fetchall()
        ]
        unknown = set()
        while len(unknown) < n_unknown:
            day = time.strftime("%y%m%d", time.localtime(time.time() - rnd.randint(1, 700) * 86400))
            unknown.add(f"{rnd.choice(prefixes)}-{day}-{rnd.randint(9000, 9999):04d}")
        exist = {
            r[0]
            for r in conn.execute(
                "SELECT code FROM tracking_dossierindex WHERE code = ANY(%s)", [sorted(unknown)]
            ).fetchall()
        }
        unknown = sorted(unknown - exist)
        rnd.shuffle(unknown)
    return known, unknown


class CodePool:
    """Hands out fresh codes: ~`unknown` of them do not exist. Items are [path, code, expected status]."""

    def __init__(self, known, unknown, share, seed):
        self.known, self.unknown, self.share = known, unknown, share
        self.rnd = random.Random(seed)

    def take(self, n):
        items = []
        for _ in range(n):
            if self.unknown and self.rnd.random() < self.share:
                code = self.unknown.pop()
                items.append([PATH.format(code=code), code, 404])
            else:
                code = self.known.pop()
                items.append([PATH.format(code=code), code, 200])
        return items


def codes_needed(args):
    per_round = args.requests + 2 * args.raw + 3 * args.inproc
    warmups = 1600 + args.warmup + 200 + 400
    return args.rounds * per_round + args.paced_requests + args.single + warmups + 7 * args.profile_calls + 50


def floor_items(n):
    """GET /healthz/: the same server, middleware and JSON response without SQL or Redis."""
    return [["/healthz/", "", 200]] * n


def capped(n, rate, seconds, floor):
    """n, or fewer: about `seconds` of work at `rate`, but never fewer than min(n, floor)."""
    return max(min(n, floor), min(n, int(rate * seconds)))


# --- raw SQL and in-process methods ---------------------------------------------------------------
def captured_sql(code):
    """The two statements of the ORM look-up measured as the baseline (dossier_lookup() before issue 5's
    fix: select_related("agency").filter(code=).first(), then entry.events.order_by("at", "id")), as
    (sql, params), in order. The raw methods replay them: the same PostgreSQL work as the first run."""
    from django.db import connection

    from shared_apps.tracking.models import DossierIndex

    statements = []

    def wrapper(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        entry = DossierIndex.objects.select_related("agency").filter(code=code).first()
        if entry is not None:
            list(entry.events.order_by("at", "id"))
    return statements


class Raw:
    def __init__(self, db_url, index_sql, events_sql):
        import psycopg

        self.psycopg = psycopg
        self.db_url = db_url
        self.index_sql, self.events_sql = index_sql, events_sql

    def connect(self):
        return self.psycopg.connect(self.db_url, autocommit=True)

    def one(self, cur, code):
        cur.execute(self.index_sql, (code,))
        row = cur.fetchone()
        if row is None:
            return None
        cur.execute(self.events_sql, (row[0],))
        return row, cur.fetchall()

    def timed(self, conns, items):
        """Look up every item on these connections (one thread each when more than one)."""
        import itertools

        counter = itertools.count()
        latencies = [[] for _ in conns]
        misses = [0] * len(conns)
        n = len(items)

        def work(k):
            with conns[k].cursor() as cur:
                perf, lat = time.perf_counter, latencies[k]
                while True:
                    i = next(counter)
                    if i >= n:
                        break
                    _path, code, expected = items[i]
                    t = perf()
                    found = self.one(cur, code)
                    lat.append(perf() - t)
                    if (found is None) != (expected == 404):
                        misses[k] += 1

        pg0, cpu0, t0 = postgres_cpu(), time.process_time(), time.perf_counter()
        if len(conns) == 1:
            work(0)
        else:
            threads = [threading.Thread(target=work, args=(k,)) for k in range(len(conns))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        wall = time.perf_counter() - t0
        if sum(misses):
            raise RuntimeError(f"raw: {sum(misses)} wrong answers")
        return {
            "n": n,
            "wall": wall,
            "rate": n / wall,
            "latencies": [x for lat in latencies for x in lat],
            "app_cpu_ms": (time.process_time() - cpu0) / n * 1000,
            "pg_cpu_ms": (postgres_cpu() - pg0) / n * 1000,
        }


class InProcess:
    def __init__(self):
        from django.core.handlers.wsgi import WSGIHandler
        from django.test import Client, RequestFactory

        from shared_apps.tracking.fastpath import LookupFastPath

        self.client = Client()
        self.factory = RequestFactory()
        self.fast_app = LookupFastPath(WSGIHandler())

    def selector_one(self, item):
        from shared_apps.tracking.selectors import dossier_lookup

        _path, code, expected = item
        result = dossier_lookup(code=code)
        if (result is None) != (expected == 404):
            raise RuntimeError(f"selector: {code} -> {result}")

    def handler_one(self, item):
        path, _code, expected = item
        response = self.client.get(path, HTTP_ACCEPT="application/json")
        if response.status_code != expected:
            raise RuntimeError(f"handler: {path} -> {response.status_code} {response.content[:200]!r}")

    def fastpath_one(self, item):
        """The same GET through config/wsgi.py's application (the fast path), in-process: a WSGI call."""
        path, _code, expected = item
        environ = self.factory.get(path, headers={"accept": "application/json"}).environ
        seen = []
        result = self.fast_app(environ, lambda status, headers, exc_info=None: seen.append(status))
        try:
            b"".join(result)
        finally:
            if hasattr(result, "close"):  # the learned-headers path answers with a plain list
                result.close()
        if not seen[0].startswith(str(expected)):
            raise RuntimeError(f"fastpath: {path} -> {seen[0]}")

    def timed(self, fn, items):
        pg0, cpu0, t0 = postgres_cpu(), time.process_time(), time.perf_counter()
        latencies = []
        perf = time.perf_counter
        for item in items:
            t = perf()
            fn(item)
            latencies.append(perf() - t)
        wall = time.perf_counter() - t0
        n = len(items)
        return {
            "n": n,
            "wall": wall,
            "rate": n / wall,
            "latencies": latencies,
            "app_cpu_ms": (time.process_time() - cpu0) / n * 1000,
            "pg_cpu_ms": (postgres_cpu() - pg0) / n * 1000,
        }


# --- reporting helpers ----------------------------------------------------------------------------
def ms(values, pct):
    return common.percentile(values, pct) * 1000


def us_ms(values, pct):
    return common.percentile(values, pct) / 1000


def lat_row(label, client, server_us, extra=""):
    row = [
        label,
        f"{len(client)}",
        f"{ms(client, 50):.2f}",
        f"{ms(client, 95):.2f}",
        f"{ms(client, 99):.2f}",
        f"{max(client) * 1000:.1f}",
    ]
    if server_us:
        row += [
            f"{us_ms(server_us, 50):.2f}",
            f"{us_ms(server_us, 95):.2f}",
            f"{us_ms(server_us, 99):.2f}",
            f"{max(server_us) / 1000:.1f}",
        ]
    else:
        row += ["–"] * 4
    return row + [extra]


def explain(sql, params):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return [r[0] for r in cur.fetchall()]


def sizes(db_url):
    import psycopg

    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT c.relname, c.relkind, pg_relation_size(c.oid), c.reltuples::bigint FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND (c.relname IN "
            "('tracking_dossierindex', 'tracking_indexevent') OR c.oid IN (SELECT indexrelid FROM pg_index WHERE "
            "indrelid IN ('tracking_dossierindex'::regclass, 'tracking_indexevent'::regclass))) "
            "ORDER BY c.relkind DESC, c.relname"
        ).fetchall()
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM tenants_agency WHERE slug LIKE %s), "
            "(SELECT count(*) FROM tracking_dossierindex), (SELECT count(code) FROM tracking_dossierindex), "
            "(SELECT reltuples::bigint FROM pg_class WHERE relname = 'tracking_indexevent')",
            [AGENCY_SLUG_PREFIX + "%"],
        ).fetchone()
    return rows, counts


def bench_data_present(args):
    """True when the scratch database exists and holds exactly the bench data asked for."""
    import psycopg

    try:
        with psycopg.connect(common.database_url(DB), connect_timeout=5) as conn:
            agencies, rows = conn.execute(
                "SELECT (SELECT count(*) FROM tenants_agency WHERE slug LIKE %s), "
                "(SELECT count(*) FROM tracking_dossierindex)",
                [AGENCY_SLUG_PREFIX + "%"],
            ).fetchone()
    except psycopg.Error:
        return False
    return agencies == args.agencies and rows == args.rows


def disk_check(args):
    """Free space where PostgreSQL keeps its data vs a rough estimate of what the seed needs."""
    import psycopg

    try:
        with psycopg.connect(common.database_url("postgres")) as conn:
            data_dir = conn.execute("SHOW data_directory").fetchone()[0]
        usage = shutil.disk_usage(data_dir)
    except (psycopg.Error, OSError):
        data_dir, usage = "/", shutil.disk_usage("/")
    # ~560 bytes per index row with its 9 indexes, ~140 bytes per event with its 2, plus the WAL the
    # load writes and recycles (max_wal_size) and headroom.
    need = args.rows * (560 + 140 * args.events_per_row) * 1.3 + 4 * 1024**3
    return data_dir, usage, need


# --- profile --------------------------------------------------------------------------------------
def profile_lookup(inproc, items, n):
    """Per look-up through the Django handler: SQL statements and time, connection health checks,
    Redis round trips, then cProfile by package."""
    import cProfile
    import pstats

    import redis
    from django.db import connection

    sql = {"count": 0, "time": 0.0}

    def wrapper(execute, sql_text, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql_text, params, many, context)
        finally:
            sql["time"] += time.perf_counter() - t
            sql["count"] += 1

    health = {"count": 0, "time": 0.0}
    original_usable = connection.is_usable

    def counted_usable():
        t = time.perf_counter()
        try:
            return original_usable()
        finally:
            health["time"] += time.perf_counter() - t
            health["count"] += 1

    redis_calls = {"count": 0, "time": 0.0, "commands": {}}
    original_execute = redis.Redis.execute_command

    def counted_execute(self, *args, **kwargs):
        t = time.perf_counter()
        try:
            return original_execute(self, *args, **kwargs)
        finally:
            redis_calls["time"] += time.perf_counter() - t
            redis_calls["count"] += 1
            redis_calls["commands"][args[0]] = redis_calls["commands"].get(args[0], 0) + 1

    batch = items[:n]
    connection.is_usable = counted_usable
    redis.Redis.execute_command = counted_execute
    try:
        with connection.execute_wrapper(wrapper):
            t0 = time.perf_counter()
            for item in batch:
                inproc.handler_one(item)
            wall = time.perf_counter() - t0
    finally:
        connection.is_usable = original_usable
        redis.Redis.execute_command = original_execute
    print(
        f"\n### One look-up through the Django handler (in-process, sequential, {n} look-ups, "
        f"{sum(1 for i in batch if i[2] == 404)} unknown)"
    )
    print(
        common.md_table(
            ["part", "calls per look-up", "ms per look-up", "share of wall"],
            [
                [
                    "ORM SQL statements (execute_wrapper)",
                    f"{sql['count'] / n:.2f}",
                    f"{sql['time'] / n * 1000:.3f}",
                    f"{sql['time'] / wall:.0%}",
                ],
                [
                    "connection health checks (SELECT 1; the test client skips them, gunicorn: 1 per request)",
                    f"{health['count'] / n:.2f}",
                    f"{health['time'] / n * 1000:.3f}",
                    f"{health['time'] / wall:.0%}",
                ],
                [
                    "Redis commands ("
                    + ", ".join(f"{k} {v / n:.2f}" for k, v in sorted(redis_calls["commands"].items()))
                    + ")",
                    f"{redis_calls['count'] / n:.2f}",
                    f"{redis_calls['time'] / n * 1000:.3f}",
                    f"{redis_calls['time'] / wall:.0%}",
                ],
                [
                    "everything else (Django, DRF, middleware, serializer, JSON)",
                    "",
                    f"{(wall - sql['time'] - health['time'] - redis_calls['time']) / n * 1000:.3f}",
                    f"{(wall - sql['time'] - health['time'] - redis_calls['time']) / wall:.0%}",
                ],
                ["total", "", f"{wall / n * 1000:.3f}", "100%"],
            ],
        )
    )

    prof = cProfile.Profile()
    batch = items[n : 2 * n]
    prof.enable()
    for item in batch:
        inproc.handler_one(item)
    prof.disable()
    stats = pstats.Stats(prof).stats
    root = str(common.PROJECT_DIR)
    rows = []
    for (filename, line, name), (_cc, ncalls, tottime, cumtime, _callers) in stats.items():
        if filename.startswith(root) and "/.venv/" not in filename and "/bench/" not in filename:
            rows.append((cumtime, ncalls, tottime, f"{os.path.relpath(filename, root)}:{line} {name}"))
    rows.sort(reverse=True)
    print(
        f"\n### cProfile of the GET through the Django handler ({n} look-ups): project functions by "
        "cumulative time (ms per look-up; cProfile inflates Python-heavy code)"
    )
    print(
        common.md_table(
            ["function", "calls/look-up", "cumulative ms", "own ms"],
            [[r[3], f"{r[1] / n:g}", f"{r[0] / n * 1000:.3f}", f"{r[2] / n * 1000:.3f}"] for r in rows[:16]],
        )
    )
    families = {}
    total_own = 0.0
    for (filename, _line, _name), (_cc, _ncalls, tottime, _cumtime, _callers) in stats.items():
        family = _family(filename, root)
        families[family] = families.get(family, 0.0) + tottime
        total_own += tottime
    print("\nown time by package (ms per look-up)")
    print(
        common.md_table(
            ["package", "own ms", "share"],
            [
                [f, f"{t / n * 1000:.3f}", f"{t / total_own:.0%}"]
                for f, t in sorted(families.items(), key=lambda kv: -kv[1])[:12]
            ],
        )
    )


def what_would_help(items, n):
    """In-process, sequential: the selector, the throttle and the response body as they are, next to
    other ways to do the same (context for the findings; the app is not changed)."""
    from django.core.cache import caches
    from django.db import connection
    from django.test import RequestFactory

    from shared_apps.tracking import api
    from shared_apps.tracking.models import DossierIndex, IndexEvent
    from shared_apps.tracking.selectors import dossier_lookup
    from shared_apps.tracking.throttle import throttle_exceeded

    columns = (
        "id",
        "code",
        "procedure_name",
        "national_status",
        "received_at",
        "due_at",
        "finished_at",
        "returned_at",
        "applicant_name",
        "applicant_phone_tail",
        "applicant_id_tail",
        "owner_user_id",
        "agency",
        "agency__name",
    )
    one_sql = (
        "SELECT i.id, i.code, i.procedure_name, i.national_status, i.received_at, i.due_at, i.finished_at, "
        "i.returned_at, i.applicant_name, i.applicant_phone_tail, i.applicant_id_tail, i.owner_user_id, a.name, "
        "(SELECT coalesce(json_agg(json_build_array(e.at, e.action, e.agency_name, e.national_status) "
        "ORDER BY e.at, e.id), '[]') FROM tracking_indexevent e WHERE e.entry_id = i.id) "
        "FROM tracking_dossierindex i JOIN tenants_agency a ON a.id = i.agency_id WHERE i.code = %s"
    )

    def as_is(item):
        return dossier_lookup(code=item[1])

    def with_get(item):
        try:
            entry = DossierIndex.objects.select_related("agency").get(code=item[1])
        except DossierIndex.DoesNotExist:
            return None
        return entry, list(entry.events.order_by("at", "id"))

    def with_only(item):
        rows = list(DossierIndex.objects.select_related("agency").only(*columns).filter(code=item[1])[:1])
        if not rows:
            return None
        return rows[0], list(
            IndexEvent.objects.filter(entry_id=rows[0].pk)
            .order_by("at", "id")
            .values_list("at", "action", "agency_name", "national_status")
        )

    def one_statement(item):
        with connection.cursor() as cur:
            cur.execute(one_sql, [item[1]])
            return cur.fetchone()

    request = RequestFactory().get("/api/v1/lookup/x/")
    redis_client = caches["shared"]._cache.get_client(None, write=True)

    def throttle_as_is(_item):
        return throttle_exceeded(scope="lookup-whatif", request=request, limit=10**9)

    def throttle_pipelined(_item):
        pipe = redis_client.pipeline(transaction=False)
        pipe.incr("city:throttle:lookup-whatif-pipe:127.0.0.1")
        pipe.expire("city:throttle:lookup-whatif-pipe:127.0.0.1", 60, nx=True)
        return pipe.execute()[0] > 10**9

    known = next(i for i in items if i[2] == 200)
    result = dossier_lookup(code=known[1])
    e = result.entry

    def body_serializer(_item):
        return api.LookupSerializer(
            {
                "code": e.code,
                "procedure": e.procedure_name,
                "agency": e.agency.name,
                "national_status": e.national_status,
                "status": result.status_label,
                "received_at": e.received_at,
                "due_at": e.due_at,
                "finished_at": e.finished_at,
                "returned_at": e.returned_at,
                "verified": result.verified,
                "applicant_name": e.applicant_name if result.verified else None,
                "timeline": result.events,
            }
        ).data

    def iso(value):
        return value.isoformat() if value is not None else None

    def body_plain(_item):
        return {
            "code": e.code,
            "procedure": e.procedure_name,
            "agency": e.agency.name,
            "national_status": e.national_status,
            "status": result.status_label,
            "received_at": iso(e.received_at),
            "due_at": iso(e.due_at),
            "finished_at": iso(e.finished_at),
            "returned_at": iso(e.returned_at),
            "verified": result.verified,
            "applicant_name": e.applicant_name if result.verified else None,
            "timeline": [dict(ev, at=iso(ev["at"])) for ev in result.events],
        }

    groups = [
        (
            "look-up (selector)",
            [
                (
                    "dossier_lookup() now: ONE prepared statement (row + agency + timeline arrays), server-side binding",
                    as_is,
                ),
                (".get(code=) instead of .filter().first() (no ORDER BY id on a unique key)", with_get),
                (".only() the columns the API shows, [:1], timeline as values_list()", with_only),
                (
                    "ONE statement via connection.cursor() (client-side binding, planned every time): row + agency "
                    "name + json_agg timeline",
                    one_statement,
                ),
            ],
        ),
        (
            "throttle",
            [
                ("throttle_exceeded() now (INCR + EXPIRE NX pipelined: 1 round trip)", throttle_as_is),
                ("INCR + EXPIRE NX in one pipeline, inlined (1 round trip)", throttle_pipelined),
            ],
        ),
        (
            "per request",
            [
                (
                    "connection health check: connection.is_usable() = SELECT 1 (CONN_HEALTH_CHECKS; once per request "
                    "under gunicorn, skipped by the test client)",
                    lambda _item: connection.is_usable(),
                )
            ],
        ),
        (
            "response body",
            [
                (
                    "LookupSerializer(...).data as api.py builds it (DRF, nested TimelineSerializer)",
                    body_serializer,
                ),
                ("the same dict built by hand", body_plain),
            ],
        ),
    ]
    rows = []
    offset = 0
    for group, variants in groups:
        base = None
        for label, fn in variants:
            if group == "look-up (selector)":
                batch = items[offset : offset + n]
                offset += n
            else:
                batch = items[:n]
            for item in batch[:20]:
                fn(item)
            cpu0, t0 = time.process_time(), time.perf_counter()
            for item in batch:
                fn(item)
            wall_ms = (time.perf_counter() - t0) / len(batch) * 1000
            cpu_ms = (time.process_time() - cpu0) / len(batch) * 1000
            base = base or wall_ms
            rows.append([group, label, f"{wall_ms:.3f}", f"{cpu_ms:.3f}", f"{wall_ms / base:.2f}"])
    print(
        f"\n### What would help (in-process, sequential, {n} calls each, fresh codes for each look-up variant)"
    )
    print(
        common.md_table(
            ["part", "variant", "wall ms/call", "CPU ms/call (this process)", "× first of its part"], rows
        )
    )


def _family(filename, root):
    if "/site-packages/" in filename:
        parts = filename.split("/site-packages/", 1)[1].split("/")
        if parts[0] == "django" and len(parts) > 2 and parts[1] == "db":
            return "django.db (ORM + backend)"
        if parts[0] == "django":
            return f"django.{parts[1]}" if len(parts) > 2 else "django"
        return parts[0]
    if filename.startswith(root):
        return "project: " + "/".join(os.path.relpath(filename, root).split("/")[:2])
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins (C calls: socket I/O, ...)"
    return "python stdlib"


# --- main -----------------------------------------------------------------------------------------
def main():
    global DB
    parser = argparse.ArgumentParser()
    parser.add_argument("--agencies", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--events-per-row", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20000, help="HTTP look-ups per round")
    parser.add_argument("--clients", type=int, default=8, help="client keep-alive connections (threads)")
    parser.add_argument(
        "--server",
        choices=("granian", "gunicorn"),
        default="granian" if Path(common.PYTHON).with_name("granian").exists() else "gunicorn",
        help="WSGI server (deploy/compose.yaml runs granian; default when the venv has it, else gunicorn)",
    )
    parser.add_argument(
        "--load-client",
        choices=("wrk", "python"),
        default="wrk" if shutil.which("wrk") else "python",
        help="saturated rounds: wrk (Debian package wrk; default when installed) or the Python client",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="server worker processes (default: granian 4, gunicorn 2)"
    )
    parser.add_argument(
        "--server-threads",
        type=int,
        default=None,
        help="threads per worker (default: granian 1 blocking thread, gunicorn 4 gthread threads)",
    )
    parser.add_argument("--raw", type=int, default=20000, help="raw SQL look-ups per round (each raw method)")
    parser.add_argument("--inproc", type=int, default=2000, help="selector and handler look-ups per round")
    parser.add_argument("--unknown", type=float, default=0.10, help="share of codes that do not exist")
    parser.add_argument("--paced-rate", type=float, default=1000.0)
    parser.add_argument("--paced-requests", type=int, default=20000)
    parser.add_argument("--single", type=int, default=2000, help="HTTP look-ups on one connection")
    parser.add_argument("--warmup", type=int, default=1000)
    parser.add_argument(
        "--round-seconds",
        type=float,
        default=20.0,
        help="cap each round's count at about this many seconds of the warm-up rate",
    )
    parser.add_argument("--profile-calls", type=int, default=500)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="reuse the database if it holds the bench data")
    parser.add_argument("--keep", action="store_true", help="do not drop the scratch database at the end")
    parser.add_argument(
        "--db",
        default=None,
        help=f"scratch database name (default {DB}, with --quick {DB}{common.QUICK_SUFFIX}); give each "
        "engineer's run its own on a shared server",
    )
    parser.add_argument(
        "--seed-only",
        action="store_true",
        help="create and seed the database (implies --keep), then stop: later runs use --reuse",
    )
    parser.add_argument("--client", help="internal: run the HTTP load client from this spec file")
    common.add_quick_argument(parser)
    args = parser.parse_args()
    if args.quick:
        args.agencies, args.rows, args.rounds, args.requests, args.clients = 10, 20_000, 1, 500, 2
        args.raw, args.inproc, args.paced_rate, args.paced_requests, args.single = 300, 100, 200.0, 200, 50
        args.warmup, args.round_seconds, args.profile_calls = 100, 2.0, 20
        args.workers = args.workers or 1
    DB = args.db or common.scratch_name(DB, args.quick)
    args.keep = args.keep or args.seed_only
    # the best of each measured on this machine (bench/RESULTS.md §6): granian's Rust side queues the
    # connections, so one Python thread per worker avoids GIL hand-offs; gunicorn needs its threads
    if args.workers is None:
        args.workers = 4 if args.server == "granian" else 2
    if args.server_threads is None:
        args.server_threads = 1 if args.server == "granian" else 4

    if args.client:
        print(json.dumps(run_client(json.loads(Path(args.client).read_text()))))
        return

    common.header("bench/lookup.py — city-wide look-up by code: HTTP vs raw SQL", "bench.lookup")
    wall = time.perf_counter()
    reused = args.reuse and bench_data_present(args)
    data_dir, usage, need = disk_check(args)
    print(
        f"disk: {usage.free / 1024**3:.0f} GiB free of {usage.total / 1024**3:.0f} GiB at {data_dir}; "
        f"the seed needs about {need / 1024**3:.0f} GiB"
        + (" (reusing the database: nothing to load)" if reused else "")
    )
    if not reused and usage.free < need:
        sys.exit(f"not enough disk space for --rows {args.rows} (need about {need / 1024**3:.0f} GiB)")
    sys.stdout.flush()

    db_url = common.database_url(DB)
    server = None
    if not reused:
        common.create_database(DB)
    os.environ.update(common.bench_env(DB))
    for budget in LOOKUP_BUDGETS:
        os.environ[budget] = str(10**9)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-lookup-") as tmpdir:
            common.flush_bench_redis()
            common.setup_django()
            import logging

            from django.db import connection

            logging.getLogger("django.request").setLevel(logging.ERROR)  # in-process 404s: not errors here

            if reused:
                print(
                    f"\nset-up: reused database {DB} (--reuse): {args.agencies} bench agencies and {args.rows} index "
                    "rows already there; migrate and seed skipped"
                )
                seed_s = None
            else:
                migrate_s = common.migrate_schemas_in_process()
                connection.close()
                print(
                    f"\nset-up: migrate_schemas {migrate_s:.1f} s; then manage.py seed_bench_index (its output):\n"
                )
                sys.stdout.flush()
                seed_args = [
                    "seed_bench_index",
                    "--agencies",
                    str(args.agencies),
                    "--rows",
                    str(args.rows),
                    "--events-per-row",
                    str(args.events_per_row),
                    "--seed",
                    str(args.seed),
                ]
                seed_s, _proc = common.manage(seed_args, DB, capture=False)
                print(f"\nseed: `manage.py {' '.join(seed_args)}` took {seed_s:.1f} s wall (load time)")
            if args.seed_only:
                connection.close()
                print(f"--seed-only: database {DB} seeded and kept; run again with --reuse --db {DB}")
                return
            rel_sizes, counts = sizes(db_url)
            n_agencies, n_rows, n_codes, n_events = counts
            print(
                f"data: {n_agencies} agencies (no schemas), {n_rows} index rows ({n_codes} with a code), "
                f"~{n_events} index events"
            )
            print(
                common.md_table(
                    ["relation", "kind", "size MiB", "rows (estimate)"],
                    [
                        [
                            name,
                            "table" if kind == "r" else "index",
                            f"{size / 1024**2:.0f}",
                            f"{tuples if kind == 'r' else ''}",
                        ]
                        for name, kind, size, tuples in rel_sizes
                    ],
                )
            )
            with connection.cursor() as cur:
                pg = {}
                for k in ("shared_buffers", "effective_cache_size", "random_page_cost", "work_mem", "jit"):
                    cur.execute(f"SHOW {k}")
                    pg[k] = cur.fetchone()[0]
            print("postgres: " + ", ".join(f"{k}={v}" for k, v in pg.items()))
            sys.stdout.flush()

            t = time.perf_counter()
            total = codes_needed(args)
            n_unknown = int(total * args.unknown * 1.2) + 100
            known, unknown = sample_items(db_url, total, n_unknown, args.seed)
            pool = CodePool(known, unknown, args.unknown, args.seed)
            print(
                f"codes: {len(known)} random existing codes + {len(unknown)} unknown ones sampled in "
                f"{time.perf_counter() - t:.1f} s; every look-up of the run uses a fresh code"
            )

            # The two statements the ORM sends, reused verbatim by the raw SQL methods.
            sample = pool.take(1)[0]
            while sample[2] != 200:
                sample = pool.take(1)[0]
            statements = captured_sql(sample[1])
            if len(statements) != 2:
                raise RuntimeError(
                    f"dossier_lookup sent {len(statements)} statements, expected 2: {statements}"
                )
            (index_sql, index_params), (events_sql, events_params) = statements
            raw = Raw(db_url, index_sql, events_sql)
            raw_conn = raw.connect()
            raw_conns = [raw.connect() for _ in range(args.clients)]
            inproc = InProcess()
            warm_rate = {
                "raw-1": raw.timed([raw_conn], pool.take(500))["rate"],
                "raw-N": raw.timed(raw_conns, pool.take(500))["rate"],
                "selector": inproc.timed(inproc.selector_one, pool.take(200))["rate"],
                "handler": inproc.timed(inproc.handler_one, pool.take(200))["rate"],
                "fastpath": inproc.timed(inproc.fastpath_one, pool.take(200))["rate"],
            }

            try:
                server = Server(args.workers, args.server_threads, tmpdir, kind=args.server)
                server.wait_ready()

                def saturated(items, rate=None):
                    if (
                        args.load_client == "wrk"
                    ):  # about the time `items` take at `rate` (wrk runs for a duration)
                        return wrk_round(
                            server, items, args.clients, tmpdir, seconds=len(items) / (rate or 1000) * 0.9
                        )
                    return http_round(server, items, args.clients, tmpdir)

                warm = saturated(pool.take(args.warmup), 500)
                warm_rate["http"] = warm["rate"]
                warm_rate["floor"] = saturated(floor_items(500), 500)["rate"]
                spot_check(server, pool.take(50))
                print(f"server: {server.describe()}")
                if args.load_client == "wrk":
                    print(
                        f"client (saturated rounds): wrk -t 2 -c {args.clients}, each path once, statuses counted "
                        f"in Lua, 50 bodies spot-checked; warm-up {args.warmup} look-ups at {warm['rate']:.0f}/s "
                        "(not counted). Paced and single-connection rounds: the Python client (checks every body)"
                    )
                else:
                    print(
                        f"client: separate process, {args.clients} keep-alive connections (http.client, one thread "
                        f"each); warm-up {args.warmup} look-ups at {warm['rate']:.0f}/s (not counted)"
                    )
                secs = args.round_seconds
                count = {
                    "http": capped(args.requests, warm_rate["http"], secs, 2000),
                    "floor": capped(args.requests, warm_rate["floor"], secs / 2, 2000),
                    "raw-1": capped(args.raw, warm_rate["raw-1"], secs, 2000),
                    "raw-N": capped(args.raw, warm_rate["raw-N"], secs, 2000),
                    "selector": capped(args.inproc, warm_rate["selector"], secs / 2, 300),
                    "handler": capped(args.inproc, warm_rate["handler"], secs / 2, 300),
                    "fastpath": capped(args.inproc, warm_rate["fastpath"], secs / 2, 300),
                }
                asked = {
                    "http": args.requests,
                    "floor": args.requests,
                    "raw-1": args.raw,
                    "raw-N": args.raw,
                    "selector": args.inproc,
                    "handler": args.inproc,
                    "fastpath": args.inproc,
                }
                capped_note = [f"{m} {count[m]} (asked {asked[m]})" for m in count if count[m] < asked[m]]
                if capped_note:
                    print(
                        f"counts per round capped to about {secs:.0f} s of the warm-up rate (--round-seconds): "
                        + ", ".join(capped_note)
                    )
                sys.stdout.flush()

                methods = ["http", "floor", "raw-1", "raw-N", "selector", "handler", "fastpath"]
                results = {m: [] for m in methods}
                for r in range(args.rounds):
                    order = methods[r % len(methods) :] + methods[: r % len(methods)]
                    for m in order:
                        if m == "http":
                            res = saturated(pool.take(count[m]), warm_rate[m])
                        elif m == "floor":
                            res = saturated(floor_items(count[m]), warm_rate[m])
                        elif m == "raw-1":
                            res = raw.timed([raw_conn], pool.take(count[m]))
                        elif m == "raw-N":
                            res = raw.timed(raw_conns, pool.take(count[m]))
                        elif m == "selector":
                            res = inproc.timed(inproc.selector_one, pool.take(count[m]))
                        elif m == "handler":
                            res = inproc.timed(inproc.handler_one, pool.take(count[m]))
                        else:
                            res = inproc.timed(inproc.fastpath_one, pool.take(count[m]))
                        results[m].append(res)
                    print(
                        f"round {r + 1}/{args.rounds}: "
                        + ", ".join(f"{m} {results[m][-1]['rate']:.0f}/s" for m in methods)
                        + f"  (loadavg {os.getloadavg()[0]:.2f})"
                    )
                    sys.stdout.flush()
                med_http = statistics.median(x["rate"] for x in results["http"])
                n_paced = capped(args.paced_requests, min(args.paced_rate, med_http), secs, 1000)
                paced = http_round(server, pool.take(n_paced), args.clients, tmpdir, rate=args.paced_rate)
                print(
                    f"paced: {n_paced} look-ups due at {args.paced_rate:.0f}/s (over "
                    f"{n_paced / args.paced_rate:.0f} s), achieved {paced['rate']:.0f}/s"
                )
                probe = http_round(server, pool.take(200), 1, tmpdir)
                n_single = capped(args.single, probe["rate"], secs, 300)
                single = http_round(server, pool.take(n_single), 1, tmpdir)
                print(f"single connection: {n_single} look-ups at {single['rate']:.0f}/s")
                time.sleep(1.0)
                attach_server_times(server, [*results["http"], paced, single])
            finally:
                if server is not None:
                    server.stop()
                raw_conn.close()
                for c in raw_conns:
                    c.close()

            report(args, results, paced, single, seed_s, reused, count)

            fresh = pool.take(1)[0]
            while fresh[2] != 200:
                fresh = pool.take(1)[0]
            print(
                "\n## EXPLAIN (ANALYZE, BUFFERS) of the two statements, one fresh existing code "
                f"({fresh[1]}; first execution, then the same again)"
            )
            statements = captured_sql(fresh[1])
            for (sql, params), label in zip(
                statements, ("index row + agency", "public timeline"), strict=True
            ):
                print(f"\n{label}: `{sql[:160]}{' …' if len(sql) > 160 else ''}` params {list(params)}")
                first = explain(sql, params)
                again = explain(sql, params)
                print("```\n" + "\n".join(first) + "\n```")
                print(
                    "again: "
                    + "; ".join(line.strip() for line in again if "Time" in line or "Buffers" in line[:20])
                )
            unknown_item = next(i for i in pool.take(200) if i[2] == 404)
            lines = explain(index_sql, [unknown_item[1]])
            print(f"\nunknown code {unknown_item[1]} (first statement only; no second one):")
            print("```\n" + "\n".join(lines) + "\n```")

            if not args.no_profile:
                print("\n## Where the time of one look-up goes")
                profile_lookup(inproc, pool.take(2 * args.profile_calls), args.profile_calls)
                what_would_help(pool.take(4 * args.profile_calls), args.profile_calls)
            connection.close()
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001
            pass
        if not args.keep:
            common.drop_database(DB)
    print(
        f"\nwall time: {time.perf_counter() - wall:.1f} s (server stopped; scratch database {DB} "
        f"{'kept (--keep)' if args.keep else 'dropped'})"
    )


def report(args, results, paced, single, seed_s, reused, count):
    label = {
        "http": f"HTTP GET /api/v1/lookup/<code>/ ({args.server} {args.workers} workers × {args.server_threads} "
        f"threads, {args.clients} client connections, {args.load_client})",
        "floor": "floor: GET /healthz/ on the same server and connections (middleware + JsonResponse, no SQL, "
        "no Redis)",
        "raw-1": "raw SQL, the 2 SELECTs, 1 connection (sequential)",
        "raw-N": f"raw SQL, the 2 SELECTs, {args.clients} connections (threads)",
        "selector": "dossier_lookup() in-process (sequential)",
        "handler": "GET through the Django handler in-process (sequential; full stack, no fast path)",
        "fastpath": "GET through config.wsgi's fast path in-process (sequential WSGI calls)",
    }
    methods = list(results)
    med = {m: statistics.median(x["rate"] for x in results[m]) for m in methods}
    print(
        f"\n## Results: {args.rounds} rounds; per round "
        + ", ".join(f"{m} {count[m]}" for m in methods)
        + f" look-ups (requests for floor); ~{args.unknown:.0%} unknown codes (404)"
    )
    rows = []
    for m in methods:
        rates = [x["rate"] for x in results[m]]
        rows.append(
            [
                label[m],
                f"{med[m]:.0f}",
                f"{min(rates):.0f}",
                f"{max(rates):.0f}",
                f"{1000 / med[m]:.3f}",
                f"{statistics.median(x['app_cpu_ms'] for x in results[m]):.3f}",
                f"{statistics.median(x['pg_cpu_ms'] for x in results[m]):.3f}",
            ]
        )
    print(
        common.md_table(
            [
                "method",
                "median look-ups/s",
                "min",
                "max",
                "ms/look-up (1/median)",
                "app CPU ms/look-up",
                "postgres CPU ms/look-up (host-wide)",
            ],
            rows,
        )
    )
    shares = [x["client_cpu_share"] for x in results["http"] if x["client_cpu_share"] is not None]
    print(
        f"app CPU: the {args.server} processes for http, this process otherwise (raw includes psycopg + Python). "
        + (
            f"HTTP client CPU share (median): {statistics.median(shares):.2f} of a core."
            if shares
            else "HTTP client: wrk (its CPU not counted in app CPU)."
        )
    )

    http_lat = [x for res in results["http"] for x in res["latencies"]]
    http_srv = [x for res in results["http"] for x in res["server_us"]]
    print(
        "\n## Latency (ms): client side (send → full response) and server side (the server's access log: gunicorn %(D)s, granian dt_ms; inside the worker)"
    )
    headers = [
        "load",
        "n",
        "client p50",
        "client p95",
        "client p99",
        "client max",
        "server p50",
        "server p95",
        "server p99",
        "server max",
        "note",
    ]
    saturated_label = f"saturated: {args.clients} connections, closed loop ({args.rounds} rounds)"
    if http_lat:
        saturated_row = lat_row(saturated_label, http_lat, http_srv, f"{med['http']:.0f}/s")
    else:  # wrk: its percentiles per round, median over the rounds
        pct = {
            k: statistics.median(x["latency_pct"][k] for x in results["http"])
            for k in ("p50", "p95", "p99", "max")
        }
        saturated_row = [
            saturated_label + " (wrk percentiles, median of rounds)",
            f"{len(http_srv)}",
            *(f"{pct[k] * 1000:.2f}" for k in ("p50", "p95", "p99")),
            f"{pct['max'] * 1000:.1f}",
            f"{us_ms(http_srv, 50):.2f}",
            f"{us_ms(http_srv, 95):.2f}",
            f"{us_ms(http_srv, 99):.2f}",
            f"{max(http_srv) / 1000:.1f}",
            f"{med['http']:.0f}/s",
        ]
    rows = [
        saturated_row,
        lat_row(
            f"paced {args.paced_rate:.0f}/s, {args.clients} connections (client from the due time)",
            paced["latencies"],
            paced["server_us"],
            f"{paced['rate']:.0f}/s achieved",
        ),
        lat_row("paced, client from sending", paced["service"], None, ""),
        lat_row(
            "1 connection, no queueing", single["latencies"], single["server_us"], f"{single['rate']:.0f}/s"
        ),
    ]
    for m in ("floor", "raw-1", "raw-N", "selector", "handler", "fastpath"):
        lat = [x for res in results[m] for x in res["latencies"]]
        if lat:
            rows.append(lat_row(label[m], lat, None, f"{med[m]:.0f}/s"))
    print(common.md_table(headers, rows))
    per_round_p99 = [us_ms(res["server_us"], 99) for res in results["http"]]
    print(
        f"server p99 per saturated round: {', '.join(f'{x:.2f}' for x in per_round_p99)} ms (median "
        f"{statistics.median(per_round_p99):.2f})"
    )
    srv200 = [x for res in [*results["http"], paced, single] for x in res["server_us_200"]]
    srv404 = [x for res in [*results["http"], paced, single] for x in res["server_us_404"]]
    print(
        common.md_table(
            ["server side by answer (all HTTP rounds)", "n", "p50 ms", "p95 ms", "p99 ms"],
            [
                [
                    "200 found",
                    len(srv200),
                    f"{us_ms(srv200, 50):.2f}",
                    f"{us_ms(srv200, 95):.2f}",
                    f"{us_ms(srv200, 99):.2f}",
                ],
                [
                    "404 unknown code",
                    len(srv404),
                    f"{us_ms(srv404, 50):.2f}",
                    f"{us_ms(srv404, 95):.2f}",
                    f"{us_ms(srv404, 99):.2f}",
                ],
            ],
        )
    )

    print("\n## Ratios")
    raw_best = max(med["raw-1"], med["raw-N"])
    print(
        common.md_table(
            ["ratio", "value"],
            [
                ["http / raw (faster of raw-1, raw-N)", f"{med['http'] / raw_best:.3f}"],
                [
                    "http / floor (a Django request that does nothing on the same server)",
                    f"{med['http'] / med['floor']:.3f}",
                ],
                ["selector / raw-1 (ORM vs raw, both sequential)", f"{med['selector'] / med['raw-1']:.3f}"],
                [
                    "handler / selector (request, middleware, throttle, DRF on top)",
                    f"{med['handler'] / med['selector']:.3f}",
                ],
                [
                    "fastpath / handler (the fast path vs the full stack, in-process, sequential)",
                    f"{med['fastpath'] / med['handler']:.3f}",
                ],
            ],
        )
    )

    paced_p99 = us_ms(paced["server_us"], 99)
    sat_p99 = us_ms(http_srv, 99)
    print("\n## Targets")
    print(
        common.md_table(
            ["target", "measured", "verdict"],
            [
                [
                    "≥ 1,000 look-ups/s through HTTP (median of the saturated rounds)",
                    f"{med['http']:.0f}/s",
                    "met" if med["http"] >= 1000 else "MISSED",
                ],
                [
                    f"p99 server-side ≤ 5 ms at the target load (paced {args.paced_rate:.0f}/s)",
                    f"{paced_p99:.2f} ms (achieved {paced['rate']:.0f}/s)",
                    "met" if paced_p99 <= 5 and paced["rate"] >= 0.98 * args.paced_rate else "MISSED",
                ],
                [
                    "p99 server-side ≤ 5 ms under saturation (context: every core busy)",
                    f"{sat_p99:.2f} ms",
                    "met" if sat_p99 <= 5 else "missed",
                ],
                [
                    "p99 server-side ≤ 5 ms on 1 connection (no queueing: the best any server tuning can reach)",
                    f"{us_ms(single['server_us'], 99):.2f} ms (p50 {us_ms(single['server_us'], 50):.2f})",
                    "met" if us_ms(single["server_us"], 99) <= 5 else "missed",
                ],
            ],
        )
    )
    if seed_s is not None:
        print(f"load: {args.rows} rows seeded in {seed_s:.1f} s")
    elif reused:
        print("load: database reused (see the run that seeded it for the load time)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
