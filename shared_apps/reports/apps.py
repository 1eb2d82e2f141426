from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "shared_apps.reports"
    label = "reports"
    verbose_name = "Thống kê, báo cáo"
