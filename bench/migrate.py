"""`migrate_schemas` with nothing to apply: our fast executor vs the stock executor.

    cd /work/main && .venv/bin/python -m bench.migrate [--agencies 150] [--repeats 3]
    cd /work/main && .venv/bin/python -m bench.migrate --quick   # 3 agencies, 1 repeat (tests/bench)

Scratch db egov_bench_migrate (egov_bench_migrate_quick with --quick), fully migrated, --agencies agencies onboarded by agency_onboard.
Each command runs as a subprocess (a real `manage.py` invocation), --repeats times, interleaved with
a rotating order:

  startup       python -c 'import django; django.setup()'           (process start-up baseline)
  check         manage.py check                                     (start-up + system checks; info)
  fast-shared   manage.py migrate_schemas --shared --noinput        (start-up + public + template)
  stock-shared  manage.py migrate_schemas --shared --noinput --executor=standard   (start-up + public)
  fast          manage.py migrate_schemas --noinput                 (ours: GET_EXECUTOR_FUNCTION default)
  stock         manage.py migrate_schemas --noinput --executor=standard

Per agency schema:  raw = total / N;  net = (total - startup) / N;  marginal = (total - <same>-shared) / N.
Also timed in-process: tenants.migration.schemas_behind() over all agency schemas (the fast executor's
whole per-schema work when nothing is behind).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import time

from bench import common

DB = "egov_bench_migrate"


def commands():
    py = common.PYTHON
    manage = str(common.PROJECT_DIR / "manage.py")
    return {
        "startup": [py, "-c", "import django; django.setup()"],
        "check": [py, manage, "check"],
        "fast-shared": [py, manage, "migrate_schemas", "--shared", "--noinput"],
        "stock-shared": [py, manage, "migrate_schemas", "--shared", "--noinput", "--executor=standard"],
        "fast": [py, manage, "migrate_schemas", "--noinput"],
        "stock": [py, manage, "migrate_schemas", "--noinput", "--executor=standard"],
    }


def run(cmd):
    started = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=common.PROJECT_DIR, env=common.bench_env(DB), capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    return elapsed, proc.stdout + proc.stderr


def verify(name, output, agencies):
    """Nothing may be applied; the fast executor must say every schema was up to date."""
    if "Applying " in output:
        raise AssertionError(f"{name}: migrations were applied:\n{output[-2000:]}")
    if name == "fast":
        found = re.findall(r"\[fast\] (\d+) schema\(s\) up to date, (\d+) migrated", output)
        up_to_date = sum(int(a) for a, _ in found)
        migrated = sum(int(b) for _, b in found)
        if not found or migrated or up_to_date < agencies:
            raise AssertionError(f"fast: unexpected summary:\n{output[-2000:]}")
        return f"fast executor: {up_to_date} schemas up to date (agencies + template), 0 migrated"
    if name == "stock":
        started = output.count("=== Starting migration")
        if started < agencies:
            raise AssertionError(f"stock: migrated only {started} schemas:\n{output[-2000:]}")
        return f"stock executor ran Django's migrate {started} times (public + {started - 1} agency schemas)"
    return None


def main():
    global DB
    parser = argparse.ArgumentParser()
    parser.add_argument("--agencies", type=int, default=150)
    parser.add_argument("--repeats", type=int, default=3)
    common.add_quick_argument(parser)
    args = parser.parse_args()
    if args.quick:
        args.agencies, args.repeats = 3, 1
    DB = common.scratch_name(DB, args.quick)

    common.header("bench/migrate.py — migrate_schemas with nothing to apply", "bench.migrate")
    wall = time.perf_counter()
    with common.scratch_database(DB):
        common.flush_bench_redis()
        common.setup_django()
        common.migrate_schemas_in_process()
        from django.db import connection

        from tenants.services import agency_onboard

        for i in range(1, args.agencies + 1):
            connection.set_schema_to_public()
            agency_onboard(acting_user=None, **common.synthetic_agency(i))
        n_schemas = common.count_schemas("ag_")

        # Direct, in-process: what the fast executor does per schema (one SELECT of django_migrations
        # and a set comparison), without process start-up or the public migrate.
        from tenants.migration import required_migrations, schemas_behind
        from tenants.models import Agency

        schemas = list(Agency.objects.values_list("schema_name", flat=True))
        direct = []
        for _ in range(7):
            started = time.perf_counter()
            behind = schemas_behind(schemas, required_migrations())
            direct.append(time.perf_counter() - started)
            assert not behind, behind
        connection.close()
        print(
            f"\n{args.agencies} agencies onboarded; {n_schemas} agency schemas (+ public + agency_template)"
        )

        cmds = commands()
        names = list(cmds)
        times = {n: [] for n in names}
        notes = {}
        for _ in range(1):  # warm the OS page cache / .pyc files, not in the stats
            for name in ("startup", "fast"):
                run(cmds[name])
        for r in range(args.repeats):
            order = names[r % len(names) :] + names[: r % len(names)]
            for name in order:
                elapsed, output = run(cmds[name])
                note = verify(name, output, args.agencies)
                if note:
                    notes[name] = note
                times[name].append(elapsed)
            print(f"repeat {r + 1}/{args.repeats}: " + ", ".join(f"{n} {times[n][-1]:.2f}s" for n in names))

    n = args.agencies
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"\n## Wall seconds per command ({args.repeats} runs each)")
    print(
        common.md_table(
            ["command", "median s", "min s", "max s"],
            [
                [
                    f"`{' '.join(['python' if i == 0 else a for i, a in enumerate(cmds[k])]).replace(str(common.PROJECT_DIR) + '/', '')}`",
                    f"{med[k]:.2f}",
                    f"{min(times[k]):.2f}",
                    f"{max(times[k]):.2f}",
                ]
                for k in names
            ],
        )
    )
    for k, v in notes.items():
        print(f"- {k}: {v}")

    def per_schema(name):
        shared = med[f"{name}-shared"]
        return {
            "raw": med[name] / n,
            "net": (med[name] - med["startup"]) / n,
            "marginal": (med[name] - shared) / n,
            "fixed": shared - med["startup"],
        }

    fast, stock = per_schema("fast"), per_schema("stock")
    print(f"\n## Per agency schema ({n} schemas, medians)")
    print(
        common.md_table(
            [
                "executor",
                "total s",
                "raw s/schema",
                "net of start-up s/schema",
                "marginal s/schema (minus --shared run)",
                "fixed cost of public(+template) s",
            ],
            [
                [
                    label,
                    f"{med[key]:.2f}",
                    f"{d['raw']:.4f}",
                    f"{d['net']:.4f}",
                    f"{d['marginal']:.4f}",
                    f"{d['fixed']:.2f}",
                ]
                for label, key, d in (("fast (ours)", "fast", fast), ("stock (standard)", "stock", stock))
            ],
        )
    )
    d = common.summary(direct)
    print(
        f"\nin-process `schemas_behind(required_migrations())` over {len(schemas)} schemas (7 runs): median "
        f"{d['median']:.4f} s = {d['median'] / len(schemas) * 1000:.2f} ms/schema (p95 {d['p95'] / len(schemas) * 1000:.2f})"
    )
    print(
        f"start-up baseline (django.setup in a fresh interpreter): {med['startup']:.2f} s; "
        f"manage.py check: {med['check']:.2f} s"
    )
    print("\n## Ratios stock / fast")
    print(
        common.md_table(
            ["figure", "ratio"],
            [
                ["total wall", f"{med['stock'] / med['fast']:.1f}×"],
                ["net of start-up per schema", f"{stock['net'] / fast['net']:.1f}×"],
                [
                    "marginal per schema",
                    f"{stock['marginal'] / fast['marginal']:.1f}×" if fast["marginal"] > 0 else "n/a",
                ],
            ],
        )
    )
    print("\n## Target")
    print(
        common.md_table(
            ["target", "measured", "verdict"],
            [
                [
                    "≤ 0.02 s per agency schema (net of start-up)",
                    f"{fast['net']:.4f} s",
                    "met" if fast["net"] <= 0.02 else "MISSED",
                ],
                [
                    "(raw, start-up included)",
                    f"{fast['raw']:.4f} s",
                    "met" if fast["raw"] <= 0.02 else "MISSED",
                ],
            ],
        )
    )
    print(f"\nwall time: {time.perf_counter() - wall:.1f} s")


if __name__ == "__main__":
    main()
