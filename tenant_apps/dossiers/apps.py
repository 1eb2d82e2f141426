from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "tenant_apps.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ"
