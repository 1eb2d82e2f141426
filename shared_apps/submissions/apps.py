from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "shared_apps.submissions"
    label = "submissions"
    verbose_name = "Nộp hồ sơ trực tuyến"
    default_auto_field = "django.db.models.BigAutoField"
