import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from tqdm import tqdm

from tenants.seeding import city_seed, city_units, demo_users_ensure


class Command(BaseCommand):
    help = "Onboard the city's real administrative units and departments as agencies (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--province",
            type=int,
            default=None,
            help="Province/city code (vietnam-provinces); default CITY_PROVINCE_CODE.",
        )
        parser.add_argument(
            "--only",
            type=int,
            default=None,
            help="Only N commune-level units (Bạch Long Vĩ always included).",
        )
        parser.add_argument("--demo", action="store_true", help="Also create demo users for each role.")
        parser.add_argument(
            "--logins-file",
            default=None,
            help="Where demo logins are kept (default DATA_DIR/demo-logins.txt).",
        )

    def handle(self, *args, province, only, demo, logins_file, **options):
        if demo:
            # The demo city works out of the box: calendar and starter catalogue first, so that the
            # agencies adopt their level's procedures as they are onboarded.
            call_command("seed_calendar", stdout=self.stdout)
            call_command("import_catalogue", stdout=self.stdout)
        total = len(city_units(province_code=province, only=only))
        bar = tqdm(
            total=total,
            desc="Cơ quan / agencies",
            unit="agency",
            disable=options["verbosity"] < 1,
            file=self.stderr._out,
        )
        created, skipped = city_seed(province_code=province, only=only, progress=lambda spec: bar.update(1))
        bar.close()
        self.stdout.write(f"Agencies: {created} onboarded, {skipped} already present.")
        if demo:
            self._demo(Path(logins_file) if logins_file else Path(settings.DATA_DIR) / "demo-logins.txt")

    def _demo(self, path):
        rows = demo_users_ensure(reset_passwords=not path.exists())
        new = [(u, p, d) for u, p, d in rows if p]
        if new:
            path.parent.mkdir(parents=True, exist_ok=True)
            lines = (
                []
                if path.exists()
                else ["Demo logins (tài khoản dùng thử) — log in at /tai-khoan/dang-nhap/", ""]
            )
            lines += [f"{u:<24} {p:<16} {d}" for u, p, d in new]
            with path.open("a", encoding="utf-8") as fh:
                fh.write("\n".join(lines) + "\n")
            os.chmod(path, 0o600)
        self.stdout.write(path.read_text(encoding="utf-8") if path.exists() else "")
