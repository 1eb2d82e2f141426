import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core.errors import DomainError
from tenants.merge import agencies_merge
from tenants.models import AgencyKind


class Command(BaseCommand):
    help = (
        "Merge agencies into an existing one (--into <slug>) or into a new one (--new-name, --new-slug, "
        "--kind, --national-code): every dossier in progress is carried over, all in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="+", help="slugs of the agencies merged away")
        parser.add_argument(
            "--into", default=None, help="slug of the successor (existing, or the new one's slug)"
        )
        parser.add_argument(
            "--new-name", default=None, help="name of a new successor onboarded in the same run"
        )
        parser.add_argument("--new-slug", default=None)
        parser.add_argument("--kind", default=AgencyKind.COMMUNE, choices=AgencyKind.values)
        parser.add_argument("--national-code", default=None, help="000.00.xx.Hnn of the new successor")
        parser.add_argument("--dry-run", action="store_true", help="report what would move, change nothing")

    def handle(self, *args, **o):
        new_agency = None
        target = o["into"]
        if o["new_name"]:
            if not o["national_code"]:
                raise CommandError("--national-code is required with --new-name")
            new_agency = {
                "name": o["new_name"],
                "slug": o["new_slug"] or o["into"],
                "kind": o["kind"],
                "national_code": o["national_code"],
            }
            target = None
        elif not target:
            raise CommandError("give --into <slug> or --new-name …")
        bar = tqdm(total=len(o["sources"]) + 2, desc="merge", unit="step", disable=o["dry_run"])

        def progress(done, total, label):
            bar.total = total
            bar.set_postfix_str(str(label)[:40])
            bar.update(done - bar.n)

        try:
            report = agencies_merge(
                sources=o["sources"],
                target=target,
                new_agency=new_agency,
                acting_user=None,
                dry_run=o["dry_run"],
                progress=progress,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        finally:
            bar.close()
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
        verb = "Would carry" if report.dry_run else "Carried"
        self.stdout.write(self.style.SUCCESS(f"{verb} {report.carried} dossiers into {report.target}."))
