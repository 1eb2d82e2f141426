from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "shared_apps.tracking"
    label = "tracking"
    verbose_name = "Tra cứu hồ sơ toàn thành phố"
