from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "shared_apps.catalogue"
    label = "catalogue"
    verbose_name = "Danh mục thủ tục hành chính"
