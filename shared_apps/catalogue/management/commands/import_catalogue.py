from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shared_apps.catalogue.io import ImportFailed, catalogue_import


class Command(BaseCommand):
    help = "Import procedures from an xlsx or CSV file (all or nothing). Default: the starter catalogue."

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default=str(Path(__file__).resolve().parents[2] / "data" / "starter_catalogue.csv"),
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, path, dry_run, **options):
        file = Path(path)
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        try:
            report = catalogue_import(
                data=file.read_bytes(), filename=file.name, acting_user=None, dry_run=dry_run
            )
        except ImportFailed as exc:
            for row, message in exc.errors:
                self.stderr.write(f"dòng {row}: {message}")
            raise CommandError(f"{len(exc.errors)} lỗi; chưa nhập gì.") from exc
        self.stdout.write(
            f"{'(thử) ' if dry_run else ''}{len(report.created)} mới, {len(report.updated)} cập nhật, "
            f"{len(report.unchanged)} không đổi."
        )
