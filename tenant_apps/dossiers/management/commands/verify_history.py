from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tenant_apps.dossiers.chain import history_head, history_verify
from tenants.models import Agency


class Command(BaseCommand):
    help = (
        "Verify the hash chain of dossier histories: one agency, one dossier of it, or every agency. "
        "Prints the first broken link of each broken dossier and the agency's head digest; exits 1 "
        "when a chain is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?", help="an agency (default: every agency)")
        parser.add_argument("--dossier", type=int, help="only this dossier id")

    def handle(self, *args, **o):
        if o["slug"]:
            agencies = list(Agency.objects.filter(slug=o["slug"]))
            if not agencies:
                raise CommandError(f"No agency /{o['slug']}/.")
        else:
            agencies = list(Agency.objects.exclude(schema_name="public").order_by("slug"))
        broken_total = 0
        for agency in agencies:
            connection.set_tenant(agency)
            try:
                ids = [o["dossier"]] if o["dossier"] else None
                total, broken = history_verify(agency=agency, acting_user=None, dossier_ids=ids)
                head, _count = history_head(agency=agency, acting_user=None)
            finally:
                connection.set_schema_to_public()
            broken_total += len(broken)
            status = self.style.SUCCESS("intact") if not broken else self.style.ERROR(f"{len(broken)} broken")
            self.stdout.write(f"/{agency.slug}/: {total} events, {status}, head {head}")
            for b in broken:
                self.stdout.write(f"  dossier {b.dossier_id} ({b.code or '—'}): event #{b.seq}: {b.reason}")
        if broken_total:
            raise CommandError(f"{broken_total} dossier(s) with a broken history.")
