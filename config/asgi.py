import os

from django.core.asgi import get_asgi_application

# Servers start in production unless told otherwise: the production settings refuse to start without
# their secrets, so a missing DJANGO_SETTINGS_MODULE never serves with the dev settings (the launcher
# sets config.settings.dev, the tests config.settings.test, the benches config.settings.bench).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_asgi_application()
