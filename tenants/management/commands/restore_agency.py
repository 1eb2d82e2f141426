from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from tenants.backup import agency_restore, backup_summary
from tenants.models import Agency


class Command(BaseCommand):
    help = (
        "Restore one agency from its backup (backup_agency), in one transaction, checking every "
        "table against the backup's row counts and digests. Refuses an agency that holds data "
        "unless --wipe is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("path", help="the .zip file written by backup_agency")
        parser.add_argument(
            "--wipe",
            action="store_true",
            help="replace the agency's current data (its schema and shared rows)",
        )

    def handle(self, *args, **o):
        agency = Agency.objects.filter(slug=o["slug"]).first()
        if agency is None:
            raise CommandError(f"No agency /{o['slug']}/.")
        try:
            with open(o["path"], "rb") as source:
                manifest = agency_restore(agency=agency, source=source, acting_user=None, wipe=o["wipe"])
        except FileNotFoundError as exc:
            raise CommandError(f"{o['path']} not found.") from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Restored {backup_summary(manifest)} (taken {manifest['taken_at']}).")
        )
