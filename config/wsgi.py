import os

from django.core.wsgi import get_wsgi_application

# Servers start in production unless told otherwise: the production settings refuse to start without
# their secrets, so a missing DJANGO_SETTINGS_MODULE never serves with the dev settings (the launcher
# sets config.settings.dev, the tests config.settings.test, the benches config.settings.bench).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# The anonymous city-wide look-up API answers ahead of the full middleware stack (same answer and
# headers; everything else goes to Django as before).
from shared_apps.tracking.fastpath import LookupFastPath  # noqa: E402  (needs Django set up)

application = LookupFastPath(application)

# Settings, apps, URLconfs and views out of the collector's reach (config/startup.py).
from config.startup import freeze_startup_objects  # noqa: E402

freeze_startup_objects()
