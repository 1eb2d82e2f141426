from django.core.management.base import BaseCommand

from tenants.pool import schema_pool_fill


class Command(BaseCommand):
    help = "Clone spare agency schemas up to SCHEMA_POOL_SIZE (and drop those of an older template)."

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, default=None)

    def handle(self, *args, size, **options):
        created, dropped = schema_pool_fill(size=size)
        self.stdout.write(f"Schema pool: {created} cloned, {dropped} stale dropped.")
