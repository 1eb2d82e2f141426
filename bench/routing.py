"""Requests per second of the trivial workspace page through tenant routing vs the bypass.

    cd /work/main && .venv/bin/python -m bench.routing [--agencies 150] [--rounds 7] [--requests 2000]
                                                       [--threads 4] [--no-stock]
    cd /work/main && .venv/bin/python -m bench.routing --quick   # 5 agencies, 1 round of 200 (tests/bench)

One scratch db (egov_bench_routing; egov_bench_routing_quick with --quick) with --agencies agencies onboarded by agency_onboard (plus one
Domain row per agency, domain = slug, which only the stock middleware reads). Servers (gunicorn, one
worker process, gthread worker with --threads threads, keep-alive), config.wsgi:application:

  ours   DJANGO_SETTINGS_MODULE=config.settings.bench
         routed  /<slug>/ping/    (AgencyPathMiddleware: directory lookup, lazy schema switch)
         bypass  /_bypass/ping/   (same view, same process, no tenant routing)
  stock  DJANGO_SETTINGS_MODULE=bench.settings_stock (django-tenants TenantSubfolderMiddleware in
         the same middleware slot; see bench/stock_routing.py)
         routed  /t/<slug>/ping/
         bypass  /_bypass/ping/

Both servers run side by side but are loaded one target at a time. Load comes from a separate client
process (stdlib http.client, --threads keep-alive connections, a fixed number of requests per round,
cycling through every agency's slug); the targets are alternated over --rounds rounds with a rotating
order. Reported: median req/s per target, client-side latency, server worker CPU per request (read
from /proc, less sensitive to a noisy machine than req/s) and the routed/bypass ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench import common, servers

DB = "egov_bench_routing"


# --- client (separate process) -------------------------------------------------------------------
def run_client(port, paths, expected, n, threads):
    import http.client
    import itertools
    import threading

    counter = itertools.count()
    latencies = [[] for _ in range(threads)]
    errors = [0] * threads
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(threads)]
    for conn in conns:  # open the keep-alive connections before the clock starts
        conn.request("GET", paths[0])
        conn.getresponse().read()
    barrier = threading.Barrier(threads + 1)
    npaths = len(paths)

    def work(k):
        conn, lat, perf = conns[k], latencies[k], time.perf_counter
        barrier.wait()
        while True:
            i = next(counter)
            if i >= n:
                break
            j = i % npaths
            t = perf()
            conn.request("GET", paths[j])
            response = conn.getresponse()
            body = response.read()
            lat.append(perf() - t)
            if response.status != 200 or body != expected[j]:
                errors[k] += 1

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
    all_lat = [x for lat in latencies for x in lat]
    return {
        "n": n,
        "wall": wall,
        "rps": n / wall,
        "errors": sum(errors),
        "lat_median_ms": statistics.median(all_lat) * 1000,
        "lat_p95_ms": common.percentile(all_lat, 95) * 1000,
        "client_cpu_share": cpu / wall,
    }


# --- in-process handler (no server, no sockets) -------------------------------------------------
def run_inproc(targets, blocks, block_size):
    """Call Django's WSGIHandler directly, alternating blocks of requests between targets; returns
    per target the list of per-block CPU µs/request and wall µs/request."""
    import io

    from django.core.handlers.wsgi import WSGIHandler

    app = WSGIHandler()

    def environ(path):
        return {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1:8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }

    status_box = []

    def start_response(status, headers, exc_info=None):
        status_box.append(status)

    def one_block(paths, expected, n, offset):
        for i in range(offset, offset + n):
            j = i % len(paths)
            body = b"".join(app(environ(paths[j]), start_response))
            if body != expected[j] or not status_box.pop().startswith("200"):
                raise RuntimeError(f"GET {paths[j]} -> {body!r}")

    for paths, expected in targets.values():  # warm every path
        one_block(paths, expected, max(300, 2 * len(paths)), 0)
    out = {name: {"cpu": [], "wall": []} for name in targets}
    names = list(targets)
    offset = 0
    for b in range(blocks):
        order = names if b % 2 == 0 else names[::-1]
        for name in order:
            paths, expected = targets[name]
            c, t = time.process_time(), time.perf_counter()
            one_block(paths, expected, block_size, offset)
            out[name]["cpu"].append((time.process_time() - c) / block_size * 1e6)
            out[name]["wall"].append((time.perf_counter() - t) / block_size * 1e6)
        offset += block_size
    return out


# --- servers -------------------------------------------------------------------------------------
class Server(servers.WsgiServer):
    ready_path = "/_bypass/ping/"

    def __init__(self, name, settings_module, threads, logdir, db):
        self.name = f"{name} server"
        self.port = servers.free_port()
        env = common.bench_env(db)
        env["DJANGO_SETTINGS_MODULE"] = settings_module
        self.start(
            servers.gunicorn_argv(self.port, workers=1, threads=threads),
            env=env,
            log_name=Path(logdir) / f"gunicorn-{name}.log",
        )

    def get(self, path):
        with urllib.request.urlopen(self.url(path), timeout=10) as r:
            return r.status, r.read()


def client_round(server, paths, expected, n, threads, tmpdir):
    spec = Path(tmpdir) / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "port": server.port,
                "paths": paths,
                "expected": [e.decode() for e in expected],
                "n": n,
                "threads": threads,
            }
        )
    )
    cpu0 = server.worker_cpu()
    proc = subprocess.run(
        [common.PYTHON, "-m", "bench.routing", "--client", str(spec)],
        cwd=common.PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    cpu1 = server.worker_cpu()
    if proc.returncode != 0:
        raise RuntimeError(f"client failed:\n{proc.stdout}\n{proc.stderr}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["server_cpu_us_per_req"] = (cpu1 - cpu0) / n * 1e6
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--agencies", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=4, help="client keep-alive connections")
    parser.add_argument("--server-threads", type=int, default=4, help="gunicorn gthread threads")
    parser.add_argument("--no-stock", action="store_true")
    parser.add_argument("--blocks", type=int, default=25, help="in-process: blocks per target")
    parser.add_argument("--block-size", type=int, default=200, help="in-process: requests per block")
    parser.add_argument(
        "--warmup", type=int, default=600, help="warm-up requests per target (at least 2 per path)"
    )
    common.add_quick_argument(parser)
    parser.add_argument("--client", help="internal: run the load client from this spec file")
    parser.add_argument("--inproc", help="internal: run the in-process handler loop from this spec file")
    args = parser.parse_args()
    if args.quick:
        args.agencies, args.rounds, args.requests, args.blocks, args.block_size, args.warmup = (
            5,
            1,
            200,
            2,
            50,
            50,
        )
    db = common.scratch_name(DB, args.quick)

    if args.inproc:
        spec = json.loads(Path(args.inproc).read_text())
        common.setup_django(os.environ["DJANGO_SETTINGS_MODULE"])  # bench or settings_stock, from the parent
        targets = {k: (v[0], [e.encode() for e in v[1]]) for k, v in spec["targets"].items()}
        print(json.dumps(run_inproc(targets, spec["blocks"], spec["block_size"])))
        return
    if args.client:
        spec = json.loads(Path(args.client).read_text())
        expected = [e.encode() for e in spec["expected"]]
        print(json.dumps(run_client(spec["port"], spec["paths"], expected, spec["n"], spec["threads"])))
        return

    common.header("bench/routing.py — workspace ping through tenant routing vs bypass", "bench.routing")
    wall = time.perf_counter()
    servers = []
    with common.scratch_database(db), tempfile.TemporaryDirectory(prefix="bench-routing-") as tmpdir:
        common.flush_bench_redis()
        common.setup_django()
        common.migrate_schemas_in_process()
        from django.db import connection

        from tenants.models import Domain
        from tenants.services import agency_onboard

        slugs = []
        for i in range(1, args.agencies + 1):
            ident = common.synthetic_agency(i)
            connection.set_schema_to_public()
            agency = agency_onboard(acting_user=None, **ident)
            Domain.objects.create(domain=agency.slug, tenant=agency, is_primary=True)
            slugs.append(agency.slug)
        connection.close()
        print(f"\n{len(slugs)} agencies onboarded (+1 Domain row each for the stock middleware)")

        try:
            ours = Server("ours", "config.settings.bench", args.server_threads, tmpdir, db)
            servers.append(ours)
            stock = None
            if not args.no_stock:
                stock = Server("stock", "bench.settings_stock", args.server_threads, tmpdir, db)
                servers.append(stock)
            for s in servers:
                s.wait_ready()

            targets = {
                "ours-routed": (ours, [f"/{s}/ping/" for s in slugs], [f"ok {s}\n".encode() for s in slugs]),
                "ours-bypass": (ours, ["/_bypass/ping/"], [b"ok -\n"]),
            }
            if stock is not None:
                targets["stock-routed"] = (
                    stock,
                    [f"/t/{s}/ping/" for s in slugs],
                    [f"ok {s}\n".encode() for s in slugs],
                )
                targets["stock-bypass"] = (stock, ["/_bypass/ping/"], [b"ok -\n"])

            # Check every route answers what it should, then warm every path once.
            for name, (server, paths, expected) in targets.items():
                for path, body in zip(paths, expected, strict=True):
                    status, got = server.get(path)
                    if status != 200 or got != body:
                        raise RuntimeError(f"{name}: GET {path} -> {status} {got!r}, expected {body!r}")
            for server, paths, expected in targets.values():
                client_round(server, paths, expected, max(args.warmup, 2 * len(paths)), args.threads, tmpdir)

            names = list(targets)
            results = {name: [] for name in names}
            for r in range(args.rounds):
                order = names[r % len(names) :] + names[: r % len(names)]
                for name in order:
                    server, paths, expected = targets[name]
                    res = client_round(server, paths, expected, args.requests, args.threads, tmpdir)
                    if res["errors"]:
                        raise RuntimeError(f"{name}: {res['errors']} bad responses in round {r}")
                    results[name].append(res)
                print(
                    f"round {r + 1}/{args.rounds}: "
                    + ", ".join(f"{n} {results[n][-1]['rps']:.0f}/s" for n in names)
                )
                sys.stdout.flush()
        finally:
            for s in servers:
                s.stop()

        # Handler level: the same URLs through Django's WSGIHandler called in-process (no server).
        inproc = {}
        groups = [("ours", "config.settings.bench", ("ours-routed", "ours-bypass"))]
        if not args.no_stock:
            groups.append(("stock", "bench.settings_stock", ("stock-routed", "stock-bypass")))
        for label, settings_module, names_ in groups:
            spec = Path(tmpdir) / f"inproc-{label}.json"
            spec.write_text(
                json.dumps(
                    {
                        "blocks": args.blocks,
                        "block_size": args.block_size,
                        "targets": {n: (targets[n][1], [e.decode() for e in targets[n][2]]) for n in names_},
                    }
                )
            )
            env = common.bench_env(db)
            env["DJANGO_SETTINGS_MODULE"] = settings_module
            proc = subprocess.run(
                [common.PYTHON, "-m", "bench.routing", "--inproc", str(spec)],
                cwd=common.PROJECT_DIR,
                env=env,
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                raise RuntimeError(f"in-process {label} failed:\n{proc.stdout}\n{proc.stderr}")
            inproc.update(json.loads(proc.stdout.strip().splitlines()[-1]))

    print(
        f"\n## Results: {args.rounds} rounds × {args.requests} requests per target, "
        f"{args.threads} client threads (keep-alive), gunicorn 1 worker gthread × {args.server_threads}"
    )
    rows = []
    med = {}
    for name in names:
        rs = results[name]
        rps = [x["rps"] for x in rs]
        med[name] = {
            "rps": statistics.median(rps),
            "cpu": statistics.median(x["server_cpu_us_per_req"] for x in rs),
        }
        rows.append(
            [
                name,
                f"{statistics.median(rps):.0f}",
                f"{min(rps):.0f}",
                f"{max(rps):.0f}",
                f"{statistics.median(x['lat_median_ms'] for x in rs):.2f}",
                f"{statistics.median(x['lat_p95_ms'] for x in rs):.2f}",
                f"{med[name]['cpu']:.0f}",
                f"{statistics.median(x['client_cpu_share'] for x in rs):.2f}",
            ]
        )
    print(
        common.md_table(
            [
                "target",
                "median req/s",
                "min req/s",
                "max req/s",
                "latency median ms",
                "latency p95 ms",
                "server CPU µs/req",
                "client CPU share",
            ],
            rows,
        )
    )

    def ratios(routed, bypass):
        per_round = [a["rps"] / b["rps"] for a, b in zip(results[routed], results[bypass], strict=True)]
        return (
            med[routed]["rps"] / med[bypass]["rps"],
            statistics.median(per_round),
            common.percentile(per_round, 5),
            med[bypass]["cpu"] / med[routed]["cpu"],
        )

    print("\n## Ratios routed / bypass")
    rows = []
    for label, routed, bypass in (
        ("ours", "ours-routed", "ours-bypass"),
        ("stock", "stock-routed", "stock-bypass"),
    ):
        if routed not in results:
            continue
        of_medians, median_round, worst, cpu_ratio = ratios(routed, bypass)
        rows.append([label, f"{of_medians:.2f}", f"{median_round:.2f}", f"{worst:.2f}", f"{cpu_ratio:.2f}"])
    print(
        common.md_table(
            [
                "routing",
                "ratio of median req/s",
                "median of per-round ratios",
                "worst round ratio",
                "CPU-based ratio (bypass µs / routed µs)",
            ],
            rows,
        )
    )

    print(
        f"\n## Handler level (WSGIHandler called in-process, no server): {args.blocks} alternating blocks "
        f"× {args.block_size} requests per target"
    )
    rows = []
    for name in names:
        cpu, wall_us = inproc[name]["cpu"], inproc[name]["wall"]
        rows.append(
            [
                name,
                f"{statistics.median(cpu):.0f}",
                f"{common.percentile(cpu, 95):.0f}",
                f"{statistics.median(wall_us):.0f}",
                f"{1e6 / statistics.median(cpu):.0f}",
            ]
        )
    print(
        common.md_table(
            [
                "target",
                "CPU µs/req median",
                "CPU µs/req p95 (of blocks)",
                "wall µs/req median",
                "req/s equivalent (1 core)",
            ],
            rows,
        )
    )
    rows = []
    for label, routed, bypass in (
        ("ours", "ours-routed", "ours-bypass"),
        ("stock", "stock-routed", "stock-bypass"),
    ):
        if routed not in inproc:
            continue
        per_block = [b / r for r, b in zip(inproc[routed]["cpu"], inproc[bypass]["cpu"], strict=True)]
        rows.append(
            [
                label,
                f"{statistics.median(inproc[bypass]['cpu']) / statistics.median(inproc[routed]['cpu']):.2f}",
                f"{statistics.median(per_block):.2f}",
                f"{statistics.median(inproc[routed]['cpu']) - statistics.median(inproc[bypass]['cpu']):.0f}",
            ]
        )
    print(
        common.md_table(
            [
                "routing",
                "throughput ratio routed/bypass (CPU medians)",
                "median of per-block ratios",
                "routing cost µs/req",
            ],
            rows,
        )
    )

    ours_ratio = med["ours-routed"]["rps"] / med["ours-bypass"]["rps"]
    print("\n## Target")
    print(
        common.md_table(
            ["target", "measured", "verdict"],
            [
                [
                    "routed / bypass ≥ 0.8 (median req/s)",
                    f"{ours_ratio:.2f}",
                    "met" if ours_ratio >= 0.8 else "MISSED",
                ],
            ],
        )
    )
    print(f"\nwall time: {time.perf_counter() - wall:.1f} s")


if __name__ == "__main__":
    main()
