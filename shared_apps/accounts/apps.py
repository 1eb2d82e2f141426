from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shared_apps.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"

    def ready(self):
        from . import signals  # noqa: F401
