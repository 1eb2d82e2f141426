import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from tenant_apps.dossiers.demo import demo_history_seed, demo_lookup_codes


class Command(BaseCommand):
    help = (
        "Write the demo city's history through the real services (a few hundred dossiers over the past "
        "months at Bạch Long Vĩ, a few wards and departments, in every state). Run after "
        "`seed_city --demo`; does nothing when Bạch Long Vĩ already has a dossier. Writes three look-up "
        "codes to try to DATA_DIR/demo-lookup.txt."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="More or fewer dossiers (default 1.0).")
        parser.add_argument(
            "--lookup-file",
            default=None,
            help="Where the look-up codes are written (default DATA_DIR/demo-lookup.txt).",
        )

    def handle(self, *args, scale, lookup_file, **options):
        began = time.monotonic()
        debug, settings.DEBUG = settings.DEBUG, False  # no copy of each of ~20 000 statements in memory
        try:
            report = demo_history_seed(scale=scale)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            settings.DEBUG = debug
        took = time.monotonic() - began
        if report.skipped:
            self.stdout.write("Demo history: already present, nothing added.")
        else:
            states = ", ".join(f"{state} {n}" for state, n in sorted(report.states.items()))
            self.stdout.write(
                f"Demo history: {report.dossiers} dossiers at {len(report.agencies)} agencies in {took:.1f}s "
                f"({states})."
            )
        codes = demo_lookup_codes()
        path = Path(lookup_file) if lookup_file else Path(settings.DATA_DIR) / "demo-lookup.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "".join(f"{label}\t/tra-cuu/{code}/\n" for _key, label, code in codes), encoding="utf-8"
        )
        for _key, label, code in codes:
            self.stdout.write(f"  {label:<44} /tra-cuu/{code}/")
