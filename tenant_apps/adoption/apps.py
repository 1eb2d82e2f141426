from django.apps import AppConfig


class AdoptionConfig(AppConfig):
    name = "tenant_apps.adoption"
    label = "adoption"
    verbose_name = "Thủ tục của cơ quan"

    def ready(self):
        from tenants.services import agency_onboarded

        from .services import adoption_on_onboard

        agency_onboarded.connect(adoption_on_onboard, dispatch_uid="adoption-on-onboard")
