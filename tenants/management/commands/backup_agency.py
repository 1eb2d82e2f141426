from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from tenants.backup import agency_backup, backup_summary
from tenants.models import Agency


class Command(BaseCommand):
    help = (
        "Back up one agency (its schema and its rows in the shared tables) into a zip file, in one "
        "consistent snapshot. Restore with restore_agency."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("path", help="the .zip file to write")

    def handle(self, *args, **o):
        agency = Agency.objects.filter(slug=o["slug"]).first()
        if agency is None:
            raise CommandError(f"No agency /{o['slug']}/.")
        try:
            with open(o["path"], "xb") as out:
                manifest = agency_backup(agency=agency, out=out, acting_user=None)
        except FileExistsError as exc:
            raise CommandError(f"{o['path']} exists; choose a new file name.") from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Backed up {backup_summary(manifest)} to {o['path']}."))
