from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "tenant_apps.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ"

    def ready(self):
        from django.db import transaction
        from django.db.models.signals import post_delete, post_save

        from shared_apps.catalogue.models import Component, Fee, ProcedureVersion, ProcessStep
        from tenant_apps.adoption.models import ProcedureAdoption
        from tenants.hooks import agency_data_changed

        from .plans import plans_changed, plans_invalidate_local

        def catalogue_changed(**kwargs):
            plans_invalidate_local()
            transaction.on_commit(plans_changed)

        for model in (ProcedureVersion, Component, Fee, ProcessStep, ProcedureAdoption):
            post_save.connect(catalogue_changed, sender=model, dispatch_uid=f"plans-{model.__name__}-save")
            post_delete.connect(
                catalogue_changed, sender=model, dispatch_uid=f"plans-{model.__name__}-delete"
            )
        # a restore rewrites the agency's adoptions by SQL: no model signal fires
        agency_data_changed.connect(catalogue_changed, weak=False, dispatch_uid="plans-agency-data-changed")
