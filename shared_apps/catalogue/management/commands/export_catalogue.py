from pathlib import Path

from django.core.management.base import BaseCommand

from shared_apps.catalogue.io import catalogue_export_csv, catalogue_export_xlsx


class Command(BaseCommand):
    help = "Export the published catalogue to an .xlsx or .csv file."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        file = Path(path)
        if file.suffix == ".csv":
            file.write_text(catalogue_export_csv(), encoding="utf-8")
        else:
            file.write_bytes(catalogue_export_xlsx())
        self.stdout.write(f"Wrote {file}")
