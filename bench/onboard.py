"""Onboarding one agency: our clone vs the stock migration path vs django-tenants' bundled clone.

    cd /work/main && .venv/bin/python -m bench.onboard [--samples 20] [--stock-samples 20] [--present 150]
    cd /work/main && .venv/bin/python -m bench.onboard --quick   # every part, small (tests/bench)

Part 1 (scratch db egov_bench_onboard): per condition (0 agencies present, then --present agencies
present, onboarded with our clone), methods interleaved round by round, each sample followed by an
untimed clean-up (schema + rows dropped, connection re-opened) so the agency count stays put:

  clone          tenants.services.agency_onboard(..., acting_user=None): row + schema + event, the
                 whole production call (one transaction)
  clone-schema   tenants.schema.schema_clone_from_template() alone inside transaction.atomic()
  stock-migrate  CREATE SCHEMA + call_command('migrate_schemas', tenant=True, schema_name=...,
                 executor='standard', interactive=False, verbosity=0)   (django-tenants' way)
  dt-clone       django_tenants.clone.CloneSchema().clone_schema(template, new, 'DATA')

The stock paths create the schema only (no Agency row), so "clone" vs "stock-migrate" is the
conservative ratio; "clone-schema" vs "stock-migrate" is like for like.

Part 2 (fresh scratch db egov_bench_onboard_city, in a fresh process, twice: empty catalogue, then
with the starter catalogue imported so agencies adopt procedures as seed_city --demo does): onboard all
of Hai Phong -- tenants.seeding.city_units(): 1 city + 15 departments + 114 wards/communes/special
zones from vietnam_provinces -- via agency_onboard, total seconds; national codes and slugs checked.

--quick: 2 samples per method (1 stock-migrate), 3 agencies present, the first --city-units 6 units of
the city with the starter catalogue only, on egov_bench_onboard_quick / egov_bench_onboard_city_quick.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from bench import common

DB = "egov_bench_onboard"
CITY_DB = "egov_bench_onboard_city"
METHODS = ("pool", "clone", "clone-schema", "stock-migrate", "dt-clone")


class Counter:
    def __init__(self, start):
        self.n = start

    def next(self):
        self.n += 1
        return self.n


def reopen_connection():
    """Stock run_migrations closes the connection after each schema: re-open it untimed so the next
    sample (whatever its method) does not pay the reconnect."""
    from django.db import connection

    connection.set_schema_to_public()
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def run_method(method, ident):
    """Time one onboarding by `method`; returns (seconds, cleanup callable)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    from tenants.schema import schema_clone_from_template
    from tenants.services import agency_onboard, schema_name_for_slug

    schema = schema_name_for_slug(ident["slug"])
    connection.set_schema_to_public()
    if method == "pool":
        from tenants.pool import schema_pool_fill

        schema_pool_fill(size=1)  # untimed: the refill task's job in production
        reopen_connection()
        started = time.perf_counter()
        agency = agency_onboard(acting_user=None, **ident)
        elapsed = time.perf_counter() - started
        return elapsed, schema, (lambda: common.remove_agency(agency))
    if method == "clone":
        started = time.perf_counter()
        agency = agency_onboard(acting_user=None, **ident)
        elapsed = time.perf_counter() - started
        return elapsed, schema, (lambda: common.remove_agency(agency))
    if method == "clone-schema":
        started = time.perf_counter()
        with transaction.atomic():
            schema_clone_from_template(schema)
        elapsed = time.perf_counter() - started
    elif method == "stock-migrate":
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema}"')
        call_command(
            "migrate_schemas",
            tenant=True,
            schema_name=schema,
            executor="standard",
            interactive=False,
            verbosity=0,
        )
        elapsed = time.perf_counter() - started
    elif method == "dt-clone":
        from django_tenants.clone import CloneSchema

        started = time.perf_counter()
        CloneSchema().clone_schema(settings.TENANT_TEMPLATE_SCHEMA, schema, "DATA")
        elapsed = time.perf_counter() - started
    else:
        raise ValueError(method)
    return elapsed, schema, (lambda: common.drop_schema(schema))


def compare_with_template(schema):
    """Which parts of schema_describe differ from the template's (empty list: identical)."""
    from django.conf import settings

    from tenants.schema import schema_describe

    mine, template = schema_describe(schema), schema_describe(settings.TENANT_TEMPLATE_SCHEMA)
    return [k for k in template if template[k] != mine.get(k)]


def measure_condition(label, counter, samples, stock_samples, methods):
    results = {m: [] for m in methods}
    rounds = max(samples, stock_samples)
    for r in range(rounds):
        order = list(methods[r % len(methods) :]) + list(methods[: r % len(methods)])
        for method in order:
            wanted = stock_samples if method == "stock-migrate" else samples
            if len(results[method]) >= wanted:
                continue
            ident = common.synthetic_agency(counter.next())
            elapsed, _schema, cleanup = run_method(method, ident)
            results[method].append(elapsed)
            cleanup()
            reopen_connection()
    print(f"\n## Condition: {label}")
    rows = []
    base = common.summary(results["clone"])
    for method in methods:
        s = common.summary(results[method])
        rows.append(
            [
                method,
                s["n"],
                common.fmt_s(s["median"]),
                common.fmt_s(s["p95"]),
                common.fmt_s(s["min"]),
                common.fmt_s(s["max"]),
                f"{s['median'] / base['median']:.2f}×",
            ]
        )
    print(
        common.md_table(["method", "n", "median s", "p95 s", "min s", "max s", "median / clone median"], rows)
    )
    sys.stdout.flush()
    return {m: common.summary(v) for m, v in results.items()}


def part_one(args):
    with common.scratch_database(common.scratch_name(DB, args.quick)):
        common.flush_bench_redis()
        common.setup_django()
        from django.db import connection

        from tenants.models import Agency
        from tenants.services import agency_onboard

        migrate_s = common.migrate_schemas_in_process()
        print(f"\nmigrate_schemas (public + template) on a fresh db: {migrate_s:.2f} s")

        counter = Counter(0)
        # Warm-up: one untimed-for-the-stats sample per method (the first clone builds and caches the
        # DDL script), and a structural check of what each method produced against the template.
        print("\n## Warm-up (first call per method; not in the stats) and structure vs template")
        rows = []
        for method in METHODS:
            ident = common.synthetic_agency(counter.next())
            elapsed, schema, cleanup = run_method(method, ident)
            reopen_connection()
            diff = compare_with_template(schema)
            rows.append(
                [method, common.fmt_s(elapsed), "identical" if not diff else "differs: " + ", ".join(diff)]
            )
            cleanup()
            reopen_connection()
        print(common.md_table(["method", "first call s", "schema_describe vs template"], rows))

        cond0 = measure_condition("0 agencies present", counter, args.samples, args.stock_samples, METHODS)

        # Grow to N agencies with our clone (timed: the sequential series, for drift).
        series = []
        idents = []
        for _ in range(args.present):
            ident = common.synthetic_agency(counter.next())
            idents.append(ident)
            connection.set_schema_to_public()
            started = time.perf_counter()
            agency_onboard(acting_user=None, **ident)
            series.append(time.perf_counter() - started)
        print(f"\n## Onboarding {args.present} agencies in a row with agency_onboard")
        print(common.check_identities(idents))
        s = common.summary(series)
        first10, last10 = common.summary(series[:10]), common.summary(series[-10:])
        print(
            common.md_table(
                ["total s", "median s", "p95 s", "max s", "median first 10", "median last 10"],
                [
                    [
                        f"{sum(series):.2f}",
                        common.fmt_s(s["median"]),
                        common.fmt_s(s["p95"]),
                        common.fmt_s(s["max"]),
                        common.fmt_s(first10["median"]),
                        common.fmt_s(last10["median"]),
                    ]
                ],
            )
        )
        present = Agency.objects.count()
        print(f"agencies present: {present}, agency schemas: {common.count_schemas('ag_')}")

        condn = measure_condition(
            f"{present} agencies present", counter, args.samples, args.stock_samples, METHODS
        )
    return cond0, condn, present


def city_identities():
    """The project's own list of Hai Phong agencies (tenants.seeding.city_units, what seed_city
    onboards): the city, its departments and its 114 commune-level units."""
    from vietnam_provinces import Province

    from tenants.seeding import city_units

    province = next(p for p in Province.iter_all() if "Hải Phòng" in p.name)
    specs = city_units(province_code=int(province.code.value))
    return [
        {
            "name": u.name,
            "slug": u.slug,
            "kind": u.kind,
            "national_code": u.national_code,
            "admin_unit_code": u.admin_unit_code,
            "is_city": u.is_city,
        }
        for u in specs
    ]


def part_city(catalogue, *, quick=False, units=0):
    """Runs in its own process (cold clone cache, like seed_city); prints one JSON line. With
    catalogue, the starter catalogue is imported first (not timed), so every agency adopts its level's
    procedures inside its onboarding transaction, as with `seed_city --demo`."""
    out = {"catalogue": catalogue}
    with common.scratch_database(common.scratch_name(CITY_DB, quick)):
        common.flush_bench_redis()
        common.setup_django()
        from django.core.management import call_command
        from django.db import connection

        from tenants.models import Agency
        from tenants.services import agency_onboard

        out["migrate_s"] = common.migrate_schemas_in_process()
        if catalogue:
            started = time.perf_counter()
            call_command("import_catalogue", verbosity=0, stdout=open("/dev/null", "w"))
            out["catalogue_import_s"] = time.perf_counter() - started
        everything = city_identities()
        if units:
            everything = everything[:units]
        out["identities"] = common.check_identities(everything)
        out["counts"] = {
            "city": sum(1 for a in everything if a["kind"] == "city"),
            "departments": sum(1 for a in everything if a["kind"] == "department"),
            "wards_communes_zones": sum(
                1 for a in everything if a["kind"] in ("ward", "commune", "special_zone")
            ),
        }
        out["examples"] = [
            (a["national_code"], a["slug"]) for a in (everything[0], everything[1], everything[-1])
        ]
        out["collision_slugs"] = [a["slug"] for a in everything if a["slug"].startswith("xa-cam-giang")]
        per_agency = []
        city_agency = None
        started = time.perf_counter()
        for ident in everything:
            ident = dict(ident)
            is_city = ident.pop("is_city")
            connection.set_schema_to_public()
            t = time.perf_counter()
            agency = agency_onboard(acting_user=None, parent=None if is_city else city_agency, **ident)
            per_agency.append(time.perf_counter() - t)
            if is_city:
                city_agency = agency
        out["total_s"] = time.perf_counter() - started
        out["per_agency"] = common.summary(per_agency)
        out["first_s"] = per_agency[0]
        out["agencies"] = Agency.objects.count()
        out["schemas"] = common.count_schemas("ag_")
        if catalogue:
            from tenant_apps.adoption.models import ProcedureAdoption

            adopted = 0
            for agency in Agency.objects.all():
                connection.set_tenant(agency)
                adopted += ProcedureAdoption.objects.count()
            connection.set_schema_to_public()
            out["adoptions"] = adopted
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--stock-samples", type=int, default=20)
    parser.add_argument("--present", type=int, default=150)
    parser.add_argument(
        "--city", choices=["empty", "catalogue"], help="internal: run only the Hai Phong part"
    )
    parser.add_argument("--skip-city", action="store_true")
    parser.add_argument(
        "--city-units", type=int, default=0, help="only the first N units of the city (0: all)"
    )
    common.add_quick_argument(parser)
    args = parser.parse_args()
    if args.quick:
        args.samples, args.stock_samples, args.present = 2, 1, 3
        args.city_units = args.city_units or 6

    if args.city:
        print(json.dumps(part_city(args.city == "catalogue", quick=args.quick, units=args.city_units)))
        return

    common.header("bench/onboard.py — onboarding one agency", "bench.onboard")
    wall = time.perf_counter()
    cond0, condn, present = part_one(args)

    print("\n## Ratios (median and p95 of the other method / ours)")
    rows = []
    for label, cond in (("0 present", cond0), (f"{present} present", condn)):
        for ours in ("clone", "clone-schema"):
            for other in ("stock-migrate", "dt-clone"):
                rows.append(
                    [
                        label,
                        other,
                        ours,
                        f"{cond[other]['median'] / cond[ours]['median']:.1f}×",
                        f"{cond[other]['p95'] / cond[ours]['p95']:.1f}×",
                    ]
                )
    print(common.md_table(["condition", "other", "ours", "median ratio", "p95 ratio"], rows))

    cities = []
    if not args.skip_city:
        # --quick: the catalogue variant only (it runs every step of the empty one, plus the import)
        for variant in ("catalogue",) if args.quick else ("empty", "catalogue"):
            argv = [common.PYTHON, "-m", "bench.onboard", "--city", variant]
            argv += ["--city-units", str(args.city_units)] if args.city_units else []
            argv += ["--quick"] if args.quick else []
            proc = subprocess.run(
                argv,
                cwd=common.PROJECT_DIR,
                env=common.bench_env(common.scratch_name(CITY_DB, args.quick)),
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                print(proc.stdout, proc.stderr)
                raise SystemExit("city part failed")
            cities.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        first = cities[0]
        print(
            "\n## Hải Phòng: "
            + (f"the first {args.city_units} agencies" if args.city_units else "every agency")
            + " of tenants.seeding.city_units() onboarded with agency_onboard into a "
            "fresh db (fresh process, cold clone cache)"
        )
        print(
            f"{first['identities']}; {first['counts']}; e.g. {first['examples']}; "
            f"diacritic collision handled as {first['collision_slugs']}"
        )
        rows = []
        for city in cities:
            pa = city["per_agency"]
            label = (
                "starter catalogue imported ({:.1f} s, not in total); {} adoptions made".format(
                    city["catalogue_import_s"], city["adoptions"]
                )
                if city["catalogue"]
                else "empty catalogue"
            )
            rows.append(
                [
                    label,
                    city["agencies"],
                    city["schemas"],
                    f"{city['total_s']:.2f}",
                    common.fmt_s(pa["median"]),
                    common.fmt_s(pa["p95"]),
                    common.fmt_s(pa["max"]),
                    common.fmt_s(city["first_s"]),
                    f"{city['migrate_s']:.2f}",
                ]
            )
        print(
            common.md_table(
                [
                    "condition",
                    "agencies",
                    "schemas",
                    "total s",
                    "per agency median s",
                    "p95 s",
                    "max s",
                    "first (cold) s",
                    "migrate_schemas s (not in total)",
                ],
                rows,
            )
        )

    print("\n## Targets")
    worst_pool_p95 = max(cond0["pool"]["p95"], condn["pool"]["p95"])
    worst_p95 = max(cond0["clone"]["p95"], condn["clone"]["p95"])
    worst_ratio = min(
        cond0["stock-migrate"]["median"] / cond0["clone"]["median"],
        condn["stock-migrate"]["median"] / condn["clone"]["median"],
    )
    rows = [
        [
            "p95 per agency (agency_onboard, spare schema in the pool) ≤ 0.25 s",
            f"{worst_pool_p95:.4f} s (worst condition)",
            "met" if worst_pool_p95 <= 0.25 else "MISSED",
        ],
        [
            "p95 per agency (agency_onboard, pool empty: clone while waiting) ≤ 0.25 s",
            f"{worst_p95:.4f} s (worst condition)",
            "met" if worst_p95 <= 0.25 else "MISSED",
        ],
        [
            "≥ 3× faster than stock migration path (median)",
            f"{worst_ratio:.1f}× (worst condition)",
            "met" if worst_ratio >= 3 else "MISSED",
        ],
    ]
    for city in cities:
        rows.append(
            [
                f"whole city ≤ 30 s ({'starter catalogue' if city['catalogue'] else 'empty catalogue'})",
                f"{city['total_s']:.2f} s ({city['agencies']} agencies)",
                ("met" if city["total_s"] <= 30 else "MISSED")
                if not args.city_units
                else f"n/a (only {args.city_units} units)",
            ]
        )
    print(common.md_table(["target", "measured", "verdict"], rows))
    print(f"\nwall time: {time.perf_counter() - wall:.1f} s")


if __name__ == "__main__":
    main()
