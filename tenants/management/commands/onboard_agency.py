from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from shared_apps.accounts.models import User
from tenants.models import Agency, AgencyKind
from tenants.services import agency_onboard


class Command(BaseCommand):
    help = "Onboard one agency: its schema is cloned from the template in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--kind", required=True, choices=AgencyKind.values)
        parser.add_argument("--national-code", required=True, help="000.00.xx.Hnn")
        parser.add_argument("--slug", default=None)
        parser.add_argument("--admin-unit-code", default="")
        parser.add_argument("--parent", default=None, help="slug of the parent agency")
        parser.add_argument("--admin-username", default=None, help="existing user to make agency admin")

    def handle(self, *args, **o):
        try:
            parent = Agency.objects.get(slug=o["parent"]) if o["parent"] else None
            admin_user = User.objects.get(username=o["admin_username"]) if o["admin_username"] else None
        except (Agency.DoesNotExist, User.DoesNotExist) as exc:
            raise CommandError(str(exc)) from exc
        try:
            agency = agency_onboard(
                name=o["name"],
                kind=o["kind"],
                national_code=o["national_code"],
                slug=o["slug"],
                admin_unit_code=o["admin_unit_code"],
                parent=parent,
                admin_user=admin_user,
                acting_user=None,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Onboarded {agency.name} at /{agency.slug}/ (schema {agency.schema_name}).")
        )
